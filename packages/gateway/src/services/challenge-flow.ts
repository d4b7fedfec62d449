// The hosted challenge, written once for every page that asks for a code and then the PIN (account
// linking, payments, the wallet app's sign-in and phone-number change): the browser binding, the guard of
// every POST (bound browser, CSRF token, the subject still open), the code's send, resend and check, and
// the PIN check against the wallet's one shared lockout. Every secret is compared in constant time, every
// attempt is counted by the statement that bounds it before anything is compared. What a success or a
// failure means is the subject's business: each service gives a ChallengeFlow.
import type { GatewayContext } from '../context.ts';
import {
  FINISHED, FORBIDDEN, NEW_CODE_SENT, OK, PIN_BUSY_TEXT, STEP_TEXT, hasLiveCode, resendRefusal, retry, typedCode, wrongCodeText,
  wrongPinText, type Challenge, type ChallengePurpose, type StepOutcome,
} from '../domain/challenge.ts';
import type { Localized } from '../domain/localized.ts';
import { hashOtp, otpMatches, verifyPin } from '../domain/pin.ts';
import { randomToken } from '../domain/random.ts';
import { secretHash, secretsEqual } from '../domain/secrets.ts';
import { isPinLocked, type Wallet } from '../domain/wallet.ts';
import { bindChallengeBrowser, findChallenge, moveChallenge } from '../store/challenges.ts';
import { takeOtpAttempt, takeOtpSend, type OtpRow } from '../store/otp-counters.ts';
import { insertSmsMessage } from '../store/sms-messages.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';
import { findWallet, recordPinFailure, reservePinAttempt } from '../store/wallets.ts';

/** How a challenge ended without success; each flow says what that means for its subject. */
export type ChallengeFailure = 'otp_attempts' | 'pin_locked' | 'wallet_inactive' | 'phone_changed' | 'cancelled';

/** One code to send: the key its hash is bound to, the limits, and where it goes. */
export interface CodeRequest {
  key: string;
  sendsMax: number;
  /** The least time between two sends; the gateway's resend interval unless given. */
  intervalS?: number;
  /** Where the SMS goes and what it says; without it a code is stored but nothing is sent. */
  sms?: { phone: string; text: (otp: string) => string };
  /** Changes that stand or fall with this send, made in its transaction. */
  alongside?: (tx: Tx) => Promise<void>;
}

/** What a subject's service tells the challenge flow. `S` is the subject as the service loads it. */
export interface ChallengeFlow<S> {
  readonly purpose: ChallengePurpose;
  /** Whether the page's first browser is bound by a cookie (the wallet app's cookie is the session itself). */
  readonly bindsBrowser: boolean;
  /** The subject behind the challenge, brought up to date (expired when due); undefined when it is gone. */
  load(ctx: GatewayContext, challenge: Challenge): Promise<S | undefined>;
  /** The subject is finished: a POST only sends the browser back to the page, which says how it ended. */
  isOver(subject: S): boolean;
  code(ctx: GatewayContext, challenge: Challenge, subject: S): CodeRequest;
  /** What the customer reads when every code of this challenge was sent. */
  readonly codesExhausted: Localized;
  /** The wallet whose PIN is asked, or why the challenge cannot go on. */
  wallet(ctx: GatewayContext, subject: S): Promise<Wallet | ChallengeFailure>;
  fail(ctx: GatewayContext, challenge: Challenge, subject: S, failure: ChallengeFailure): Promise<StepOutcome>;
  /** The PIN was right: do what it authorises (the wallet's PIN success is recorded by the caller's transaction). */
  succeed(ctx: GatewayContext, challenge: Challenge, subject: S, wallet: Wallet): Promise<StepOutcome>;
}

/** A POST on a challenge page: the challenge in the address (or the cookie), the browser's key, the form's token. */
export interface StepRequest {
  id: string;
  browserKey: string | undefined;
  csrfToken: string | undefined;
}

interface Guarded<S> {
  challenge: Challenge;
  subject: S;
}

/**
 * Checks that the POST comes from the bound browser with the challenge's CSRF token, for this flow, and that
 * its subject is still open. Otherwise the outcome to answer with.
 */
async function guard<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, request: StepRequest): Promise<Guarded<S> | StepOutcome> {
  const challenge = await findChallenge(ctx.database.db, request.id);
  if (!challenge || !isFlowOf(flow, challenge) || !secretsEqual(challenge.csrfToken, request.csrfToken)) return FORBIDDEN;
  if (flow.bindsBrowser && !browserKeyMatches(challenge, request.browserKey)) return FORBIDDEN;
  const subject = await flow.load(ctx, challenge);
  if (subject === undefined) return FORBIDDEN;
  if (flow.isOver(subject)) return FINISHED;
  return { challenge, subject };
}

