// Runs the real `ovo-tokenize` command (the compiled bin) as a subprocess, as an operator would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);

export interface CliRun { code: number; stdout: string; stderr: string }

/** The command's exit code and output; OVO_DB is cleared so that only `--db` names the database. */
export async function runCommand(args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['packages/gateway/bin/ovo-tokenize.js', ...args], {
      cwd: ROOT, env: { ...process.env, OVO_DB: '' }, timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
