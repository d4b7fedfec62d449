import { secretHash, secretsEqual } from '../domain/secrets.ts';
import type { GatewayContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { LINK_FAILURE, isExpired, isFinished, type LinkSession } from '../domain/link-session.ts';
import type { Merchant } from '../domain/merchant.ts';
import { STEP_TEXT, localized, type Localized } from '../domain/localized.ts';
import { randomToken } from '../domain/random.ts';
import type { Wallet } from '../domain/wallet.ts';
import { enqueueDelivery } from '../delivery/outbox.ts';
import { createLink } from '../store/links.ts';
import {
  deleteFinishedLinkSessions, findLinkSession, insertLinkSession, linkSessionOtpRow, listExpiredLinkSessions, updateLinkSession,
} from '../store/link-sessions.ts';
import { findMerchant } from '../store/merchants.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';
import { findWallet, findWalletByPhone, recordPinSuccess } from '../store/wallets.ts';
import { checkOtp, resendOtpIfAllowed, sendOtp, type OtpSendRequest } from './otp-check.ts';
import { checkWalletPin } from './pin-check.ts';
import { activationResultParams, withParams } from './activation-result.ts';
import { findOrCreateSandboxWallet } from './sandbox-wallets.ts';

/** Resolves the wallet behind a phone: created on first sight in sandbox mode, else it must exist. */
export async function walletForActivation(ctx: GatewayContext, phone: string, custName: string): Promise<Wallet> {
  const wallet = ctx.config.sandbox
    ? await findOrCreateSandboxWallet(ctx, phone, custName)
    : await findWalletByPhone(ctx.database.db, phone);
  if (!wallet) throw new DomainError('wallet_unknown', 'Invalid Customer or MSISDN is not found');
  if (wallet.status !== 'active') throw new DomainError('wallet_suspended', 'OVO account is not active');
  return wallet;
}

/** Opens a hosted activation session and returns the URL the merchant sends the customer's browser to. */
export async function startActivation(ctx: GatewayContext, merchant: Merchant, phone: string, custName: string): Promise<string> {
  const wallet = await walletForActivation(ctx, phone, custName);
  const session = await insertLinkSession(ctx.database.db, {
    id: randomToken(ctx.random),
    merchantId: merchant.merchantId,
    phone,
    custName,
    walletId: wallet.id,
    csrfToken: randomToken(ctx.random),
    now: ctx.clock.now(),
    ttlS: ctx.config.link_session_ttl_s,
  });
  return activationUrl(ctx, session.id);
}

export function activationUrl(ctx: GatewayContext, sessionId: string): string {
  return `${ctx.config.publicUrl}/activation/${encodeURIComponent(sessionId)}`;
}

export type SessionProblem = 'not_found' | 'other_browser';

export interface SessionView {
  session: LinkSession;
  merchant: Merchant;
  /** Set when this request bound the session to the browser: the page must send it as a cookie. */
  newBrowserKey?: string;
  /** A one-line message for the customer, e.g. after a wrong code. */
  flash?: Localized;
  /** How `flash` is shown: an error (the default) or a confirmation. */
  flashKind?: 'error' | 'info';
  /** Where the browser goes after a finished session, with the result parameters. */
  returnUrl?: string;
}

/**
 * Loads the session for the page. The first browser to open it is bound to it by a cookie, so a leaked URL
 * is useless elsewhere. Opening a session in the OTP step without a live code sends one.
 */
export async function openSession(ctx: GatewayContext, id: string, browserKey: string | undefined): Promise<SessionView | SessionProblem> {
  let session = await findLinkSession(ctx.database.db, id);
  if (!session) return 'not_found';
  const merchant = await findMerchant(ctx.database.db, session.merchantId);
  if (!merchant) return 'not_found';
  let newBrowserKey: string | undefined;
  if (session.browserKeyHash === null) {
    if (!isFinished(session)) {
      newBrowserKey = randomToken(ctx.random);
      const bound = await ctx.database.db.updateTable('link_sessions').set({ browser_key_hash: secretHash(newBrowserKey) })
        .where('id', '=', id).where('browser_key_hash', 'is', null).executeTakeFirst();
      if (bound.numUpdatedRows !== 1n) return 'other_browser';
    }
  } else if (!browserKey || session.browserKeyHash === null || !secretsEqual(session.browserKeyHash, secretHash(browserKey))) {
    return 'other_browser';
  }
  session = await expireIfDue(ctx, session, merchant);
  if (session.state === 'otp' && session.otpSends === 0) {
    await sendOtp(ctx, otpSend(ctx, session));
    session = (await findLinkSession(ctx.database.db, id))!;
  }
  return { session, merchant, newBrowserKey, returnUrl: resultUrl(merchant, session) };
}

export function browserKeyMatches(session: LinkSession, browserKey: string | undefined): boolean {
  return session.browserKeyHash !== null && browserKey !== undefined && secretsEqual(session.browserKeyHash, secretHash(browserKey));
}

export type StepOutcome =
  | { kind: 'ok' }
  /** Show the step again with `message`: an error (HTTP 422), or with `info` a confirmation (HTTP 200). */
  | { kind: 'retry'; message: Localized; info?: true }
  | { kind: 'finished' }
  | { kind: 'forbidden' };

interface StepInput {
  id: string;
  browserKey: string | undefined;
  csrfToken: string | undefined;
}

/** Checks that the POST comes from the bound browser with the form's CSRF token and the session is live. */
async function loadForStep(ctx: GatewayContext, input: StepInput): Promise<{ session: LinkSession; merchant: Merchant } | StepOutcome> {
  const session = await findLinkSession(ctx.database.db, input.id);
  if (!session || !browserKeyMatches(session, input.browserKey) || !secretsEqual(session.csrfToken, input.csrfToken)) {
    return { kind: 'forbidden' };
  }
  const merchant = await findMerchant(ctx.database.db, session.merchantId);
  if (!merchant) return { kind: 'forbidden' };
  const current = await expireIfDue(ctx, session, merchant);
  if (isFinished(current)) return { kind: 'finished' };
  return { session: current, merchant };
}

export async function submitOtp(ctx: GatewayContext, input: StepInput & { otp: string }): Promise<StepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { session, merchant } = loaded;
  if (session.state !== 'otp') return { kind: 'ok' };
  const check = await checkOtp(ctx, linkSessionOtpRow(session.id), session, session.id, input.otp);
  if (check.kind === 'retry') return check;
  if (check.kind === 'used_up') {
    await finish(ctx, session, merchant, '01', LINK_FAILURE.otpAttempts, 'otp');
    return { kind: 'finished' };
  }
  // Single use: the code is gone once it has worked.
  await updateLinkSession(ctx.database.db, session.id, { state: 'otp' }, { state: 'pin', otp_hash: null, otp_expires_at: null });
  return { kind: 'ok' };
}

