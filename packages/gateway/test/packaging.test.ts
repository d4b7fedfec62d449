// Proves that the three packages work in a stranger's project, installed by npm from the tarballs `npm run pack` writes (no workspace, no tsx, no TypeScript sources): the README's quick start, verbatim, runs as a plain ESM file against `npx ovo-tokenize serve` started from the installed gateway on a fresh SQLite file and pays once its link is made; a CommonJS file require()s the client and pays too; a strict TypeScript project type-checks against the shipped declarations under node16 and bundler resolution while a misuse fails; and `npx ovo-tokenize demo` says in one line what it needs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { completeLink } from './support/gateway.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const DEMO_MERCHANT = { merchantId: '99999', userId: 'bot99999', password: 'p@ssw0rd' } as const;
const QUICK_START_PHONE = '081234567890';
const QUICK_START_URL = 'http://127.0.0.1:8080';

/**
 * A stranger's shell: none of the gateway's settings, no loader or export condition from this test runner, and
 * nothing npm passes to the scripts it runs (the package and workspace of this repository).
 */
function strangerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('OVO_') || k === 'NODE_OPTIONS' || k === 'INIT_CWD' || /^npm_(package|lifecycle)_|^npm_config_(workspace|include_workspace)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

interface Ran { code: number | null; stdout: string; stderr: string }

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: strangerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function succeeded(ran: Ran, what: string): string {
  assert.equal(ran.code, 0, `${what} exited ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return ran.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The client README's quick start (the root README prints the same block). */
function quickStart(): string {
  const block = (file: string, pattern: RegExp) => {
    const match = pattern.exec(readFileSync(join(repo, file), 'utf8'));
    assert.ok(match, `${file} has the quick start`);
    return match[1]!;
  };
  const client = block('packages/client/README.md', /<!-- quick-start -->\s*```ts\n([\s\S]*?)```/);
  assert.equal(block('README.md', /### A merchant's first integration\s*```ts\n([\s\S]*?)```/), client, 'both READMEs print one quick start');
  return client;
}

let work: string;
let shop: string;
let ops: string;
let server: ChildProcess | undefined;
let serverExit: Promise<number | null>;
let gatewayUrl: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ovo-stranger-'));
  const tarballs = join(work, 'tarballs');
  // The test runner has just built dist/ (scripts/test.mjs): pack it as `npm run pack` does, without rebuilding.
  const packed = succeeded(await run(process.execPath, [join(repo, 'scripts', 'pack.mjs'), '--no-build', '--destination', tarballs], repo), 'npm run pack');
  const tarball = (name: string) => {
    const path = packed.split('\n').find((line) => line.includes(`ovo-tokenize-${name}-`));
    assert.ok(path, `a ${name} tarball in:\n${packed}`);
    return path;
  };

  // Both packages come from their tarballs: @ovo-tokenize/protocol is not on the registry yet, so it is given
  // alongside the package that depends on it. Everything else comes from the registry (npm's cache first).
  shop = join(work, 'shop');
  ops = join(work, 'ops');
  mkdirSync(shop);
  mkdirSync(ops);
  writeFileSync(join(shop, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', private: true, type: 'module' }));
  // better-sqlite3 compiles from source on install (about a minute). The ops project takes the very version
  // this repository compiled on this machine and gets its compiled addon copied in, in place of the install
  // script's output (--ignore-scripts; no other dependency of the gateway has an install script): npm still
  // resolves and installs every dependency from the gateway's tarball as for anyone else.
  const sqlite = join(repo, 'node_modules', 'better-sqlite3');
  const sqliteVersion = (JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(join(ops, 'package.json'), JSON.stringify({ name: 'ops', version: '1.0.0', private: true, overrides: { 'better-sqlite3': sqliteVersion } }));
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  const [shopInstall, opsInstall] = await Promise.all([
    run(npm, [...install, tarball('protocol'), tarball('client'), '@types/node@^20.19.0'], shop, 90_000),
    run(npm, [...install, '--ignore-scripts', tarball('protocol'), tarball('gateway')], ops, 90_000),
  ]);
  succeeded(shopInstall, 'npm install (shop)');
  succeeded(opsInstall, 'npm install (ops)');
  const release = join(ops, 'node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(release, { recursive: true });
  copyFileSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'), join(release, 'better_sqlite3.node'));

  const installed = JSON.parse(readFileSync(join(shop, 'node_modules', '@ovo-tokenize', 'client', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.deepEqual(Object.keys(installed.dependencies), ['@ovo-tokenize/protocol'], 'the client depends on the protocol alone');
}, { timeout: 110_000 });

/** npx runs the bin as a child process of its own: signal both, as a terminal's Ctrl-C does. */
function signalServer(signal: NodeJS.Signals): void {
  if (server?.pid !== undefined) process.kill(-server.pid, signal);
}

after(async () => {
  try {
    signalServer('SIGKILL');
  } catch {
    // the group has already gone
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npx ovo-tokenize serve, from the installed gateway, starts on a fresh SQLite file, answers /health and serves its assets', { timeout: 30_000 }, async () => {
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  server = spawn(npx, ['ovo-tokenize', 'serve', '--port', String(port), '--db', 'sqlite:./fresh.sqlite'], {
    cwd: ops, env: strangerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  server.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  server.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  serverExit = new Promise((resolve) => server!.once('exit', (code) => resolve(code)));
  let health: Response | undefined;
  for (let i = 0; i < 200 && server.exitCode === null; i++) {
    health = await fetch(`${gatewayUrl}/health`).catch(() => undefined);
    if (health?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(health?.status, 200, `no /health 200 from the installed gateway:\n${output}`);
  assert.equal(await health.text(), '{"status":"ok"}');
  assert.match(output, /demo merchant provisioned/, 'a fresh database in sandbox mode gets the demo merchant');
  const css = await fetch(`${gatewayUrl}/assets/app.css`);
  assert.equal(css.status, 200, 'the page assets ship in dist/');
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);

  // The merchant CLI of the same install, on the same file while it serves: payments up to Rp 100.000 need no PIN.
  succeeded(await run(npx, ['ovo-tokenize', 'merchant', 'update', DEMO_MERCHANT.merchantId, '--pinless-limit', '100000', '--db', 'sqlite:./fresh.sqlite'], ops), 'merchant update');
});

test('the README quick start, verbatim in a plain .mjs file, runs: it links, and once linked it pays', { timeout: 30_000 }, async () => {
  assert.ok(gatewayUrl, 'the gateway is serving');
  const source = quickStart();
  assert.ok(source.includes(QUICK_START_URL));
  // The only change: the address of this test's gateway instead of the default port.
  writeFileSync(join(shop, 'quick-start.mjs'), source.replace(QUICK_START_URL, gatewayUrl));

  const first = succeeded(await run(process.execPath, ['quick-start.mjs'], shop), 'node quick-start.mjs');
  const redirectUrl = /^send the browser to (\S+)$/m.exec(first)?.[1];
  assert.ok(redirectUrl, `the quick start prints where to send the browser:\n${first}`);
  assert.match(first, /^link again at \S+\/activation\/\S+$/m, 'before the customer has linked, the payment asks to link again (02)');

  // The customer's browser on the page it was sent to: the OTP from the sandbox inbox, then the sandbox PIN.
  const linked = await completeLink(gatewayUrl, redirectUrl, QUICK_START_PHONE);
  assert.match(linked.html, /Account linked/);

  const second = succeeded(await run(process.execPath, ['quick-start.mjs'], shop), 'node quick-start.mjs, linked');
  assert.match(second, /^[0-9]{16} SUCCESS authorise at /m, `once linked, the quick start's payment goes through (pinless):\n${second}`);
});