/** A wallet session's challenge serves its sign-in and then its phone-number changes. */
function isFlowOf(flow: ChallengeFlow<unknown>, challenge: Challenge): boolean {
  const wallet = (p: ChallengePurpose) => p === 'wallet_sign_in' || p === 'wallet_phone_change';
  return challenge.purpose === flow.purpose || (wallet(flow.purpose) && wallet(challenge.purpose));
}

function browserKeyMatches(challenge: Challenge, browserKey: string | undefined): boolean {
  return challenge.browserKeyHash !== null && browserKey !== undefined && secretsEqual(challenge.browserKeyHash, secretHash(browserKey));
}

function atStep(flow: ChallengeFlow<unknown>, challenge: Challenge, step: Challenge['step']): boolean {
  return challenge.purpose === flow.purpose && challenge.step === step;
}

export type OpenProblem = 'not_found' | 'other_browser';

export interface Opened<S> {
  challenge: Challenge;
  subject: S;
  /** Set when this request bound the challenge to the browser: the page must send it as a cookie. */
  newBrowserKey?: string;
}

/**
 * Loads a challenge for its page. The first browser to open an unfinished one is bound to it by a cookie, so
 * a leaked address is useless elsewhere. Opening the code step before any code was sent sends one.
 */
export async function openChallenge<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, id: string, browserKey: string | undefined): Promise<Opened<S> | OpenProblem> {
  let challenge = await findChallenge(ctx.database.db, id);
  if (!challenge || challenge.purpose !== flow.purpose) return 'not_found';
  let newBrowserKey: string | undefined;
  if (challenge.browserKeyHash === null) {
    if (challenge.step !== 'done') {
      newBrowserKey = randomToken(ctx.random);
      if (!await bindChallengeBrowser(ctx.database.db, id, secretHash(newBrowserKey))) {
        // Another browser won the race, or the challenge just ended: look again.
        challenge = (await findChallenge(ctx.database.db, id))!;
        if (challenge.browserKeyHash !== null) return 'other_browser';
        newBrowserKey = undefined;
      }
    }
  } else if (!browserKeyMatches(challenge, browserKey)) {
    return 'other_browser';
  }
  const subject = await flow.load(ctx, challenge);
  if (subject === undefined) return 'not_found';
  if (!flow.isOver(subject) && challenge.step === 'otp' && challenge.otpSends === 0) {
    // Sending changes only the challenge's code columns, not its subject.
    await sendCode(ctx, { challengeId: id, step: 'otp' }, flow.code(ctx, challenge, subject));
    challenge = (await findChallenge(ctx.database.db, id))!;
  }
  return { challenge, subject, newBrowserKey };
}

export async function submitCode<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, request: StepRequest & { otp: string }): Promise<StepOutcome> {
  const guarded = await guard(ctx, flow, request);
  if ('kind' in guarded) return guarded;
  const { challenge, subject } = guarded;
  if (!atStep(flow, challenge, 'otp')) return OK;
  const check = await checkCode(ctx, challenge, flow.code(ctx, challenge, subject).key, request.otp);
  if (check !== 'match' && check !== 'used_up') return check;
  if (check === 'used_up') return flow.fail(ctx, challenge, subject, 'otp_attempts');
  await moveChallenge(ctx.database.db, challenge.id, 'otp', 'pin');
  return OK;
}

export async function requestNewCode<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, request: StepRequest): Promise<StepOutcome> {
  const guarded = await guard(ctx, flow, request);
  if ('kind' in guarded) return guarded;
  const { challenge, subject } = guarded;
  if (!atStep(flow, challenge, 'otp')) return OK;
  return resendCode(ctx, challenge, flow.code(ctx, challenge, subject), flow.codesExhausted);
}

export async function submitPin<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, request: StepRequest & { pin: string }): Promise<StepOutcome> {
  const guarded = await guard(ctx, flow, request);
  if ('kind' in guarded) return guarded;
  const { challenge, subject } = guarded;
  if (!atStep(flow, challenge, 'pin')) return OK;
  if (!/^[0-9]{6}$/.test(request.pin)) return retry(STEP_TEXT.pinShape);
  const wallet = await flow.wallet(ctx, subject);
  if (typeof wallet === 'string') return flow.fail(ctx, challenge, subject, wallet);
  const check = await checkWalletPin(ctx, wallet, request.pin);
  if (check.kind === 'locked') return flow.fail(ctx, challenge, subject, 'pin_locked');
  if (check.kind !== 'ok') return retry(check.message);
  return flow.succeed(ctx, challenge, subject, wallet);
}

export async function cancelChallenge<S>(ctx: GatewayContext, flow: ChallengeFlow<S>, request: StepRequest): Promise<StepOutcome> {
  const guarded = await guard(ctx, flow, request);
  if ('kind' in guarded) return guarded;
  const { challenge, subject } = guarded;
  // Nothing in progress (a signed-in wallet session with no phone-number change): nothing to cancel.
  if (challenge.purpose !== flow.purpose || challenge.step === 'done') return OK;
  return flow.fail(ctx, challenge, subject, 'cancelled');
}

