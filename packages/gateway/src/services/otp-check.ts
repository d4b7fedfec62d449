import { otpMatches } from '../domain/pin.ts';
import { STEP_TEXT, resendWaitText, wrongCodeText, type Localized } from '../domain/localized.ts';
import type { GatewayContext } from '../context.ts';

/** The one-time-code columns every step that sends codes keeps (activation, payment, wallet app). */
export interface OtpState {
  otpHash: string | null;
  otpExpiresAt: number | null;
  otpAttempts: number;
  otpSends: number;
  otpSentAt: number | null;
}

export type OtpCheck = { kind: 'match' } | { kind: 'used_up' } | { kind: 'retry'; message: Localized };

/** A fresh 6-digit code from the CSPRNG. */
export function newOtp(ctx: GatewayContext): string {
  return String(ctx.random.int(0, 1_000_000)).padStart(6, '0');
}

/**
 * Checks a typed code. `countAttempt` must record the attempt conditionally on `state.otpAttempts` (and
 * answer whether it did): the attempt is counted before the comparison, so racing guesses cannot exceed
 * the limit. `used_up` means that was the last allowed attempt; the caller ends its flow.
 */
export async function checkOtp(ctx: GatewayContext, state: OtpState, key: string, typed: string,
  countAttempt: () => Promise<boolean>): Promise<OtpCheck> {
  const code = typed.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(code)) return { kind: 'retry', message: STEP_TEXT.codeShape };
  if (state.otpHash === null || (state.otpExpiresAt ?? 0) <= ctx.clock.now()) return { kind: 'retry', message: STEP_TEXT.codeExpired };
  if (!(await countAttempt())) return { kind: 'retry', message: STEP_TEXT.tryAgain };
  if (otpMatches(key, code, state.otpHash, ctx.config.pinPepper)) return { kind: 'match' };
  const left = ctx.config.otp_attempts_max - (state.otpAttempts + 1);
  return left <= 0 ? { kind: 'used_up' } : { kind: 'retry', message: wrongCodeText(left) };
}

/** Why no new code may be sent now (`exhausted` when all sends are used), or undefined when one may. */
export function resendRefusal(ctx: GatewayContext, state: OtpState, sendsMax: number, exhausted: Localized): Localized | undefined {
  if (state.otpSends >= sendsMax) return exhausted;
  const wait = (state.otpSentAt ?? 0) + ctx.config.otp_resend_interval_s * 1000 - ctx.clock.now();
  return wait > 0 ? resendWaitText(Math.ceil(wait / 1000)) : undefined;
}
