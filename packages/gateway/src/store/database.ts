import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import { withPreparedStatements } from './prepared-statements.ts';
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

export interface OpenOptions {
  poolSize?: number;
  /** Called with every statement's SQL text as it runs (tests count a use case's statements). */
  onQuery?: (sql: string) => void;
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const parsed = parseDatabaseUrl(url);
  if (parsed.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: parsed.url, max: options.poolSize ?? 10 });
    // A broken connection must not crash the process: an idle one is reported to the pool, one in use to its
    // client — with no listener there the 'error' event is uncaught, although the query itself already fails
    // (and is answered). The next query gets a fresh connection.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }), log: queryLog(options) });
    return { kind: 'postgres', db, location: redactPassword(parsed.url), close: () => db.destroy() };
  }
  if (parsed.path !== ':memory:') mkdirSync(dirname(resolve(parsed.path)), { recursive: true });
  const sqlite = new SQLite(parsed.path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit returns only once the WAL is on disk, so no acknowledged payment is lost to a power
  // failure or an OS crash (NORMAL only survives a crash of the process).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // The CLI may write while the server runs: wait for the other writer instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.defaultSafeIntegers(true);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: queryLog(options) });
  return { kind: 'sqlite', db, location: parsed.path, close: () => db.destroy() };
}

function queryLog({ onQuery }: OpenOptions): ((event: LogEvent) => void) | undefined {
  return onQuery && ((event) => onQuery(event.query.sql));
}

/** Statements kept per connection, by SQL text; beyond this the oldest is dropped. */
const CACHED_STATEMENTS_MAX = 500;

/**
 * Kysely's SQLite driver prepares every statement anew on every call (about a quarter of a payment's CPU);
 * a prepared better-sqlite3 statement can be run again with other parameters, so each SQL text is prepared
 * once. Safe because the driver runs a statement to completion before the next one (it never streams here).
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sqlText) {
      let statement = cache.get(sqlText);
      if (statement === undefined) {
        statement = sqlite.prepare(sqlText);
        if (cache.size >= CACHED_STATEMENTS_MAX) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
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
