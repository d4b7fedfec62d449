// `npm test`: builds the packages (dist/, incremental), starts one throwaway PostgreSQL server for the whole
// run (unless OVO_TEST_PG_URL names one), then runs every *.test.ts file under packages/ and examples/ with
// node's test runner. Files are listed explicitly because Node 20's runner expands no globs. Pass file paths
// to run only those. The tests run the TypeScript sources (tsx, and the `@ovo-tokenize/source` export
// condition for the workspace packages); processes they start with `node` (the `ovo-tokenize` bin, a
// consumer project) run the compiled packages, which the build has just brought up to date.
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

// A type error fails the run, but only at the end: the tests (run through tsx, which strips types) still
// say what works, and tsc -b still writes the output.
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status === 0;

let postgres;
const env = { ...process.env };
if (!env.OVO_TEST_PG_URL) {
  postgres = await startEmbeddedPostgres({ durable: false });
  env.OVO_TEST_PG_URL = postgres.url;
}

const concurrency = env.OVO_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--conditions=@ovo-tokenize/source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
  cwd: root, env, stdio: 'inherit',
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await postgres?.stop();
if (!built) console.error('npm test: the build failed (tsc errors above), so this run fails whatever the tests said');
process.exit(code || (built ? 0 : 1));
