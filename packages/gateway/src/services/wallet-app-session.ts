// Signing in to the customer wallet app (/wallet): phone → one-time code by SMS → PIN, then a session
// carried by a random cookie token. Only the token's SHA-256 is stored. The code and PIN steps are the
// session's challenge (services/challenge-flow.ts), as for account linking and payments; the cookie token
// itself binds the browser.
import { createHmac } from 'node:crypto';
import { normalizePhone } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { FINISHED, FORBIDDEN, OK, retry, type StepOutcome } from '../domain/challenge.ts';
import { localized, type Localized } from '../domain/localized.ts';
import { randomToken } from '../domain/random.ts';
import { secretHash, secretsEqual } from '../domain/secrets.ts';
import type { Wallet } from '../domain/wallet.ts';
import { moveChallenge, renameChallenge } from '../store/challenges.ts';
import { inTransaction } from '../store/transaction.ts';
import {
  countSignInsSince, deleteWalletSessionsExpiredBefore, endWalletSession, findWalletSession, insertWalletSession,
  updateWalletSession, type FlashKind, type WalletSession,
} from '../store/wallet-sessions.ts';
import { findWallet, findWalletByPhone, recordPinSuccess } from '../store/wallets.ts';
import {
  cancelChallenge, requestNewCode, sendCode, submitCode, submitPin, type ChallengeFailure, type ChallengeFlow, type CodeRequest,
  type StepRequest,
} from './challenge-flow.ts';

/** The wallet app's own limits (the OTP and PIN limits come from the gateway config). */
export const WALLET_APP_LIMITS = {
  /** A signed-in session ends after this long without a request… */
  session_idle_s: 15 * 60,
  /** …and after this long in any case. */
  session_absolute_s: 4 * 60 * 60,
  /** Sign-ins started for one phone number within one OTP lifetime; each one would send an SMS. */
  sign_ins_per_phone_max: 5,
  /** Codes sent for phone-number changes within one session (starts and resends together). */
  phone_change_codes_max: 5,
  /** Ended sessions are deleted this long after their absolute expiry. */
  session_retention_s: 24 * 60 * 60,
} as const;

/** The idle expiry is pushed forward at most this often, so browsing is not a write per page. */
const IDLE_TOUCH_INTERVAL_MS = 60_000;

export type EndReason =
  | 'signed_out' | 'expired' | 'sign_in_expired' | 'otp_attempts' | 'pin_locked' | 'cancelled' | 'phone_changed'
  | 'wallet_inactive' | 'replaced';

export type WalletAppView =
  | { kind: 'signed_out'; notice?: { kind: FlashKind; text: Localized }; clearCookie: boolean }
  | { kind: 'signing_in'; session: WalletSession }
  | { kind: 'signed_in'; session: WalletSession; wallet: Wallet };

export const PHONE_SHAPE_TEXT = localized('Enter an Indonesian mobile number, e.g. 0812 3456 7890.',
  'Masukkan nomor ponsel Indonesia, misalnya 0812 3456 7890.');


// The phone form comes before any session exists: its CSRF token is a keyed hash of a random value held in
// a separate cookie (double submit), so no database row is written for a page view.
export function signInCsrfToken(ctx: GatewayContext, nonce: string): string {
  return createHmac('sha256', ctx.config.pinPepper).update(`wallet-sign-in:${nonce}`).digest('base64url');
}

export function newSignInNonce(ctx: GatewayContext): string {
  return randomToken(ctx.random);
}

