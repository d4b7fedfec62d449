// Proves that GET /ready answers 200 only while the database answers and holds every migration — 503 when a migration is missing, when the database is gone (SQLite closed under the gateway; PostgreSQL refusing connections) and from the start of shutdown — and 200 again once the database is back, while /health stays the liveness check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DATABASE_KINDS } from './support/databases.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

async function ready(gw: TestGateway): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${gw.url}/ready`);
  return { status: res.status, body: await res.json() as Record<string, string> };
}

/** A connection of the test's own to the server holding the gateway's database (PostgreSQL refuses to lock out the database one is connected to). */
async function connectBeside(gw: TestGateway): Promise<{ client: pg.Client; database: string }> {
  const url = new URL(gw.database.url);
  const database = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client(url.toString());
  await client.connect();
  return { client, database };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /ready follows the migrations`, async () => {
    const gw = await startTestGateway(kind);
    assert.deepEqual(await ready(gw), { status: 200, body: { status: 'ready' } });
    const db = gw.database.db as unknown as import('kysely').Kysely<{ kysely_migration: { name: string; timestamp: string } }>;
    const newest = await db.selectFrom('kysely_migration').selectAll().orderBy('name', 'desc').executeTakeFirstOrThrow();
    await db.deleteFrom('kysely_migration').where('name', '=', newest.name).execute();
    assert.deepEqual(await ready(gw), { status: 503, body: { status: 'unavailable', problem: 'migrations missing' } });
    assert.equal((await fetch(`${gw.url}/health`)).status, 200, 'alive all the same');
    await db.insertInto('kysely_migration').values(newest).execute();
    assert.equal((await ready(gw)).status, 200);
  });
}

test('postgres: /ready is 503 while the database refuses connections, and 200 once it takes them again', async () => {
  const gw = await startTestGateway('postgres');
  assert.equal((await ready(gw)).status, 200);
  const { client: admin, database } = await connectBeside(gw);
  try {
    await admin.query(`alter database "${database}" allow_connections false`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
    assert.deepEqual(await ready(gw), { status: 503, body: { status: 'unavailable', problem: 'database unavailable' } });
    await admin.query(`alter database "${database}" allow_connections true`);
    // A connection killed a moment ago may still be handed out once before the pool has dropped it.
    const deadline = Date.now() + 5_000;
    while ((await ready(gw)).status !== 200) assert.ok(Date.now() < deadline, 'the pool opens new connections');
  } finally {
    await admin.query(`alter database "${database}" allow_connections true`);
    await admin.end();
  }
});

test('sqlite: /ready is 503 once the database is closed under the gateway', async () => {
  const gw = await startTestGateway('sqlite');
  assert.equal((await ready(gw)).status, 200);
  await gw.database.db.destroy();
  assert.deepEqual(await ready(gw), { status: 503, body: { status: 'unavailable', problem: 'database unavailable' } });
});

test('/ready is 503 from the moment shutdown begins, while requests are still served', async () => {
  const gw = await startTestGateway('sqlite', { config: { shutdown_drain_ms: 1_500 } });
  assert.equal((await ready(gw)).status, 200);
  const closing = gw.close();
  assert.deepEqual(await ready(gw), { status: 503, body: { status: 'unavailable', problem: 'shutting down' } });
  assert.equal((await fetch(`${gw.url}/health`)).status, 200, 'still serving during the drain');
  await closing;
  await assert.rejects(fetch(`${gw.url}/ready`), 'closed after the drain');
});
