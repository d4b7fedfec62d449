import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// One `challenges` table for the code-and-PIN step that link_sessions, payments and wallet_sessions each
// kept in their own copy of the same columns (browser key, CSRF token, the code and its counters, the step).
// Open sessions are carried over as they are: a code sent before the upgrade still works after it, because
// its hash is keyed by what it was keyed by before (the services derive the same key from the subject).
// The three tables are rebuilt rather than altered: SQLite cannot drop a column that is UNIQUE
// (payments.page_token) or named in a table CHECK (wallet_sessions.change_state). Also renamed:
// payments.cash_hold_id/points_hold_id → cash_transfer_id/points_transfer_id (a pinless payment's are
// posted transfers, not holds).
export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  // PostgreSQL runs each migration in a transaction; SQLite does not, so one is opened here: a run cut
  // short leaves the old schema, never half of each.
  if (db.isTransaction) await migrate(db as Transaction<any>, kind);
  else await db.transaction().execute((tx) => migrate(tx, kind));
}

type Int = 'bigint' | 'integer';

async function migrate(tx: Transaction<any>, kind: DatabaseKind): Promise<void> {
  const int: Int = kind === 'postgres' ? 'bigint' : 'integer';
  await createChallenges(tx, int);
  await carryOverChallenges(tx);
  await rebuildLinkSessions(tx, int);
  await rebuildPayments(tx, int);
  await rebuildWalletSessions(tx, int);
}

