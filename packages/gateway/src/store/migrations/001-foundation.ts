import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  const id = kind === 'postgres' ? 'bigserial' : 'integer';
  const int = kind === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('accounts')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('debits_pending', int, (c) => c.notNull().defaultTo(0))
    .addColumn('debits_posted', int, (c) => c.notNull().defaultTo(0))
    .addColumn('credits_pending', int, (c) => c.notNull().defaultTo(0))
    .addColumn('credits_posted', int, (c) => c.notNull().defaultTo(0))
    .addColumn('overdraft_allowed', int, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', int, (c) => c.notNull())
    // The last line of defence for "a balance never goes below zero": the database itself refuses it.
    .addCheckConstraint(
      'accounts_no_overdraft',
      sql`overdraft_allowed = 1 or debits_posted + debits_pending <= credits_posted`,
    )
    .addCheckConstraint('accounts_non_negative', sql`debits_pending >= 0 and debits_posted >= 0 and credits_pending >= 0 and credits_posted >= 0`)
    .execute();
  // One system (funding) account per kind, so concurrent get-or-create calls cannot make a second one.
  await db.schema.createIndex('accounts_system_kind_once').on('accounts').column('kind').unique()
    .where(sql.ref('overdraft_allowed'), '=', 1).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('debit_account_id', int, (c) => c.notNull().references('accounts.id'))
    .addColumn('credit_account_id', int, (c) => c.notNull().references('accounts.id'))
    .addColumn('amount', int, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pending_id', int, (c) => c.references('transfers.id'))
    .addColumn('reference', 'text')
    .addColumn('created_at', int, (c) => c.notNull())
    .addCheckConstraint('transfers_positive', sql`amount > 0`)
    .addCheckConstraint('transfers_two_accounts', sql`debit_account_id <> credit_account_id`)
    // Only resolutions of a hold point at a hold.
    .addCheckConstraint('transfers_kind', sql`(kind in ('posted', 'pending') and pending_id is null)
      or (kind in ('post_pending', 'void_pending') and pending_id is not null)`)
    .execute();
  // A hold is resolved (posted or voided) at most once.
  await db.schema.createIndex('transfers_pending_once').on('transfers').column('pending_id').unique()
    .where(sql.ref('pending_id'), 'is not', null).execute();
  await db.schema.createIndex('transfers_debit').on('transfers').columns(['debit_account_id', 'id']).execute();
  await db.schema.createIndex('transfers_credit').on('transfers').columns(['credit_account_id', 'id']).execute();
  await db.schema.createIndex('transfers_reference').on('transfers').column('reference').execute();

  await db.schema
    .createTable('merchants')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('callback_url', 'text')
    .addColumn('return_url', 'text')
    .addColumn('notify_url', 'text')
    .addColumn('notify_format', 'text', (c) => c.notNull().defaultTo('json'))
    .addColumn('allow_ips', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('hmac_secret', 'text')
    .addColumn('pinless_limit', int, (c) => c.notNull().defaultTo(0))
    .addColumn('payment_otp', int, (c) => c.notNull().defaultTo(0))
    .addColumn('max_amount', int)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('settlement_account_id', int, (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', int, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('wallets')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('phone', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('pin_hash', 'text', (c) => c.notNull())
    .addColumn('pin_failures', int, (c) => c.notNull().defaultTo(0))
    .addColumn('pin_locked_until', int)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('cash_account_id', int, (c) => c.notNull().references('accounts.id'))
    .addColumn('points_account_id', int, (c) => c.notNull().references('accounts.id'))
    .addColumn('phone_version', int, (c) => c.notNull().defaultTo(1))
    .addColumn('sandbox', int, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', int, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('links')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('wallet_id', int, (c) => c.notNull().references('wallets.id'))
    .addColumn('phone_version', int, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('ended_at', int)
    .addColumn('ended_by', 'text')
    .execute();
  // At most one live link between a merchant and a wallet.
  await db.schema.createIndex('links_one_active').on('links').columns(['merchant_id', 'wallet_id']).unique()
    .where(sql.ref('status'), '=', 'active').execute();
  await db.schema.createIndex('links_wallet').on('links').column('wallet_id').execute();

  await db.schema
    .createTable('link_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('cust_name', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.references('wallets.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('browser_key_hash', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('otp_hash', 'text')
    .addColumn('otp_expires_at', int)
    .addColumn('otp_attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sends', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sent_at', int)
    .addColumn('result_code', 'text')
    .addColumn('result_desc', 'text')
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('finished_at', int)
    .execute();

  await db.schema
    .createTable('sms_messages')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_messages_phone').on('sms_messages').columns(['phone', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('notification_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('body', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', int, (c) => c.notNull())
    .addColumn('give_up_at', int, (c) => c.notNull())
    .addColumn('leased_until', int)
    .addColumn('last_error', 'text')
    .addColumn('last_http_status', int)
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('delivered_at', int)
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}