export function endReasonText(ctx: GatewayContext, reason: string | null): { kind: FlashKind; text: Localized } | undefined {
  const lockMinutes = Math.round(ctx.config.pin_lock_s / 60);
  switch (reason as EndReason | null) {
    case 'signed_out': return { kind: 'success', text: localized('You have signed out of OVO.', 'Kamu sudah keluar dari OVO.') };
    case 'expired': return { kind: 'info', text: localized('You were signed out after a period of inactivity. Please sign in again.', 'Kamu otomatis keluar karena tidak ada aktivitas. Silakan masuk lagi.') };
    case 'sign_in_expired': return { kind: 'info', text: localized('The sign-in took too long. Please start again.', 'Proses masuk terlalu lama. Silakan mulai lagi.') };
    case 'otp_attempts': return { kind: 'error', text: localized('Too many wrong codes. Please start again.', 'Terlalu banyak kode verifikasi yang salah. Silakan mulai lagi.') };
    case 'pin_locked': return {
      kind: 'error',
      text: localized(`Your OVO PIN is locked after ${ctx.config.pin_attempts_max} wrong attempts. Try again in ${lockMinutes} minutes.`,
        `PIN OVO kamu diblokir setelah ${ctx.config.pin_attempts_max} kali salah. Coba lagi dalam ${lockMinutes} menit.`),
    };
    case 'cancelled': return { kind: 'info', text: localized('Sign-in cancelled.', 'Proses masuk dibatalkan.') };
    case 'phone_changed': return { kind: 'info', text: localized('The phone number of this OVO account was changed. Please sign in with the new number.',
      'Nomor ponsel akun OVO ini sudah diganti. Silakan masuk dengan nomor yang baru.') };
    case 'wallet_inactive': return { kind: 'error', text: localized('This OVO account is not active. Please contact OVO Care.', 'Akun OVO ini tidak aktif. Silakan hubungi OVO Care.') };
    default: return undefined;
  }
}

/** What GET /wallet shows for this cookie: the sign-in form, a sign-in step, or the signed-in app. */
export async function currentView(ctx: GatewayContext, token: string | undefined): Promise<WalletAppView> {
  if (!token) return { kind: 'signed_out', clearCookie: false };
  const session = await findWalletSession(ctx.database.db, secretHash(token));
  if (!session) return { kind: 'signed_out', clearCookie: true };
  const live = await liveSession(ctx, session);
  if (live.state === 'ended') return { kind: 'signed_out', notice: endReasonText(ctx, live.endReason), clearCookie: true };
  if (live.state !== 'active') return { kind: 'signing_in', session: live };
  const wallet = await walletOf(ctx, live);
  if (!wallet) return currentView(ctx, token);
  return { kind: 'signed_in', session: live, wallet };
}

/** Ends a session past its idle or absolute expiry, and keeps an active one alive. */
async function liveSession(ctx: GatewayContext, session: WalletSession): Promise<WalletSession> {
  if (session.state === 'ended') return session;
  const now = ctx.clock.now();
  if (now >= session.idleExpiresAt || now >= session.expiresAt) {
    await endWalletSession(ctx.database.db, session.id, session.state === 'active' ? 'expired' : 'sign_in_expired', now);
    return (await findWalletSession(ctx.database.db, session.id)) ?? { ...session, state: 'ended' };
  }
  if (session.state === 'active') {
    const idleExpiresAt = Math.min(now + WALLET_APP_LIMITS.session_idle_s * 1000, session.expiresAt);
    if (idleExpiresAt - session.idleExpiresAt >= IDLE_TOUCH_INTERVAL_MS) {
      await ctx.database.db.updateTable('wallet_sessions').set({ idle_expires_at: BigInt(idleExpiresAt) })
        .where('id', '=', session.id).where('state', '=', 'active').execute();
      return { ...session, idleExpiresAt };
    }
  }
  return session;
}

/** The signed-in wallet, or undefined after ending the session when the wallet is gone, inactive or renumbered. */
async function walletOf(ctx: GatewayContext, session: WalletSession): Promise<Wallet | undefined> {
  const wallet = session.walletId === null ? undefined : await findWallet(ctx.database.db, session.walletId);
  if (wallet && wallet.status === 'active' && wallet.phone === session.phone) return wallet;
  const reason: EndReason = wallet && wallet.status === 'active' ? 'phone_changed' : 'wallet_inactive';
  await endWalletSession(ctx.database.db, session.id, reason, ctx.clock.now());
  return undefined;
}

export interface SignedIn {
  session: WalletSession;
  wallet: Wallet;
}

/**
 * For POSTs of the signed-in app: the session behind the cookie must be live and the form's CSRF token its
 * own. 'ended' sends the browser to the sign-in page (which says why); 'forbidden' refuses the request.
 */
export async function requireSignedIn(ctx: GatewayContext, token: string | undefined, csrfToken: string | undefined): Promise<SignedIn | 'ended' | 'forbidden'> {
  if (!token) return 'forbidden';
  const found = await findWalletSession(ctx.database.db, secretHash(token));
  if (!found) return 'forbidden';
  if (!secretsEqual(found.challenge.csrfToken, csrfToken)) return 'forbidden';
  return signedIn(ctx, found);
}

