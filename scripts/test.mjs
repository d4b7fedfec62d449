// `npm test`: starts one throwaway PostgreSQL server for the whole run (unless OVO_TEST_PG_URL names one),
// then runs every *.test.ts file under packages/ and examples/ with node's test runner. Files are listed
// explicitly because Node 20's runner expands no globs. Pass file paths to run only those.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : ['packages', 'examples']
  .flatMap((d) => { try { return findTests(join(root, d)); } catch { return []; } })
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// The client's declaration files are derived from the sources: write them fresh so the type-level tests
// check what the sources say now.
const declarations = spawnSync(process.execPath, ['--import', 'tsx', 'packages/client/scripts/build-types.ts'], { cwd: root, stdio: 'inherit' });
if (declarations.status !== 0) process.exit(declarations.status ?? 1);

let postgres;
const env = { ...process.env };
if (!env.OVO_TEST_PG_URL) {
  postgres = await startEmbeddedPostgres();
  env.OVO_TEST_PG_URL = postgres.url;
}

const concurrency = env.OVO_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
  cwd: root, env, stdio: 'inherit',
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await postgres?.stop();
process.exit(code);