test('a CommonJS file require()s the client and pays, and asks for the payment status', { timeout: 30_000 }, async () => {
  assert.ok(gatewayUrl, 'the gateway is serving');
  writeFileSync(join(shop, 'pay.cjs'), `
const { OvoTokenizeClient, OvoTokenizeError } = require('@ovo-tokenize/client');
const ovo = new OvoTokenizeClient({ baseUrl: process.argv[2], merchantId: '99999', merchantName: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd' });
(async () => {
  const customer = { phone: '${QUICK_START_PHONE}', customerName: 'Andrea Hinata' };
  const paid = await ovo.pay({ ...customer, billNo: 'CJS-1', description: 'Roti bakar', amount: 18000n, payType: 'cash', email: 'andrea@example.com' });
  if (paid.outcome !== 'ok') throw new Error('pay answered ' + paid.outcome);
  const status = await ovo.paymentStatus({ trxId: paid.trxId, billNo: paid.billNo });
  const balance = await ovo.balance(customer);
  console.log(paid.status, status.outcome === 'ok' ? status.paymentStatusCode : status.outcome, balance.outcome === 'ok' ? String(balance.cash) : balance.outcome, OvoTokenizeError.name);
})().catch((error) => { console.error(error); process.exit(1); });
`);
  const out = succeeded(await run(process.execPath, ['pay.cjs', gatewayUrl], shop), 'node pay.cjs');
  // A sandbox wallet starts with Rp 1.000.000; the quick start took Rp 25.000 (points first, of which it has plenty).
  assert.equal(out.trim(), 'SUCCESS 2 982000 OvoTokenizeError');
});