/** The session, still live and signed in to an active wallet; else 'ended' (after ending it when due). */
export async function signedIn(ctx: GatewayContext, found: WalletSession): Promise<SignedIn | 'ended'> {
  const session = await liveSession(ctx, found);
  if (session.state !== 'active') return 'ended';
  const wallet = await walletOf(ctx, session);
  return wallet ? { session, wallet } : 'ended';
}

/** Step 1: the phone number. Starts a session in the code step and sends the code if the phone has a wallet. */
export async function startSignIn(ctx: GatewayContext, input: {
  nonce: string | undefined; csrfToken: string | undefined; phone: string; currentToken: string | undefined;
}): Promise<StepOutcome> {
  if (!input.nonce || !secretsEqual(signInCsrfToken(ctx, input.nonce), input.csrfToken)) return FORBIDDEN;
  const typed = input.phone.trim();
  const phone = normalizePhone(typed.replace(/[\s-]/g, ''));
  if (!phone) return retry(PHONE_SHAPE_TEXT, typed);
  const now = ctx.clock.now();
  await deleteWalletSessionsExpiredBefore(ctx.database.db, now - WALLET_APP_LIMITS.session_retention_s * 1000);
  // Counted for every phone, with or without a wallet, so the answer reveals nothing about the number.
  if ((await countSignInsSince(ctx.database.db, phone, now - ctx.config.otp_ttl_s * 1000)) >= WALLET_APP_LIMITS.sign_ins_per_phone_max) {
    return retry(localized('Too many sign-in attempts for this number. Please try again in a few minutes.',
      'Terlalu banyak percobaan masuk untuk nomor ini. Coba lagi dalam beberapa menit.'), typed);
  }
  if (input.currentToken) await endWalletSession(ctx.database.db, secretHash(input.currentToken), 'replaced', now);
  const wallet = await findWalletByPhone(ctx.database.db, phone);
  const token = randomToken(ctx.random);
  const session = await insertWalletSession(ctx.database.db, {
    id: secretHash(token),
    phone,
    walletId: wallet && wallet.status === 'active' ? wallet.id : null,
    csrfToken: randomToken(ctx.random),
    now,
    expiresAt: now + ctx.config.otp_ttl_s * 1000,
  });
  await sendCode(ctx, { challengeId: session.id, step: 'otp' }, SIGN_IN_FLOW.code(ctx, session.challenge, session));
  return { kind: 'new_token', token };
}

/** What the customer reads when every code of a wallet-app challenge was sent. */
export const WALLET_CODES_EXHAUSTED = localized('No more codes can be sent now. Please start again later.',
  'Kode tidak bisa dikirim lagi sekarang. Silakan mulai lagi nanti.');

const SIGN_IN_END: Readonly<Record<ChallengeFailure, EndReason>> = {
  otp_attempts: 'otp_attempts',
  pin_locked: 'pin_locked',
  wallet_inactive: 'wallet_inactive',
  phone_changed: 'wallet_inactive',
  cancelled: 'cancelled',
};

