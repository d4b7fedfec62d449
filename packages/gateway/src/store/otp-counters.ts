// The one-time-code counters of a challenge. Each is bounded in the very statement that takes the attempt
// or the send: under any interleaving, on either database (PostgreSQL re-checks the WHERE of an UPDATE
// against the row it waited for), a counter cannot pass its limit. When no row is updated nothing was
// taken, and nothing may be compared or sent.
import type { ChallengeStep } from '../domain/challenge.ts';
import type { Tx } from './transaction.ts';

/** The challenge that keeps a code, and the step it must still be at (any step when omitted). */
export interface OtpRow {
  readonly challengeId: string;
  readonly step?: ChallengeStep;
}

/** What one taken attempt is checked against: the code as it was when the attempt was counted. */
export interface OtpAttempt {
  /** Attempts used, this one included. */
  attempts: number;
  otpHash: string | null;
  otpExpiresAt: number | null;
}

export interface OtpSend {
  otpHash: string;
  otpExpiresAt: number;
  now: number;
  sendsMax: number;
  /** The least time between two sends. */
  intervalS: number;
}

function atRow(tx: Tx, row: OtpRow) {
  const query = tx.updateTable('challenges').where('id', '=', row.challengeId);
  return row.step === undefined ? query : query.where('step', '=', row.step);
}

/** Counts one attempt unless `attemptsMax` are used or the challenge left its step; undefined when nothing was counted. */
export async function takeOtpAttempt(tx: Tx, row: OtpRow, attemptsMax: number): Promise<OtpAttempt | undefined> {
  const taken = await atRow(tx, row)
    .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1n) }))
    .where('otp_attempts', '<', BigInt(attemptsMax))
    .returning(['otp_attempts', 'otp_hash', 'otp_expires_at'])
    .executeTakeFirst();
  if (!taken) return undefined;
  return {
    attempts: Number(taken.otp_attempts),
    otpHash: taken.otp_hash,
    otpExpiresAt: taken.otp_expires_at === null ? null : Number(taken.otp_expires_at),
  };
}

/**
 * Stores a new code and counts its send, unless `sendsMax` codes were sent, the last one less than
 * `intervalS` ago, or the challenge left its step. Returns whether it did (only then may the code be sent).
 */
export async function takeOtpSend(tx: Tx, row: OtpRow, send: OtpSend): Promise<boolean> {
  const lastSentBy = BigInt(send.now - send.intervalS * 1000);
  const taken = await atRow(tx, row)
    .set((eb) => ({
      otp_hash: send.otpHash,
      otp_expires_at: BigInt(send.otpExpiresAt),
      otp_sends: eb('otp_sends', '+', 1n),
      otp_sent_at: BigInt(send.now),
    }))
    .where('otp_sends', '<', BigInt(send.sendsMax))
    .where((eb) => eb.or([eb('otp_sent_at', 'is', null), eb('otp_sent_at', '<=', lastSentBy)]))
    .executeTakeFirst();
  return taken.numUpdatedRows === 1n;
}