async function createChallenges(tx: Transaction<any>, int: Int): Promise<void> {
  await tx.schema
    .createTable('challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('browser_key_hash', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('otp_hash', 'text')
    .addColumn('otp_expires_at', int)
    .addColumn('otp_attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sends', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sent_at', int)
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .addCheckConstraint('challenges_purpose', sql`purpose in ('link', 'payment', 'wallet_sign_in', 'wallet_phone_change')`)
    .addCheckConstraint('challenges_step', sql`step in ('otp', 'pin', 'done')`)
    .execute();
  // A payment's page is found from the payment (replays answer with its address), and a subject's
  // challenges are deleted with it.
  await tx.schema.createIndex('challenges_subject').on('challenges').column('subject').execute();
}

const OTP_COLUMNS = sql`otp_hash, otp_expires_at, otp_attempts, otp_sends, otp_sent_at`;

async function carryOverChallenges(tx: Transaction<any>): Promise<void> {
  await sql`insert into challenges (id, purpose, subject, step, browser_key_hash, csrf_token, ${OTP_COLUMNS}, expires_at, created_at)
    select id, 'link', id, case when state in ('otp', 'pin') then state else 'done' end, browser_key_hash, csrf_token,
      ${OTP_COLUMNS}, expires_at, created_at
    from link_sessions`.execute(tx);
  await sql`insert into challenges (id, purpose, subject, step, browser_key_hash, csrf_token, ${OTP_COLUMNS}, expires_at, created_at)
    select page_token, 'payment', trx_id, case when status = 'PENDING' then auth_step else 'done' end, browser_key_hash, csrf_token,
      ${OTP_COLUMNS}, expires_at, created_at
    from payments`.execute(tx);
  // A wallet session's one row served its sign-in and then any phone-number change: so does its challenge.
  await sql`insert into challenges (id, purpose, subject, step, browser_key_hash, csrf_token, ${OTP_COLUMNS}, expires_at, created_at)
    select id,
      case when state = 'active' and change_state is not null then 'wallet_phone_change' else 'wallet_sign_in' end,
      id,
      case when state in ('otp', 'pin') then state when state = 'active' and change_state is not null then change_state else 'done' end,
      null, csrf_token, ${OTP_COLUMNS}, expires_at, created_at
    from wallet_sessions`.execute(tx);
}

async function rebuildLinkSessions(tx: Transaction<any>, int: Int): Promise<void> {
  await tx.schema
    .createTable('link_sessions_009')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('cust_name', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.references('wallets.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('result_code', 'text')
    .addColumn('result_desc', 'text')
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('finished_at', int)
    .addCheckConstraint('link_sessions_state', sql`state in ('open', 'linked', 'failed')`)
    .execute();
  await sql`insert into link_sessions_009 (id, merchant_id, phone, cust_name, wallet_id, state, result_code, result_desc, expires_at, created_at, finished_at)
    select id, merchant_id, phone, cust_name, wallet_id, case when state in ('otp', 'pin') then 'open' else state end,
      result_code, result_desc, expires_at, created_at, finished_at
    from link_sessions`.execute(tx);
  await replace(tx, 'link_sessions');
  await tx.schema.createIndex('link_sessions_state_expiry').on('link_sessions').columns(['state', 'expires_at']).execute();
}

async function rebuildPayments(tx: Transaction<any>, int: Int): Promise<void> {
  await tx.schema
    .createTable('payments_009')
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
    .addColumn('cash_transfer_id', int, (c) => c.references('transfers.id'))
    .addColumn('points_transfer_id', int, (c) => c.references('transfers.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_reff', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('finished_at', int)
    .addCheckConstraint('payments_split', sql`cash_amount >= 0 and points_amount >= 0 and cash_amount + points_amount = amount`)
    .execute();
  await sql`insert into payments_009 (trx_id, merchant_id, bill_no, fingerprint, wallet_id, phone, cust_name, email, bill_desc, amount,
      pay_type, cash_amount, points_amount, cash_transfer_id, points_transfer_id, status, payment_reff, failure_reason, cancel_reason,
      created_at, expires_at, finished_at)
    select trx_id, merchant_id, bill_no, fingerprint, wallet_id, phone, cust_name, email, bill_desc, amount,
      pay_type, cash_amount, points_amount, cash_hold_id, points_hold_id, status, payment_reff, failure_reason, cancel_reason,
      created_at, expires_at, finished_at
    from payments`.execute(tx);
  await replace(tx, 'payments');
  await tx.schema.createIndex('payments_bill').on('payments').columns(['merchant_id', 'bill_no']).unique().execute();
  await tx.schema.createIndex('payments_history').on('payments').columns(['merchant_id', 'wallet_id', 'created_at', 'trx_id']).execute();
  await tx.schema.createIndex('payments_pending').on('payments').columns(['status', 'expires_at']).execute();
}

async function rebuildWalletSessions(tx: Transaction<any>, int: Int): Promise<void> {
  await tx.schema
    .createTable('wallet_sessions_009')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.references('wallets.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('new_phone', 'text')
    .addColumn('flash', 'text')
    .addColumn('flash_kind', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('idle_expires_at', int, (c) => c.notNull())
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('ended_at', int)
    .addCheckConstraint('wallet_sessions_state', sql`state in ('signing_in', 'active', 'ended')`)
    .execute();
  await sql`insert into wallet_sessions_009 (id, phone, wallet_id, state, new_phone, flash, flash_kind, end_reason, created_at,
      idle_expires_at, expires_at, ended_at)
    select id, phone, wallet_id, case when state in ('otp', 'pin') then 'signing_in' else state end,
      case when state = 'active' and change_state is not null then new_phone else null end,
      flash, flash_kind, end_reason, created_at, idle_expires_at, expires_at, ended_at
    from wallet_sessions`.execute(tx);
  await replace(tx, 'wallet_sessions');
  await tx.schema.createIndex('wallet_sessions_phone').on('wallet_sessions').columns(['phone', 'created_at']).execute();
  await tx.schema.createIndex('wallet_sessions_wallet').on('wallet_sessions').columns(['wallet_id', 'state']).execute();
  await tx.schema.createIndex('wallet_sessions_expiry').on('wallet_sessions').column('expires_at').execute();
}

/** Drops `table` and renames its rebuilt copy (`<table>_009`) to it; the old indexes go with the old table. */
async function replace(tx: Transaction<any>, table: string): Promise<void> {
  await tx.schema.dropTable(table).execute();
  await tx.schema.alterTable(`${table}_009`).renameTo(table).execute();
}
