// `ovo-tokenize demo`: starts a sandbox gateway on a throwaway SQLite database and hands it to the story,
// which lives with the example shop it plays (examples/merchant-store, `@ovo-tokenize/example-merchant-store/demo`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { DemoGateway } from '@ovo-tokenize/example-merchant-store/demo';
import { startGateway } from '../server.ts';
import { insertMerchant } from '../store/merchants.ts';
import { inTransaction } from '../store/transaction.ts';
import { wireFormat } from './parse.ts';

/** The repository's workspaces the story needs, the one it builds on first: an installed gateway has neither. */
const DEMO_NEEDS = ['@ovo-tokenize/client', '@ovo-tokenize/example-merchant-store'] as const;

export function registerDemoCommand(program: Command): void {
  program.command('demo')
    .description('play the whole merchant story headlessly (gateway + example shop on a temporary database) and print it as a tutorial')
    .option('--format <format>', 'wire format of the shop and its notifications: json or xml (default json)', wireFormat)
    .action(async (flags: { format?: 'json' | 'xml' }) => {
      const passed = await runDemo(flags.format ?? 'json');
      // The servers are closed; exiting now also drops idle keep-alive sockets instead of waiting them out.
      process.exit(passed ? 0 : 1);
    });
}

async function runDemo(format: 'json' | 'xml'): Promise<boolean> {
  const missing = DEMO_NEEDS.find((name) => !isInstalled(name));
  if (missing) {
    console.error(`\nDemo failed: the demo needs ${missing}, which is not installed: it plays the repository's example shop with @ovo-tokenize/client, so run \`npm install && npx ovo-tokenize demo\` in a clone of the ovo-tokenize repository`);
    return false;
  }
  const { playDemo } = await import('@ovo-tokenize/example-merchant-store/demo');
  return playDemo({ format, startGateway: startDemoGateway });
}

function isInstalled(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

async function startDemoGateway(): Promise<DemoGateway> {
  const directory = mkdtempSync(join(tmpdir(), 'ovo-demo-'));
  const removeDirectory = () => rmSync(directory, { recursive: true, force: true });
  const databasePath = join(directory, 'ovo.sqlite');
  try {
    const gateway = await startGateway({
      config: { port: 0, host: '127.0.0.1', sandbox: true, databaseUrl: `sqlite:${databasePath}` },
      logger: false,
      delivery: { pollIntervalMs: 100, backoffBaseMs: 500 },
    });
    return {
      url: gateway.url,
      description: `sandbox mode, temporary SQLite ${databasePath}`,
      registerMerchant: (merchant) => inTransaction(gateway.ctx.database, (tx) => insertMerchant(tx, merchant, gateway.ctx.clock.now())),
      close: () => gateway.close().finally(removeDirectory),
    };
  } catch (error) {
    removeDirectory();
    throw error;
  }
}
