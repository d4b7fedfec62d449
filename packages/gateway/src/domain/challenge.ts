// The hosted challenge: what every customer page that asks for a one-time code and then the OVO PIN shares
// (account linking, a payment, signing in to the wallet app, changing the wallet's phone number). A
// challenge is bound to one browser, every form it serves carries its CSRF token, and its code is stored
// only as a keyed hash. What a challenge guards (a link session, a payment, a wallet session) is its
// subject; what happens when it succeeds or fails belongs to the subject's service.
import { localized, type Localized } from './localized.ts';

export const CHALLENGE_PURPOSES = ['link', 'payment', 'wallet_sign_in', 'wallet_phone_change'] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

export const CHALLENGE_STEPS = ['otp', 'pin', 'done'] as const;
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number];

/** The one-time code as last stored: only its hash, when it stops working, and the counters that bound it. */
export interface OtpState {
  otpHash: string | null;
  otpExpiresAt: number | null;
  otpAttempts: number;
  otpSends: number;
  otpSentAt: number | null;
}

export interface Challenge extends OtpState {
  /** The secret in the page's address (activation session id, payment page token, or a wallet session's token hash). */
  id: string;
  purpose: ChallengePurpose;
  /** The key of the row this challenge guards: link_sessions.id, payments.trx_id or wallet_sessions.id. */
  subject: string;
  step: ChallengeStep;
  /** SHA-256 of the cookie that binds the first browser to open it; null until then (and for wallet sessions, whose cookie is the id). */
  browserKeyHash: string | null;
  csrfToken: string;
  expiresAt: number;
  createdAt: number;
}

/**
 * What a form POST on a customer page led to. The page answers `ok` (done, or the next step) and `finished`
 * (the challenge or session is over: the page says how) with a redirect (303), `retry` by showing the
 * form again with the message (422 for an error, 200 for info), `forbidden` with 403, and `new_token` by
 * setting the new session cookie and redirecting.
 */
export type StepOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; message: Localized; tone: 'error' | 'info'; value?: string }
  | { kind: 'finished' }
  | { kind: 'forbidden' }
  | { kind: 'new_token'; token: string };

export const OK: StepOutcome = { kind: 'ok' };
export const FINISHED: StepOutcome = { kind: 'finished' };
export const FORBIDDEN: StepOutcome = { kind: 'forbidden' };

export function retry(message: Localized, value?: string): StepOutcome {
  return value === undefined ? { kind: 'retry', message, tone: 'error' } : { kind: 'retry', message, tone: 'error', value };
}

/** A typed code without its spaces, or undefined when it cannot be a code. */
export function typedCode(typed: string): string | undefined {
  const code = typed.replace(/\s/g, '');
  return /^[0-9]{6}$/.test(code) ? code : undefined;
}

export function hasLiveCode<T extends { otpHash: string | null; otpExpiresAt: number | null }>(code: T, now: number): code is T & { otpHash: string } {
  return code.otpHash !== null && (code.otpExpiresAt ?? 0) > now;
}

/** The limits of one challenge's codes. */
export interface CodeLimits {
  sendsMax: number;
  /** The least time between two sends. */
  intervalS: number;
}

/** Why no new code may be sent now (`exhausted` when every send is used), or undefined when one may. */
export function resendRefusal(otp: OtpState, limits: CodeLimits, now: number, exhausted: Localized): Localized | undefined {
  if (otp.otpSends >= limits.sendsMax) return exhausted;
  const waitMs = (otp.otpSentAt ?? 0) + limits.intervalS * 1000 - now;
  return waitMs > 0 ? resendWaitText(Math.ceil(waitMs / 1000)) : undefined;
}

/** Messages the code and PIN steps of every challenge page share. */
export const STEP_TEXT = {
  codeShape: localized('Enter the 6-digit code we sent by SMS.', 'Masukkan 6 digit kode verifikasi yang kami kirim lewat SMS.'),
  codeExpired: localized('This code has expired. Ask for a new code.', 'Kode ini sudah kedaluwarsa. Minta kode baru.'),
  tryAgain: localized('Please try again.', 'Silakan coba lagi.'),
  newCodeSent: localized('A new code is on its way.', 'Kode baru sedang dikirim.'),
  pinShape: localized('Enter your 6-digit OVO PIN.', 'Masukkan 6 digit PIN OVO kamu.'),
} as const;

export function resendWaitText(seconds: number): Localized {
  return localized(`Please wait ${seconds} seconds before asking for a new code.`, `Tunggu ${seconds} detik sebelum meminta kode baru.`);
}

export function wrongCodeText(left: number): Localized {
  return localized(`Wrong code. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`, `Kode verifikasi salah. Sisa percobaan: ${left}.`);
}

export function wrongPinText(left: number, lockMinutes: number): Localized {
  return localized(
    `Wrong PIN. ${left} ${left === 1 ? 'attempt' : 'attempts'} left before your PIN is locked for ${lockMinutes} minutes.`,
    `PIN salah. Sisa percobaan: ${left} sebelum PIN kamu diblokir selama ${lockMinutes} menit.`,
  );
}

export const PIN_BUSY_TEXT = localized(
  'Your PIN is being checked elsewhere right now. Try again in a moment.',
  'PIN kamu sedang diperiksa di tempat lain. Coba lagi sebentar lagi.',
);

export const NEW_CODE_SENT: StepOutcome = { kind: 'retry', message: STEP_TEXT.newCodeSent, tone: 'info' };
