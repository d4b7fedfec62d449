// Gives each test a fresh, migrated database of each kind: a temporary SQLite file, and a new database
// on the PostgreSQL server named by OVO_TEST_PG_URL (started by scripts/test.mjs), or on a throwaway
// embedded server when a test file is run on its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseKind } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
// @ts-expect-error plain JavaScript helper shared with the test runner script
import { startEmbeddedPostgres } from '../../../../scripts/embedded-postgres.mjs';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase extends Database {
  readonly url: string;
}

let adminUrl: Promise<string> | undefined;
let embedded: { stop(): Promise<void> } | undefined;
after(async () => {
  await embedded?.stop();
});

function postgresAdminUrl(): Promise<string> {
  adminUrl ??= (async () => {
    if (process.env.OVO_TEST_PG_URL) return process.env.OVO_TEST_PG_URL;
    const server = await startEmbeddedPostgres({ durable: false });
    embedded = server;
    return server.url as string;
  })();
  return adminUrl;
}

/** A URL for a new empty database of this kind (not yet migrated), and a function that removes it. */
export async function createTestDatabaseUrl(kind: DatabaseKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ovo-sqlite-'));
    return { url: `sqlite:${join(dir, 'ovo.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = await postgresAdminUrl();
  const name = `ovo_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const { url, drop } = await createTestDatabaseUrl(kind);
  const database = openDatabase(url, { poolSize: 20 });
  await migrateToLatest(database);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await drop();
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
