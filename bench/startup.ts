// The start-up row: how long `ovo-tokenize serve` takes from spawn to its first `GET /health` 200, the way
// an operator (or a process supervisor restarting it) starts it: the real bin, a plain `node` process with
// none of this process's flags, on a fresh SQLite file (so the time includes creating and migrating it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from './gateway-process.ts';

export interface StartupReport {
  command: string;
  runs: number;
  /** Milliseconds from spawn to the first 200 of GET /health, one per run. */
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** One cold start on a fresh SQLite file: spawn, poll /health until 200, then stop it. */
async function startOnce(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ovo-bench-startup-'));
  try {
    const gateway = await spawnServe({ OVO_DB: `sqlite:${join(dir, 'ovo.sqlite')}` });
    await gateway.stop();
    return gateway.startMs;
  } finally {
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