export async function resendOtp(ctx: GatewayContext, input: StepInput): Promise<StepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { session } = loaded;
  if (session.state !== 'otp') return { kind: 'ok' };
  const refusal = await resendOtpIfAllowed(ctx, session, otpSend(ctx, session), localized(
    'No more codes can be sent for this activation. Start again from the shop.',
    'Kode tidak bisa dikirim lagi untuk aktivasi ini. Mulai lagi dari toko.'), () => findLinkSession(ctx.database.db, session.id));
  if (refusal) return { kind: 'retry', message: refusal };
  return { kind: 'retry', message: STEP_TEXT.newCodeSent, info: true };
}

export async function submitPin(ctx: GatewayContext, input: StepInput & { pin: string }): Promise<StepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { session, merchant } = loaded;
  if (session.state !== 'pin') return { kind: 'ok' };
  if (!/^[0-9]{6}$/.test(input.pin)) return { kind: 'retry', message: STEP_TEXT.pinShape };
  const wallet = session.walletId === null ? undefined : await findWallet(ctx.database.db, session.walletId);
  if (!wallet || wallet.status !== 'active') {
    await finish(ctx, session, merchant, '01', LINK_FAILURE.walletSuspended, 'pin');
    return { kind: 'finished' };
  }
  // The code went to the number the session was opened for; a wallet that moved since must link anew.
  if (wallet.phone !== session.phone) {
    await finish(ctx, session, merchant, '01', LINK_FAILURE.phoneChanged, 'pin');
    return { kind: 'finished' };
  }
  const check = await checkWalletPin(ctx, wallet, input.pin);
  if (check.kind === 'locked') {
    await finish(ctx, session, merchant, '01', LINK_FAILURE.pinLocked, 'pin');
    return { kind: 'finished' };
  }
  if (check.kind === 'wrong' || check.kind === 'busy') return { kind: 'retry', message: check.message };
  const linked = await inTransaction(ctx.database, async (tx) => {
    const moved = await updateLinkSession(tx, session.id, { state: 'pin' }, {
      state: 'linked', result_code: '00', result_desc: 'Success', finished_at: BigInt(ctx.clock.now()),
    });
    if (!moved) return false;
    await recordPinSuccess(tx, wallet.id);
    await createLink(tx, { merchantId: merchant.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: ctx.clock.now(), ttlS: ctx.config.link_ttl_s });
    await enqueueCallback(ctx, tx, merchant, session.phone, '00', 'Success');
    return true;
  });
  if (linked) ctx.wakeDeliveries();
  return { kind: 'finished' };
}

