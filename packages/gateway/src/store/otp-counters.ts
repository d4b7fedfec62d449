// The one-time-code counters of every step that sends codes (link sessions, payments, wallet sessions).
// Each is bounded in the very statement that takes the attempt or the send: under any interleaving, on
// either database (PostgreSQL re-checks the WHERE of an UPDATE against the row it waited for), a counter
// cannot pass its limit. When no row is updated nothing was taken, and nothing may be compared or sent.
import type { Expression, Kysely, SqlBool } from 'kysely';
import type { Tx } from './transaction.ts';

/** The tables that keep a code's columns. */
export type OtpTable = 'link_sessions' | 'payments' | 'wallet_sessions';

/** The code columns, the same in every OtpTable. */
interface OtpColumns {
  otp_hash: string | null;
  otp_expires_at: bigint | null;
  otp_attempts: bigint;
  otp_sends: bigint;
  otp_sent_at: bigint | null;
}

/** The row that keeps a code, and the step it must still be in (built by the table's own store module). */
export interface OtpRow {
  readonly table: OtpTable;
  readonly where: Expression<SqlBool>;
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

/** Only the code columns of the three tables: what this module may touch. */
function codeColumns(tx: Tx): Kysely<Record<OtpTable, OtpColumns>> {
  return tx as unknown as Kysely<Record<OtpTable, OtpColumns>>;
}

/** Counts one attempt unless `attemptsMax` are used or the row left its step; undefined when nothing was counted. */
export async function takeOtpAttempt(tx: Tx, row: OtpRow, attemptsMax: number): Promise<OtpAttempt | undefined> {
  const taken = await codeColumns(tx).updateTable(row.table)
    .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1n) }))
    .where(row.where)
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
 * `intervalS` ago, or the row left its step. Returns whether it did (only then may the code be sent).
 */
export async function takeOtpSend(tx: Tx, row: OtpRow, send: OtpSend): Promise<boolean> {
  const lastSentBy = BigInt(send.now - send.intervalS * 1000);
  const taken = await codeColumns(tx).updateTable(row.table)
    .set((eb) => ({
      otp_hash: send.otpHash,
      otp_expires_at: BigInt(send.otpExpiresAt),
      otp_sends: eb('otp_sends', '+', 1n),
      otp_sent_at: BigInt(send.now),
    }))
    .where(row.where)
    .where('otp_sends', '<', BigInt(send.sendsMax))
    .where((eb) => eb.or([eb('otp_sent_at', 'is', null), eb('otp_sent_at', '<=', lastSentBy)]))
    .executeTakeFirst();
  return taken.numUpdatedRows === 1n;
}
