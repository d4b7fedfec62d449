// The start-up row: how long `ovo-tokenize serve` takes from spawn to its first `GET /health` 200, the way
// an operator (or a process supervisor restarting it) starts it: the real bin, a plain `node` process with
// none of this process's flags, on a fresh SQLite file (so the time includes creating and migrating it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/gateway/bin/ovo-tokenize.js', import.meta.url));
const POLL_MS = 5;
const START_TIMEOUT_MS = 30_000;

export interface StartupReport {
  command: string;
  runs: number;
  /** Milliseconds from spawn to the first 200 of GET /health, one per run. */
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One cold start: spawn, poll /health until 200, then SIGTERM and wait for the exit. */
async function startOnce(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ovo-bench-startup-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  // The operator's environment: none of the gateway's settings, and no loader or condition from this process.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OVO_') && k !== 'NODE_OPTIONS') env[k] = v;
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--db', `sqlite:${join(dir, 'ovo.sqlite')}`], {
    env: { ...env, OVO_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => { alive = false; });
  try {
    for (;;) {
      if (!alive) throw new Error(`ovo-tokenize serve exited before answering /health: ${stderr.trim()}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`no /health 200 within ${START_TIMEOUT_MS} ms`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStartup(runs: number): Promise<StartupReport> {
  await startOnce(); // warms the file system cache, as any start after the first on a machine finds it
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await startOnce());
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    command: 'node packages/gateway/bin/ovo-tokenize.js serve (fresh SQLite file) → GET /health 200',
    runs, samplesMs, medianMs, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!,
  };
}

export function printStartupReport(report: StartupReport): void {
  console.log('\nStart-up\n========');
  console.log(`${report.command}: median ${report.medianMs.toFixed(0)} ms over ${report.runs} runs `
    + `(min ${report.minMs.toFixed(0)}, max ${report.maxMs.toFixed(0)}; ${report.samplesMs.map((s) => s.toFixed(0)).join(', ')})`);
}
