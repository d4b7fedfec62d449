// The challenges table (domain/challenge.ts): one row per hosted code-and-PIN step, whatever it guards.
// Its code counters are store/otp-counters.ts; every change here is conditional on the step the caller
// saw, so two racing requests cannot both move a challenge.
import type { Selectable, Updateable } from 'kysely';
import type { Challenge, ChallengePurpose, ChallengeStep } from '../domain/challenge.ts';
import type { ChallengeTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export interface NewChallenge {
  id: string;
  purpose: ChallengePurpose;
  subject: string;
  step: ChallengeStep;
  csrfToken: string;
  expiresAt: number;
  now: number;
}

export async function insertChallenge(tx: Tx, c: NewChallenge): Promise<void> {
  await tx.insertInto('challenges').values({
    id: c.id,
    purpose: c.purpose,
    subject: c.subject,
    step: c.step,
    browser_key_hash: null,
    csrf_token: c.csrfToken,
    otp_hash: null,
    otp_expires_at: null,
    otp_attempts: 0n,
    otp_sends: 0n,
    otp_sent_at: null,
    expires_at: BigInt(c.expiresAt),
    created_at: BigInt(c.now),
  }).execute();
}

export async function findChallenge(tx: Tx, id: string): Promise<Challenge | undefined> {
  const row = await tx.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toChallenge(row);
}

/** The challenge guarding `subject` (a payment's page, found from the payment). */
export async function findChallengeOf(tx: Tx, subject: string, purpose: ChallengePurpose): Promise<Challenge | undefined> {
  const row = await tx.selectFrom('challenges').selectAll().where('subject', '=', subject).where('purpose', '=', purpose)
    .executeTakeFirst();
  return row && toChallenge(row);
}

/** Binds the challenge to the first browser that opens it, unless one already is or it is done. */
export async function bindChallengeBrowser(tx: Tx, id: string, browserKeyHash: string): Promise<boolean> {
  const bound = await tx.updateTable('challenges').set({ browser_key_hash: browserKeyHash })
    .where('id', '=', id).where('browser_key_hash', 'is', null).where('step', '<>', 'done').executeTakeFirst();
  return bound.numUpdatedRows === 1n;
}

/**
 * Moves the challenge from step `from` to `to` (a code stops working when its step is left: single use),
 * with `changes` alongside. Only if it is still at `from`; returns whether it moved.
 */
export async function moveChallenge(tx: Tx, id: string, from: ChallengeStep | 'any', to: ChallengeStep,
  changes: Updateable<ChallengeTable> = {}): Promise<boolean> {
  let query = tx.updateTable('challenges').set({ ...changes, step: to, otp_hash: null, otp_expires_at: null }).where('id', '=', id);
  if (from !== 'any') query = query.where('step', '=', from);
  return (await query.executeTakeFirst()).numUpdatedRows === 1n;
}

/**
 * Runs the challenge again from the code step for another purpose (a phone-number change in a signed-in
 * wallet session), with fresh attempts; the code just stored and the count of codes sent stay.
 */
export async function restartChallenge(tx: Tx, id: string, purpose: ChallengePurpose): Promise<void> {
  await tx.updateTable('challenges').set({ purpose, step: 'otp', otp_attempts: 0n }).where('id', '=', id).execute();
}

/** Ends the challenges of `subject` (a finished session, a settled payment): nothing of them works afterwards. */
export async function endChallengesOf(tx: Tx, subject: string): Promise<void> {
  await tx.updateTable('challenges').set({ step: 'done', otp_hash: null, otp_expires_at: null })
    .where('subject', '=', subject).where('step', '<>', 'done').execute();
}

/** A wallet session takes a new id at sign-in (its cookie token changes): its challenge follows, with a new CSRF token. */
export async function renameChallenge(tx: Tx, id: string, to: { id: string; csrfToken: string }): Promise<void> {
  await tx.updateTable('challenges').set({ id: to.id, subject: to.id, csrf_token: to.csrfToken }).where('id', '=', id).execute();
}

export async function deleteChallengesOf(tx: Tx, subjects: string[]): Promise<void> {
  if (subjects.length > 0) await tx.deleteFrom('challenges').where('subject', 'in', subjects).execute();
}

export function toChallenge(row: Selectable<ChallengeTable>): Challenge {
  return {
    id: row.id,
    purpose: row.purpose as ChallengePurpose,
    subject: row.subject,
    step: row.step as ChallengeStep,
    browserKeyHash: row.browser_key_hash,
    csrfToken: row.csrf_token,
    otpHash: row.otp_hash,
    otpExpiresAt: row.otp_expires_at === null ? null : Number(row.otp_expires_at),
    otpAttempts: Number(row.otp_attempts),
    otpSends: Number(row.otp_sends),
    otpSentAt: row.otp_sent_at === null ? null : Number(row.otp_sent_at),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}