// ——— the code ———

/** A fresh 6-digit code from the CSPRNG. */
function newOtp(ctx: GatewayContext): string {
  return String(ctx.random.int(0, 1_000_000)).padStart(6, '0');
}

/**
 * Draws a code and stores its hash — the send counted by the statement that bounds sends and their
 * interval — and queues its SMS, in one transaction. Returns whether a code went out.
 */
export async function sendCode(ctx: GatewayContext, row: OtpRow, request: CodeRequest): Promise<boolean> {
  const otp = newOtp(ctx);
  const now = ctx.clock.now();
  return inTransaction(ctx.database, async (tx) => {
    const taken = await takeOtpSend(tx, row, {
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
 * A new code the customer asked for: "a new code is on its way" (HTTP 200 on every page), or why not. A
 * request that lost the race to another one is told why as things stand after it.
 */
export async function resendCode(ctx: GatewayContext, challenge: Challenge, request: CodeRequest, exhausted: Localized): Promise<StepOutcome> {
  const limits = { sendsMax: request.sendsMax, intervalS: request.intervalS ?? ctx.config.otp_resend_interval_s };
  const refusal = resendRefusal(challenge, limits, ctx.clock.now(), exhausted);
  if (refusal) return retry(refusal);
  if (await sendCode(ctx, { challengeId: challenge.id, step: challenge.step }, request)) return NEW_CODE_SENT;
  const current = await findChallenge(ctx.database.db, challenge.id);
  return retry((current && resendRefusal(current, limits, ctx.clock.now(), exhausted)) ?? STEP_TEXT.tryAgain);
}

/**
 * Checks a typed code against the challenge's. The attempt is counted first, by the statement that bounds
 * it; when no attempt is left (or the challenge left its step) nothing is compared. The code compared is
 * the one the attempt was counted on. `used_up`: that was the last allowed attempt, and wrong.
 */
export async function checkCode(ctx: GatewayContext, challenge: Challenge, key: string, typed: string): Promise<'match' | 'used_up' | StepOutcome> {
  const code = typedCode(typed);
  if (code === undefined) return retry(STEP_TEXT.codeShape);
  if (!hasLiveCode(challenge, ctx.clock.now())) return retry(STEP_TEXT.codeExpired);
  const row = { challengeId: challenge.id, step: challenge.step };
  const attempt = await takeOtpAttempt(ctx.database.db, row, ctx.config.otp_attempts_max);
  if (!attempt) return retry(STEP_TEXT.tryAgain);
  if (!hasLiveCode(attempt, ctx.clock.now())) return retry(STEP_TEXT.codeExpired);
  if (otpMatches(key, code, attempt.otpHash, ctx.config.pinPepper)) return 'match';
  const left = ctx.config.otp_attempts_max - attempt.attempts;
  ctx.metrics.otpFailures.inc();
  if (left <= 0) ctx.metrics.otpLockouts.inc();
  return left <= 0 ? 'used_up' : retry(wrongCodeText(left));
}

// ——— the PIN ———

/**
 * Checks the wallet PIN against the one lockout shared by every challenge: the attempt is reserved before
 * the (slow) hash, and a wrong PIN may lock the wallet. On 'ok' the caller records the PIN success inside
 * the transaction that does what the PIN authorised.
 */
export async function checkWalletPin(ctx: GatewayContext, wallet: Wallet, pin: string): Promise<PinCheck> {
  const limits = { attemptsMax: ctx.config.pin_attempts_max, lockS: ctx.config.pin_lock_s };
  const now = ctx.clock.now();
  if (isPinLocked(wallet, now)) return { kind: 'locked' };
  const reservation = await reservePinAttempt(ctx.database.db, wallet.id, now, limits);
  if (reservation === 'locked') return { kind: 'locked' };
  if (reservation === 'busy') return { kind: 'busy', message: PIN_BUSY_TEXT };
  if (await verifyPin(pin, wallet.pinHash, ctx.config.pinPepper)) return { kind: 'ok' };
  ctx.metrics.pinFailures.inc();
  if (await recordPinFailure(ctx.database.db, wallet.id, ctx.clock.now(), limits)) {
    ctx.metrics.pinLockouts.inc();
    return { kind: 'locked' };
  }
  const fresh = await findWallet(ctx.database.db, wallet.id);
  const left = Math.max(0, limits.attemptsMax - (fresh?.pinFailures ?? limits.attemptsMax));
  return { kind: 'wrong', message: wrongPinText(left, Math.round(limits.lockS / 60)) };
}

export type PinCheck =
  | { kind: 'ok' }
  | { kind: 'locked' }
  | { kind: 'wrong'; message: Localized }
  | { kind: 'busy'; message: Localized };
