import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// Sessions of the customer wallet app (/wallet). The row's id is the SHA-256 of the cookie token, so a
// leaked database does not hand out live sessions. One row carries a sign-in from the phone step to
// sign-out, and the one-time code of whichever step needs one (sign-in, or a phone-number change).
export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  const int = kind === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('wallet_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.references('wallets.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('otp_hash', 'text')
    .addColumn('otp_expires_at', int)
    .addColumn('otp_attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sends', int, (c) => c.notNull().defaultTo(0))
    .addColumn('otp_sent_at', int)
    .addColumn('new_phone', 'text')
    .addColumn('change_state', 'text')
    .addColumn('flash', 'text')
    .addColumn('flash_kind', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('idle_expires_at', int, (c) => c.notNull())
    .addColumn('expires_at', int, (c) => c.notNull())
    .addColumn('ended_at', int)
    .addCheckConstraint('wallet_sessions_state', sql`state in ('otp', 'pin', 'active', 'ended')`)
    .addCheckConstraint('wallet_sessions_change_state', sql`change_state is null or change_state in ('otp', 'pin')`)
    .execute();
  // Sign-ins started per phone in a recent window (the SMS rate limit), and a wallet's live sessions.
  await db.schema.createIndex('wallet_sessions_phone').on('wallet_sessions').columns(['phone', 'created_at']).execute();
  await db.schema.createIndex('wallet_sessions_wallet').on('wallet_sessions').columns(['wallet_id', 'state']).execute();
  await db.schema.createIndex('wallet_sessions_expiry').on('wallet_sessions').column('expires_at').execute();
}
