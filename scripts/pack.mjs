// `npm run pack`: a clean build, then one tarball per publishable workspace (every workspace that is not
// private: protocol, client, gateway) in .tmp/pack/, exactly what `npm publish` would upload. Prints the
// tarballs' paths, one a line.
//   --destination <dir>  write them there instead
//   --no-build           pack dist/ as it is (the packaging test: scripts/test.mjs has just built it, and a
//                        clean build would pull dist/ from under the tests running beside it)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { destination: { type: 'string' }, 'no-build': { type: 'boolean' } } });
const destination = resolve(values.destination ?? join(root, '.tmp', 'pack'));

if (!values['no-build']) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--clean'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const manifest = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const publishable = manifest('.').workspaces.filter((dir) => !manifest(dir).private);
mkdirSync(destination, { recursive: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = spawnSync(npm, ['pack', '--json', '--pack-destination', destination, ...publishable.flatMap((dir) => ['-w', dir])], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
});
if (packed.status !== 0) process.exit(packed.status ?? 1);
for (const { filename } of JSON.parse(packed.stdout)) console.log(join(destination, filename));
