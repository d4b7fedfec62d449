import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';
import { dialectOf } from './dialect.ts';
import type { Schema } from './schema.ts';

export type Tx = Transaction<Schema> | Kysely<Schema>;

/**
 * Runs `work` in one database transaction. On PostgreSQL a serialization failure or deadlock is retried
 * with a short randomised pause, so `work` must only touch the database (no side effects outside it).
 * On SQLite the single connection already serialises transactions. (The difference lives in dialect.ts.)
 */
export function inTransaction<T>(database: Database, work: (tx: Transaction<Schema>) => Promise<T>): Promise<T> {
  return dialectOf(database).transaction(database.db, work);
}

/** `SELECT … FOR UPDATE` where the database has it; SQLite's single writer makes it unnecessary there. */
export function lockRows<Q extends { forUpdate(): Q }>(database: Database, query: Q): Q {
  return dialectOf(database).lockRows(query);
}
