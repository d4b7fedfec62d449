// `npm run build` (run by `npm install`/`npm ci` through the root's `prepare`, and by scripts/test.mjs before
// every test run): compiles every package to dist/ (JavaScript, declarations, source maps) with `tsc -b` over
// tsconfig.build.json, which is incremental, then copies the gateway's page assets, which tsc does not.
// `--clean` first deletes every dist/, so that no output of a deleted source survives (npm run pack uses it).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv.includes('--clean')) {
  for (const group of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name);
      if (existsSync(join(dir, 'tsconfig.build.json'))) rmSync(join(dir, 'dist'), { recursive: true, force: true });
    }
  }
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  console.error('build: tsc -b tsconfig.build.json failed');
  process.exit(built.status ?? 1);
}

// pages/assets.ts reads them next to itself (./assets/), in src/ and in dist/ alike.
const assets = join(root, 'packages', 'gateway', 'src', 'pages', 'assets');
const target = join(root, 'packages', 'gateway', 'dist', 'pages', 'assets');
rmSync(target, { recursive: true, force: true });
cpSync(assets, target, { recursive: true });
