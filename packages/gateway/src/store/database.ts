import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Schema } from './schema.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Schema>;
  /** A human-readable location with any password removed, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ovo.sqlite';

/** `sqlite:<path>`, `sqlite::memory:`, a bare path, or `postgres://…` / `postgresql://…`. */
export function parseDatabaseUrl(url: string): { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : url;
  if (path === '') throw new Error(`database URL "${url}" names no file`);
  return { kind: 'sqlite', path };
}

export function openDatabase(url: string, options: { poolSize?: number } = {}): Database {
  const parsed = parseDatabaseUrl(url);
  if (parsed.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: parsed.url, max: options.poolSize ?? 10 });
    // A broken connection must not crash the process: an idle one is reported to the pool, one in use to its
    // client — with no listener there the 'error' event is uncaught, although the query itself already fails
    // (and is answered). The next query gets a fresh connection.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, location: redactPassword(parsed.url), close: () => db.destroy() };
  }
  if (parsed.path !== ':memory:') mkdirSync(dirname(resolve(parsed.path)), { recursive: true });
  const sqlite = new SQLite(parsed.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // The CLI may write while the server runs: wait for the other writer instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.defaultSafeIntegers(true);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kind: 'sqlite', db, location: parsed.path, close: () => db.destroy() };
}

// PostgreSQL's int8 arrives as a string by default; money and timestamps are int8, so read them as bigint.
pg.types.setTypeParser(20, (value: string) => BigInt(value));

function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
