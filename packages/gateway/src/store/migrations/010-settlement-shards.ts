import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// A merchant's settlement is spread over several accounts of each currency (SETTLEMENT_SHARDS in
// domain/ledger-rules.ts), so its concurrent payments do not all lock one row. Its existing accounts stay
// what they are, shard 0, with their balances; the migration gives every merchant the other shards, empty.
// A merchant's balance is the sum over its shards, so no money moves.

/** SETTLEMENT_SHARDS when this migration was written; a later change of it does not rewrite history. */
const SHARDS = 8;

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  // PostgreSQL runs each migration in a transaction; SQLite does not, so one is opened here.
  if (db.isTransaction) await migrate(db as Transaction<any>, kind);
  else await db.transaction().execute((tx) => migrate(tx, kind));
}

async function migrate(tx: Transaction<any>, kind: DatabaseKind): Promise<void> {
  const int = kind === 'postgres' ? 'bigint' : 'integer';
  await tx.schema
    .createTable('settlement_shards')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('shard', int, (c) => c.notNull())
    .addColumn('cash_account_id', int, (c) => c.notNull().unique().references('accounts.id'))
    .addColumn('points_account_id', int, (c) => c.notNull().unique().references('accounts.id'))
    .addColumn('created_at', int, (c) => c.notNull())
    .addPrimaryKeyConstraint('settlement_shards_pk', ['merchant_id', 'shard'])
    .addCheckConstraint('settlement_shards_beyond_own', sql`shard >= 1`)
    .execute();

  const now = Date.now();
  const merchants = await tx.selectFrom('merchants').select('merchant_id').orderBy('merchant_id').execute();
  for (const { merchant_id } of merchants) {
    for (let shard = 1; shard < SHARDS; shard++) {
      await tx.insertInto('settlement_shards').values({
        merchant_id, shard, cash_account_id: await newAccount(tx, 'merchant_settlement', now),
        points_account_id: await newAccount(tx, 'merchant_points_settlement', now), created_at: now,
      }).execute();
    }
  }
}

async function newAccount(tx: Transaction<any>, kind: string, now: number): Promise<bigint> {
  const row = await tx.insertInto('accounts').values({
    kind, debits_pending: 0, debits_posted: 0, credits_pending: 0, credits_posted: 0, overdraft_allowed: 0, created_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id as bigint;
}