export async function cancelSession(ctx: GatewayContext, input: StepInput): Promise<StepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  await finish(ctx, loaded.session, loaded.merchant, '01', LINK_FAILURE.cancelled, loaded.session.state);
  return { kind: 'finished' };
}

/** Fails sessions abandoned past their life, telling each merchant. Returns how many. */
export async function sweepExpiredSessions(ctx: GatewayContext, limit = 100): Promise<number> {
  const expired = await listExpiredLinkSessions(ctx.database.db, ctx.clock.now(), limit);
  for (const session of expired) {
    const merchant = await findMerchant(ctx.database.db, session.merchantId);
    if (merchant) await expireIfDue(ctx, session, merchant);
  }
  await deleteFinishedLinkSessions(ctx.database.db, ctx.clock.now() - FINISHED_SESSION_KEEP_MS);
  return expired.length;
}

/** Finished sessions stay a day, so a customer who reloads the result page still sees it. */
const FINISHED_SESSION_KEEP_MS = 24 * 60 * 60 * 1000;

async function expireIfDue(ctx: GatewayContext, session: LinkSession, merchant: Merchant): Promise<LinkSession> {
  if (!isExpired(session, ctx.clock.now())) return session;
  await finish(ctx, session, merchant, '01', LINK_FAILURE.expired, session.state);
  return (await findLinkSession(ctx.database.db, session.id))!;
}

/** Ends the session with a result and queues the merchant's callback, in one transaction. */
async function finish(ctx: GatewayContext, session: LinkSession, merchant: Merchant, code: '00' | '01', desc: string,
  fromState: LinkSession['state']): Promise<void> {
  const done = await inTransaction(ctx.database, async (tx) => {
    const moved = await updateLinkSession(tx, session.id, { state: fromState }, {
      state: code === '00' ? 'linked' : 'failed', result_code: code, result_desc: desc,
      otp_hash: null, finished_at: BigInt(ctx.clock.now()),
    });
    if (moved) await enqueueCallback(ctx, tx, merchant, session.phone, code, desc);
    return moved;
  });
  if (done) ctx.wakeDeliveries();
}

async function enqueueCallback(ctx: GatewayContext, tx: Tx, merchant: Merchant, phone: string, code: '00' | '01', desc: string): Promise<void> {
  if (!merchant.callbackUrl) return;
  await enqueueDelivery(tx, {
    kind: 'activation_callback',
    merchantId: merchant.merchantId,
    method: 'GET',
    url: withParams(merchant.callbackUrl, activationResultParams(merchant, phone, code, desc)),
  }, { now: ctx.clock.now(), retryHorizonMs: ctx.config.delivery_horizon_s * 1000, notificationId: `act_${randomToken(ctx.random).slice(0, 24)}` });
}

/** The session's code, sent to the phone it was opened for. */
function otpSend(ctx: GatewayContext, session: LinkSession): OtpSendRequest {
  return {
    row: linkSessionOtpRow(session.id),
    key: session.id,
    sendsMax: ctx.config.otp_sends_max,
    sms: { phone: session.phone, text: (otp) => otpText(otp, ctx.config.otp_ttl_s) },
  };
}

export function otpText(otp: string, ttlS: number): string {
  return `${otp} is your OVO verification code to link your account. It is valid for ${Math.round(ttlS / 60)} minutes. Never share it with anyone, including OVO staff.`;
}

function resultUrl(merchant: Merchant, session: LinkSession): string | undefined {
  if (!isFinished(session) || !merchant.returnUrl) return undefined;
  return withParams(merchant.returnUrl, activationResultParams(merchant, session.phone, session.resultCode === '00' ? '00' : '01',
    session.resultDesc ?? ''));
}

