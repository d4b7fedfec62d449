import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';
import type { Schema } from './schema.ts';

export type Tx = Transaction<Schema> | Kysely<Schema>;

const RETRYABLE_PG_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock detected
const MAX_ATTEMPTS = 8;

/**
 * Runs `work` in one database transaction. On PostgreSQL a serialization failure or deadlock is retried
 * with a short randomised pause, so `work` must only touch the database (no side effects outside it).
 * On SQLite the single connection already serialises transactions.
 */
export async function inTransaction<T>(database: Database, work: (tx: Transaction<Schema>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (database.kind !== 'postgres' || typeof code !== 'string' || !RETRYABLE_PG_CODES.has(code) || attempt >= MAX_ATTEMPTS) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** `SELECT … FOR UPDATE` where the database has it; SQLite's single writer makes it unnecessary there. */
export function lockRows<Q extends { forUpdate(): Q }>(database: Database, query: Q): Q {
  return database.kind === 'postgres' ? query.forUpdate() : query;
}
