// `ovo-tokenize serve` as a process of its own, the way an operator starts it: the real bin (the compiled
// dist/), a plain `node` with none of this process's flags, configured through OVO_* variables only.
// The start-up row times it; on PostgreSQL it is the second gateway and the one whose memory is read.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/gateway/bin/ovo-tokenize.js', import.meta.url));
const POLL_MS = 5;
const START_TIMEOUT_MS = 30_000;
const STDERR_KEPT_CHARS = 4_000;

export interface GatewayProcess {
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first 200 of GET /health. */
  startMs: number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns `serve` with these OVO_* settings (and a free OVO_PORT on 127.0.0.1), polls /health until 200. */
export async function spawnServe(settings: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  // The operator's environment: none of this process's gateway settings, loader or conditions.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OVO_') && k !== 'NODE_OPTIONS') env[k] = v;
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...env, OVO_LOG_LEVEL: 'warn', ...settings, OVO_HOST: '127.0.0.1', OVO_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-STDERR_KEPT_CHARS); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => { alive = false; });
  // process.exit (an interrupted run, a crash) must not leave a gateway behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (!alive) throw new Error(`ovo-tokenize serve exited before answering /health: ${stderr.trim()}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`no /health 200 within ${START_TIMEOUT_MS} ms`);
      const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
      if (ok) return { pid: child.pid!, url, startMs: performance.now() - started, stop };
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A process's resident memory from /proc/<pid>/status: now (VmRSS) and its peak so far (VmHWM), in MB. */
export function residentMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
