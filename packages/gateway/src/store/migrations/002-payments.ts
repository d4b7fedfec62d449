import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  const int = kind === 'postgres' ? 'bigint' : 'integer';

  // Points paid to a merchant are kept apart from cash: the ledger never mixes the two currencies.
  await db.schema.alterTable('merchants').addColumn('points_settlement_account_id', int, (c) => c.references('accounts.id')).execute();
  const merchants = await db.selectFrom('merchants').select('merchant_id').execute();
  for (const { merchant_id } of merchants) {
    const account = await db.insertInto('accounts').values({
      kind: 'merchant_points_settlement', debits_pending: 0, debits_posted: 0, credits_pending: 0, credits_posted: 0,
      overdraft_allowed: 0, created_at: Date.now(),
    }).returning('id').executeTakeFirstOrThrow();
    await db.updateTable('merchants').set({ points_settlement_account_id: account.id }).where('merchant_id', '=', merchant_id).execute();
  }

  await db.schema
    .createTable('payments')
    .addColumn('trx_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('bill_no', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.notNull().references('wallets.id'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('cust_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('bill_desc', 'text', (c) => c.notNull())
    .addColumn('amount', int, (c) => c.notNull())
    .addColumn('pay_type', 'text', (c) => c.notNull())
    .addColumn('cash_amount', int, (c) => c.notNull())
    .addColumn('points_amount', int, (c) => c.notNull())
    .addColumn('cash_hold_id', int, (c) => c.references('transfers.id'))
    .addColumn('points_hold_id', int, (c) => c.references('transfers.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_reff', 'text', (c) => c.notNull())
    .addColumn('page_token', 'text', (c) => c.notNull().unique())
    .addColumn('needs_otp', int, (c) => c.notNull())
    .addColumn('auth_step', 'text', (c) => c.notNull())
    .addColumn('browser_key_hash', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('otp_hash', 'text')
    .addColumn('otp_expires_at', int)
    .addColumn('otp_attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sends', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sent_at', int)
    .addColumn('failure_reason', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('finished_at', int)
    .addCheckConstraint('payments_split', sql`cash_amount >= 0 and points_amount >= 0 and cash_amount + points_amount = amount`)
    .execute();
  await db.schema.createIndex('payments_bill').on('payments').columns(['merchant_id', 'bill_no']).unique().execute();
  // History reads one merchant's payments with one customer, newest first, by date range.
  await db.schema.createIndex('payments_history').on('payments').columns(['merchant_id', 'wallet_id', 'created_at', 'trx_id']).execute();
  await db.schema.createIndex('payments_pending').on('payments').columns(['status', 'expires_at']).execute();
}
