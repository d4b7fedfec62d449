import type { Selectable, Updateable } from 'kysely';
import type { Challenge } from '../domain/challenge.ts';
import { deleteChallengesOf, endChallengesOf, findChallenge, insertChallenge, toChallenge } from './challenges.ts';
import type { WalletSessionTable } from './schema.ts';
import type { Tx } from './transaction.ts';

/** `signing_in`: its challenge runs (code, then PIN); `active`: signed in; `ended`: signed out, expired, or given up. */
export type WalletSessionState = 'signing_in' | 'active' | 'ended';
export type FlashKind = 'success' | 'info' | 'error';

export interface WalletSession {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  id: string;
  phone: string;
  walletId: bigint | null;
  state: WalletSessionState;
  /**
   * The session's one challenge (same id): its sign-in, then any phone-number change. Its CSRF token guards
   * every form of the session.
   */
  challenge: Challenge;
  /** The number a phone-number change in progress would move the wallet to. */
  newPhone: string | null;
  flash: { kind: FlashKind; text: string } | null;
  endReason: string | null;
  createdAt: number;
  idleExpiresAt: number;
  expiresAt: number;
}

/** A session signing in, with its challenge at the code step. */
export async function insertWalletSession(tx: Tx, s: {
  id: string; phone: string; walletId: bigint | null; csrfToken: string; now: number; expiresAt: number;
}): Promise<WalletSession> {
  await insertChallenge(tx, {
    id: s.id, purpose: 'wallet_sign_in', subject: s.id, step: 'otp', csrfToken: s.csrfToken, expiresAt: s.expiresAt, now: s.now,
  });
  const row = await tx.insertInto('wallet_sessions').values({
    id: s.id,
    phone: s.phone,
    wallet_id: s.walletId,
    state: 'signing_in',
    new_phone: null,
    flash: null,
    flash_kind: null,
    end_reason: null,
    created_at: BigInt(s.now),
    idle_expires_at: BigInt(s.expiresAt),
    expires_at: BigInt(s.expiresAt),
    ended_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toWalletSession(row, (await findChallenge(tx, s.id))!);
}

/** The session with its challenge (same id), in one query. */
export async function findWalletSession(tx: Tx, id: string): Promise<WalletSession | undefined> {
  const row = await tx.selectFrom('wallet_sessions').innerJoin('challenges', 'challenges.id', 'wallet_sessions.id')
    .selectAll('wallet_sessions')
    .select([
      'challenges.purpose', 'challenges.subject', 'challenges.step', 'challenges.browser_key_hash', 'challenges.csrf_token',
      'challenges.otp_hash', 'challenges.otp_expires_at', 'challenges.otp_attempts', 'challenges.otp_sends', 'challenges.otp_sent_at',
      // The two columns both tables have besides the id they are joined on.
      'challenges.expires_at as challenge_expires_at', 'challenges.created_at as challenge_created_at',
    ])
    .where('wallet_sessions.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const challenge = toChallenge({ ...row, expires_at: row.challenge_expires_at, created_at: row.challenge_created_at });
  return toWalletSession(row, challenge);
}

/**
 * Applies `changes` only while the session is still in state `expected` (and, when given, changing to
 * `newPhone`), so two racing requests cannot both move it. Returns whether it applied.
 */
export async function updateWalletSession(tx: Tx, id: string, expected: { state: WalletSessionState; newPhone?: string },
  changes: Updateable<WalletSessionTable>): Promise<boolean> {
  let query = tx.updateTable('wallet_sessions').set(changes).where('id', '=', id).where('state', '=', expected.state);
  if (expected.newPhone !== undefined) query = query.where('new_phone', '=', expected.newPhone);
  return (await query.executeTakeFirst()).numUpdatedRows === 1n;
}

/** Ends the session (and its challenge) unless it already ended; `reason` is shown once on the sign-in page. */
export async function endWalletSession(tx: Tx, id: string, reason: string, now: number): Promise<boolean> {
  const result = await tx.updateTable('wallet_sessions')
    .set({ state: 'ended', end_reason: reason, ended_at: BigInt(now), new_phone: null })
    .where('id', '=', id).where('state', '<>', 'ended').executeTakeFirst();
  const ended = result.numUpdatedRows === 1n;
  if (ended) await endChallengesOf(tx, id);
  return ended;
}

/** Signs the wallet out everywhere except `keepId` (after a phone-number change). Returns how many ended. */
export async function endOtherSessionsOfWallet(tx: Tx, walletId: bigint, keepId: string, reason: string, now: number): Promise<number> {
  const ended = await tx.updateTable('wallet_sessions')
    .set({ state: 'ended', end_reason: reason, ended_at: BigInt(now), new_phone: null })
    .where('wallet_id', '=', walletId).where('state', '<>', 'ended').where('id', '<>', keepId).returning('id').execute();
  for (const { id } of ended) await endChallengesOf(tx, id);
  return ended.length;
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

/** Deletes sessions whose absolute life ended before `before`, with their challenges. Returns how many. */
export async function deleteWalletSessionsExpiredBefore(tx: Tx, before: number): Promise<number> {
  const deleted = await tx.deleteFrom('wallet_sessions').where('expires_at', '<', BigInt(before)).returning('id').execute();
  await deleteChallengesOf(tx, deleted.map((row) => row.id));
  return deleted.length;
}

function toWalletSession(row: Selectable<WalletSessionTable>, challenge: Challenge): WalletSession {
  const flashKind = row.flash_kind === 'success' || row.flash_kind === 'error' ? row.flash_kind : 'info';
  return {
    id: row.id,
    phone: row.phone,
    walletId: row.wallet_id === null ? null : BigInt(row.wallet_id),
    state: row.state as WalletSessionState,
    challenge,
    newPhone: row.new_phone,
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
