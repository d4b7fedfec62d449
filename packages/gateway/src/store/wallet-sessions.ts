import { expressionBuilder, type Expression, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { OtpRow } from './otp-counters.ts';
import type { Schema, WalletSessionTable } from './schema.ts';
import type { Tx } from './transaction.ts';

/** `otp`/`pin`: signing in; `active`: signed in; `ended`: signed out, expired, or given up. */
export type WalletSessionState = 'otp' | 'pin' | 'active' | 'ended';
/** The steps of a phone-number change inside a signed-in session. */
export type PhoneChangeState = 'otp' | 'pin';
export type FlashKind = 'success' | 'info' | 'error';

export interface WalletSession {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  id: string;
  phone: string;
  walletId: bigint | null;
  state: WalletSessionState;
  csrfToken: string;
  otpHash: string | null;
  otpExpiresAt: number | null;
  otpAttempts: number;
  otpSends: number;
  otpSentAt: number | null;
  newPhone: string | null;
  changeState: PhoneChangeState | null;
  flash: { kind: FlashKind; text: string } | null;
  endReason: string | null;
  createdAt: number;
  idleExpiresAt: number;
  expiresAt: number;
}

export async function insertWalletSession(tx: Tx, s: {
  id: string; phone: string; walletId: bigint | null; csrfToken: string; now: number; expiresAt: number;
}): Promise<WalletSession> {
  const row = await tx.insertInto('wallet_sessions').values({
    id: s.id,
    phone: s.phone,
    wallet_id: s.walletId,
    state: 'otp',
    csrf_token: s.csrfToken,
    otp_hash: null,
    otp_expires_at: null,
    otp_attempts: 0n,
    otp_sends: 0n,
    otp_sent_at: null,
    new_phone: null,
    change_state: null,
    flash: null,
    flash_kind: null,
    end_reason: null,
    created_at: BigInt(s.now),
    idle_expires_at: BigInt(s.expiresAt),
    expires_at: BigInt(s.expiresAt),
    ended_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toWalletSession(row);
}

export async function findWalletSession(tx: Tx, id: string): Promise<WalletSession | undefined> {
  const row = await tx.selectFrom('wallet_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toWalletSession(row);
}

/** Where a session must still be for a change to apply: its state, and when given the phone-change step and number. */
export interface WalletSessionStep {
  state: WalletSessionState;
  changeState?: PhoneChangeState | null;
  newPhone?: string;
}

/**
 * Applies `changes` only while the session is still at `expected`, so two racing requests cannot both move
 * it. Returns whether it applied.
 */
export async function updateWalletSession(tx: Tx, id: string, expected: WalletSessionStep,
  changes: Updateable<WalletSessionTable>): Promise<boolean> {
  const result = await tx.updateTable('wallet_sessions').set(changes).where(sessionAt(id, expected)).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The session's code while the session is at `expected` (its counters: store/otp-counters.ts). */
export function walletSessionOtpRow(id: string, expected: WalletSessionStep): OtpRow {
  return { table: 'wallet_sessions', where: sessionAt(id, expected) };
}

function sessionAt(id: string, expected: WalletSessionStep): Expression<SqlBool> {
  const eb = expressionBuilder<Schema, 'wallet_sessions'>();
  const conditions = [eb('id', '=', id), eb('state', '=', expected.state)];
  if (expected.newPhone !== undefined) conditions.push(eb('new_phone', '=', expected.newPhone));
  if (expected.changeState !== undefined) {
    conditions.push(expected.changeState === null ? eb('change_state', 'is', null) : eb('change_state', '=', expected.changeState));
  }
  return eb.and(conditions);
}

/** Ends the session unless it already ended; `reason` is shown once on the sign-in page. */
export async function endWalletSession(tx: Tx, id: string, reason: string, now: number): Promise<boolean> {
  const result = await tx.updateTable('wallet_sessions')
    .set({ state: 'ended', end_reason: reason, ended_at: BigInt(now), otp_hash: null, new_phone: null, change_state: null })
    .where('id', '=', id).where('state', '<>', 'ended').executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Signs the wallet out everywhere except `keepId` (after a phone-number change). Returns how many ended. */
export async function endOtherSessionsOfWallet(tx: Tx, walletId: bigint, keepId: string, reason: string, now: number): Promise<number> {
  const result = await tx.updateTable('wallet_sessions')
    .set({ state: 'ended', end_reason: reason, ended_at: BigInt(now), otp_hash: null, new_phone: null, change_state: null })
    .where('wallet_id', '=', walletId).where('state', '<>', 'ended').where('id', '<>', keepId).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Reads and clears the one-line message a POST left for the page it redirected to. */
export async function takeFlash(tx: Tx, session: WalletSession): Promise<WalletSession['flash']> {
  if (session.flash === null) return null;
  await tx.updateTable('wallet_sessions').set({ flash: null, flash_kind: null }).where('id', '=', session.id).execute();
  return session.flash;
}

/** How many sign-ins were started for this phone since `since` (whether or not the phone has a wallet). */
export async function countSignInsSince(tx: Tx, phone: string, since: number): Promise<number> {
  const row = await tx.selectFrom('wallet_sessions').select((eb) => eb.fn.countAll().as('n'))
    .where('phone', '=', phone).where('created_at', '>', BigInt(since)).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes sessions whose absolute life ended before `before`. Returns how many. */
export async function deleteWalletSessionsExpiredBefore(tx: Tx, before: number): Promise<number> {
  const result = await tx.deleteFrom('wallet_sessions').where('expires_at', '<', BigInt(before)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toWalletSession(row: Selectable<WalletSessionTable>): WalletSession {
  const flashKind = row.flash_kind === 'success' || row.flash_kind === 'error' ? row.flash_kind : 'info';
  return {
    id: row.id,
    phone: row.phone,
    walletId: row.wallet_id === null ? null : BigInt(row.wallet_id),
    state: row.state as WalletSessionState,
    csrfToken: row.csrf_token,
    otpHash: row.otp_hash,
    otpExpiresAt: row.otp_expires_at === null ? null : Number(row.otp_expires_at),
    otpAttempts: Number(row.otp_attempts),
    otpSends: Number(row.otp_sends),
    otpSentAt: row.otp_sent_at === null ? null : Number(row.otp_sent_at),
    newPhone: row.new_phone,
    changeState: row.change_state === 'otp' || row.change_state === 'pin' ? row.change_state : null,
    flash: row.flash === null ? null : { kind: flashKind, text: row.flash },
    endReason: row.end_reason,
    createdAt: Number(row.created_at),
    idleExpiresAt: Number(row.idle_expires_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Leaves a one-line message for the page the browser is redirected to (shown once). */
export async function setWalletSessionFlash(tx: Tx, id: string, kind: FlashKind, text: string): Promise<void> {
  await tx.updateTable('wallet_sessions').set({ flash: text, flash_kind: kind }).where('id', '=', id).execute();
}