test('a strict TypeScript project type-checks against the shipped declarations (node16 and bundler resolution), and a misuse does not', { timeout: 60_000 }, async () => {
  writeFileSync(join(shop, 'quick-start.ts'), quickStart());
  writeFileSync(join(shop, 'checkout.ts'), `
import { OvoTokenizeClient, OvoInvalidRequestError, verifyNotification, type PayResult, type PaymentNotification } from '@ovo-tokenize/client';
import { OVO_PAYMENT_CHANNEL } from '@ovo-tokenize/protocol';
declare const ovo: OvoTokenizeClient;
export async function checkout(phone: string): Promise<string> {
  const result: PayResult = await ovo.pay({ billNo: 'A-1', description: 'Teh', amount: 10_000n, phone, customerName: 'A', email: 'a@b.co', payType: 'cash' });
  if (result.outcome === 'ok') return \`\${result.trxId} \${result.amount + 1n}\`;
  return result.outcome === 'relinkRequired' ? result.relinkUrl : result.code;
}
export const channel: string = OVO_PAYMENT_CHANNEL;
export const isInvalid = (e: unknown): boolean => e instanceof OvoInvalidRequestError;
export const read = (rawBody: Buffer, contentType: string): PaymentNotification =>
  verifyNotification({ rawBody, contentType, headers: {}, userId: 'u', password: 'p' });
`);
  writeFileSync(join(shop, 'misuse.ts'), `
import { OvoTokenizeClient } from '@ovo-tokenize/client';
declare const ovo: OvoTokenizeClient;
const balance = await ovo.balance({ phone: '081234567890' });
export const cash: bigint = balance.cash;
`);
  // The declarations themselves are checked too (skipLibCheck off), as strict as a merchant may set it.
  const base = { strict: true, target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'], noUncheckedIndexedAccess: true };
  const project = (name: string, options: Record<string, unknown>, files: string[]) => {
    writeFileSync(join(shop, name), JSON.stringify({ compilerOptions: { ...base, ...options }, files }));
    return run(process.execPath, [tsc, '-p', name], shop);
  };
  const node16 = { module: 'node16', moduleResolution: 'node16' };
  const bundler = { module: 'esnext', moduleResolution: 'bundler', exactOptionalPropertyTypes: true };
  const [a, b, misuse] = await Promise.all([
    project('tsconfig.node16.json', node16, ['quick-start.ts', 'checkout.ts']),
    project('tsconfig.bundler.json', bundler, ['quick-start.ts', 'checkout.ts']),
    project('tsconfig.misuse.json', node16, ['misuse.ts']),
  ]);
  succeeded(a, 'tsc (node16)');
  succeeded(b, 'tsc (bundler)');
  assert.notEqual(misuse.code, 0, 'reading cash without narrowing on outcome must not compile');
  assert.match(misuse.stdout, /misuse\.ts\(5,37\): error TS2339: Property 'cash' does not exist on type 'BalanceResult'/);
  assert.doesNotMatch(misuse.stdout, /node_modules/, 'the only error is in the merchant\'s file, none in the packages');
});

test('npx ovo-tokenize demo, from the installed gateway without the example shop, says in one line what it needs', { timeout: 30_000 }, async () => {
  const ran = await run(npx, ['ovo-tokenize', 'demo'], ops);
  assert.equal(ran.code, 1);
  const lines = `${ran.stdout}${ran.stderr}`.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line:\n${ran.stdout}${ran.stderr}`);
  assert.match(lines[0]!, /needs @ovo-tokenize\/client, which is not installed: .*npm install && npx ovo-tokenize demo/);
});

test('the installed gateway stops on SIGTERM', { timeout: 15_000 }, async () => {
  assert.ok(server, 'the gateway is serving');
  signalServer('SIGTERM');
  await serverExit;
  // npx itself dies of the signal, so its exit status says nothing about the gateway's (cli.test.ts checks
  // that one on the bin): what matters is that nothing answers any more.
  for (let i = 0; i < 50 && await fetch(`${gatewayUrl}/health`).then(() => true, () => false); i++) await new Promise((r) => setTimeout(r, 100));
  await assert.rejects(fetch(`${gatewayUrl}/health`), 'the gateway is gone');
});
