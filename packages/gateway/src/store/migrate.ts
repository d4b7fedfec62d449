import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.ts';
import * as foundation from './migrations/001-foundation.ts';
import * as payments from './migrations/002-payments.ts';
import * as walletApp from './migrations/003-wallet-app.ts';
import * as housekeeping from './migrations/004-housekeeping.ts';
import * as paymentDayCounts from './migrations/005-payment-day-counts.ts';
import * as pinAttemptTime from './migrations/006-pin-attempt-time.ts';
import * as merchantReturnAndScale from './migrations/007-merchant-return-and-scale.ts';
import * as outboxRequestId from './migrations/008-outbox-request-id.ts';
import * as challenges from './migrations/009-challenges.ts';
import * as settlementShards from './migrations/010-settlement-shards.ts';
import * as deliveryAttempts from './migrations/011-delivery-attempts.ts';
import * as sandboxScenarios from './migrations/012-sandbox-scenarios.ts';

// Listed in code, not read from a folder, so the migrations travel with the module graph.
const MIGRATIONS = [
  ['001-foundation', foundation],
  ['002-payments', payments],
  ['003-wallet-app', walletApp],
  ['004-housekeeping', housekeeping],
  ['005-payment-day-counts', paymentDayCounts],
  ['006-pin-attempt-time', pinAttemptTime],
  ['007-merchant-return-and-scale', merchantReturnAndScale],
  ['008-outbox-request-id', outboxRequestId],
  ['009-challenges', challenges],
  ['010-settlement-shards', settlementShards],
  ['011-delivery-attempts', deliveryAttempts],
  ['012-sandbox-scenarios', sandboxScenarios],
] as const;

/**
 * Brings the schema up to date. Kysely takes no migration lock on SQLite, so two processes starting on one
 * new file (`serve` and a CLI command) can race; the loser finds the work done when it tries again.
 */
export async function migrateToLatest(database: Database): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(database);
    } catch (error) {
      if (database.kind !== 'sqlite' || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** The schema as it was after migration `name` (an older release's), e.g. to upgrade from it in a test. */
export async function migrateTo(database: Database, name: MigrationName): Promise<void> {
  await migrateOnce(database, name);
}

export type MigrationName = (typeof MIGRATIONS)[number][0];

async function migrateOnce(database: Database, target?: MigrationName): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const all: Record<string, Migration> = {};
      for (const [name, module] of MIGRATIONS) all[name] = { up: (db) => module.up(db, database.kind) };
      return all;
    },
  };
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await (target ? migrator.migrateTo(target) : migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

/**
 * The migrations this code knows that the database has not applied (empty when its schema is current);
 * throws when the database cannot be asked. Migrations applied by newer code are not counted against it.
 */
export async function missingMigrations(database: Database): Promise<string[]> {
  const db = database.db as unknown as Kysely<Record<typeof DEFAULT_MIGRATION_TABLE, { name: string }>>;
  const applied = new Set((await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute()).map((row) => row.name));
  return MIGRATIONS.map(([name]) => name).filter((name) => !applied.has(name));
}