/** Signing in is the session's challenge; a phone without a wallet gets a code stored but never sent. */
const SIGN_IN_FLOW: ChallengeFlow<WalletSession> = {
  purpose: 'wallet_sign_in',
  bindsBrowser: false,
  async load(ctx, challenge) {
    const session = await findWalletSession(ctx.database.db, challenge.subject);
    return session && liveSession(ctx, session);
  },
  isOver: (session) => session.state === 'ended',
  code: (ctx, _challenge, session) => walletCode(ctx, session, 'sign_in', session.phone, session.walletId !== null),
  codesExhausted: WALLET_CODES_EXHAUSTED,
  async wallet(ctx, session) {
    const wallet = session.walletId === null ? undefined : await findWallet(ctx.database.db, session.walletId);
    return wallet && wallet.status === 'active' && wallet.phone === session.phone ? wallet : 'wallet_inactive';
  },
  async fail(ctx, _challenge, session, failure) {
    await endWalletSession(ctx.database.db, session.id, SIGN_IN_END[failure], ctx.clock.now());
    return FINISHED;
  },
  async succeed(ctx, challenge, session, wallet) {
    // A new token once the customer is known, so a token planted before sign-in is worthless after it.
    const token = randomToken(ctx.random);
    const id = secretHash(token);
    const now = ctx.clock.now();
    const expiresAt = now + WALLET_APP_LIMITS.session_absolute_s * 1000;
    const signedIn = await inTransaction(ctx.database, async (tx) => {
      const moved = await updateWalletSession(tx, session.id, { state: 'signing_in' }, {
        id, state: 'active', idle_expires_at: BigInt(now + WALLET_APP_LIMITS.session_idle_s * 1000), expires_at: BigInt(expiresAt),
      });
      if (!moved || !await moveChallenge(tx, challenge.id, 'pin', 'done', resetCode(expiresAt))) return false;
      await renameChallenge(tx, challenge.id, { id, csrfToken: randomToken(ctx.random) });
      await recordPinSuccess(tx, wallet.id);
      return true;
    });
    return signedIn ? { kind: 'new_token', token } : OK;
  },
};

/** A signed-in session starts with fresh code counters (a phone-number change counts its own codes). */
function resetCode(expiresAt: number) {
  return { otp_attempts: 0n, otp_sends: 0n, otp_sent_at: null, expires_at: BigInt(expiresAt) };
}

/** The cookie is the session: its hash is the challenge's id. */
function signInStep(input: WalletStepInput): StepRequest {
  return { id: input.token ? secretHash(input.token) : '', browserKey: undefined, csrfToken: input.csrfToken };
}

export interface WalletStepInput {
  token: string | undefined;
  csrfToken: string | undefined;
}

export function submitSignInCode(ctx: GatewayContext, input: WalletStepInput & { otp: string }): Promise<StepOutcome> {
  return submitCode(ctx, SIGN_IN_FLOW, { ...signInStep(input), otp: input.otp });
}

export function resendSignInCode(ctx: GatewayContext, input: WalletStepInput): Promise<StepOutcome> {
  return requestNewCode(ctx, SIGN_IN_FLOW, signInStep(input));
}

export function submitSignInPin(ctx: GatewayContext, input: WalletStepInput & { pin: string }): Promise<StepOutcome> {
  return submitPin(ctx, SIGN_IN_FLOW, { ...signInStep(input), pin: input.pin });
}

/** "Use another number": ends a sign-in in progress (a signed-in session is left as it is). */
export function cancelSignIn(ctx: GatewayContext, input: WalletStepInput): Promise<StepOutcome> {
  return cancelChallenge(ctx, SIGN_IN_FLOW, signInStep(input));
}

export async function signOut(ctx: GatewayContext, input: WalletStepInput): Promise<StepOutcome> {
  const auth = await requireSignedIn(ctx, input.token, input.csrfToken);
  if (auth === 'forbidden') return FORBIDDEN;
  if (auth !== 'ended') await endWalletSession(ctx.database.db, auth.session.id, 'signed_out', ctx.clock.now());
  return FINISHED;
}

// ——— shared by sign-in and phone-number change ———

export type CodePurpose = 'sign_in' | 'change_phone';

/**
 * The code `purpose` needs, sent to `phone`. The code is bound to the session, its purpose and the number it
 * was sent to. Without `deliver` (a phone with no wallet) nothing is sent, but a code is still stored so
 * every later answer looks the same.
 */
export function walletCode(ctx: GatewayContext, session: WalletSession, purpose: CodePurpose, phone: string, deliver = true): CodeRequest {
  return {
    key: `wallet:${session.id}:${purpose}:${phone}`,
    sendsMax: purpose === 'sign_in' ? ctx.config.otp_sends_max : WALLET_APP_LIMITS.phone_change_codes_max,
    sms: deliver ? { phone, text: (otp) => codeText(otp, purpose, ctx.config.otp_ttl_s) } : undefined,
  };
}

export function codeText(otp: string, purpose: CodePurpose, ttlS: number): string {
  const what = purpose === 'sign_in' ? 'to sign in to OVO' : 'to make this the phone number of your OVO account';
  return `${otp} is your OVO verification code ${what}. It is valid for ${Math.round(ttlS / 60)} minutes. Never share it with anyone, including OVO staff.`;
}
