import { hashOtp, otpMatches } from '../domain/pin.ts';
import { STEP_TEXT, resendWaitText, wrongCodeText, type Localized } from '../domain/localized.ts';
import type { GatewayContext } from '../context.ts';
import { takeOtpAttempt, takeOtpSend, type OtpRow } from '../store/otp-counters.ts';
import { insertSmsMessage } from '../store/sms-messages.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';

/** The one-time-code columns every step that sends codes keeps (activation, payment, wallet app), as last read. */
export interface OtpState {
  otpHash: string | null;
  otpExpiresAt: number | null;
  otpSends: number;
  otpSentAt: number | null;
}

export type OtpCheck = { kind: 'match' } | { kind: 'used_up' } | { kind: 'retry'; message: Localized };

/** A fresh 6-digit code from the CSPRNG. */
export function newOtp(ctx: GatewayContext): string {
  return String(ctx.random.int(0, 1_000_000)).padStart(6, '0');
}

/**
 * Checks a typed code against the code kept in `row`. The attempt is counted first, by the statement that
 * bounds it; when no attempt is left (or the row left its step) nothing is compared. The code compared is
 * the one the attempt was counted on. `used_up`: that was the last allowed attempt, and wrong — the caller
 * ends its flow.
 */
export async function checkOtp(ctx: GatewayContext, row: OtpRow, state: OtpState, key: string, typed: string): Promise<OtpCheck> {
  const code = typed.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(code)) return { kind: 'retry', message: STEP_TEXT.codeShape };
  if (!hasLiveCode(state, ctx.clock.now())) return { kind: 'retry', message: STEP_TEXT.codeExpired };
  const attempt = await takeOtpAttempt(ctx.database.db, row, ctx.config.otp_attempts_max);
  if (!attempt) return { kind: 'retry', message: STEP_TEXT.tryAgain };
  if (!hasLiveCode(attempt, ctx.clock.now())) return { kind: 'retry', message: STEP_TEXT.codeExpired };
  if (otpMatches(key, code, attempt.otpHash, ctx.config.pinPepper)) return { kind: 'match' };
  const left = ctx.config.otp_attempts_max - attempt.attempts;
  ctx.metrics.otpFailures.inc();
  if (left <= 0) ctx.metrics.otpLockouts.inc();
  return left <= 0 ? { kind: 'used_up' } : { kind: 'retry', message: wrongCodeText(left) };
}

function hasLiveCode<T extends { otpHash: string | null; otpExpiresAt: number | null }>(code: T, now: number): code is T & { otpHash: string } {
  return code.otpHash !== null && (code.otpExpiresAt ?? 0) > now;
}

/** One code to send: the row that keeps it, the key its hash is bound to, and the flow's limits. */
export interface OtpSendRequest {
  row: OtpRow;
  key: string;
  sendsMax: number;
  /** The least time between two sends; the gateway's resend interval unless given. */
  intervalS?: number;
  /** Where the SMS goes and what it says; without it a code is stored but nothing is sent. */
  sms?: { phone: string; text: (otp: string) => string };
  /** Changes that stand or fall with this send, made in its transaction. */
  alongside?: (tx: Tx) => Promise<void>;
}

/**
 * Draws a code and stores its hash — the send counted by the statement that bounds sends and their
 * interval — and queues its SMS, in one transaction. Returns whether a code went out.
 */
export async function sendOtp(ctx: GatewayContext, request: OtpSendRequest): Promise<boolean> {
  const otp = newOtp(ctx);
  const now = ctx.clock.now();
  return inTransaction(ctx.database, async (tx) => {
    const taken = await takeOtpSend(tx, request.row, {
      otpHash: hashOtp(request.key, otp, ctx.config.pinPepper),
      otpExpiresAt: now + ctx.config.otp_ttl_s * 1000,
      now,
      sendsMax: request.sendsMax,
      intervalS: request.intervalS ?? ctx.config.otp_resend_interval_s,
    });
    if (!taken) return false;
    await request.alongside?.(tx);
    if (request.sms) await insertSmsMessage(tx, { phone: request.sms.phone, text: request.sms.text(otp), createdAt: now });
    return true;
  });
}

/**
 * A new code the customer asked for. Returns why not (`exhausted` when every send is used), or undefined
 * when one went out. A request that lost the race to another one is told why as things stand after it.
 */
export async function resendOtpIfAllowed(ctx: GatewayContext, state: OtpState, request: OtpSendRequest, exhausted: Localized,
  reload: () => Promise<OtpState | undefined>): Promise<Localized | undefined> {
  const refusal = resendRefusal(ctx, state, request, exhausted);
  if (refusal) return refusal;
  if (await sendOtp(ctx, request)) return undefined;
  const current = await reload();
  return (current && resendRefusal(ctx, current, request, exhausted)) ?? STEP_TEXT.tryAgain;
}

/** Why no new code may be sent now (`exhausted` when all sends are used), or undefined when one may. */
function resendRefusal(ctx: GatewayContext, state: OtpState, request: OtpSendRequest, exhausted: Localized): Localized | undefined {
  if (state.otpSends >= request.sendsMax) return exhausted;
  const wait = (state.otpSentAt ?? 0) + (request.intervalS ?? ctx.config.otp_resend_interval_s) * 1000 - ctx.clock.now();
  return wait > 0 ? resendWaitText(Math.ceil(wait / 1000)) : undefined;
}
