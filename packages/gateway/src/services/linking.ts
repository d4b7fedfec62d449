// Account linking (spec §4.1): the merchant opens a hosted activation session, the customer answers its
// challenge (services/challenge-flow.ts) on the activation page, and the link is created and the merchant's
// callback queued when the PIN is right — or the session fails and the merchant is told why.
import type { GatewayContext } from '../context.ts';
import { FINISHED } from '../domain/challenge.ts';
import { DomainError } from '../domain/errors.ts';
import { LINK_FAILURE, isExpired, isFinished, type LinkSession } from '../domain/link-session.ts';
import type { Merchant } from '../domain/merchant.ts';
import { localized } from '../domain/localized.ts';
import { randomToken } from '../domain/random.ts';
import type { Wallet } from '../domain/wallet.ts';
import { enqueueDelivery } from '../delivery/outbox.ts';
import { endChallengesOf, insertChallenge } from '../store/challenges.ts';
import { inGroupCommit } from '../store/group-commit.ts';
import { createLink, endLink } from '../store/links.ts';
import {
  deleteFinishedLinkSessions, findLinkSession, insertLinkSession, listExpiredLinkSessions, updateLinkSession,
} from '../store/link-sessions.ts';
import { findMerchant } from '../store/merchants.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';
import { findWallet, findWalletByPhone, recordPinSuccess } from '../store/wallets.ts';
import type { ChallengeFailure, ChallengeFlow } from './challenge-flow.ts';
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
  const id = randomToken(ctx.random);
  const now = ctx.clock.now();
  const ttlS = ctx.config.link_session_ttl_s;
  await inTransaction(ctx.database, async (tx) => {
    await insertLinkSession(tx, { id, merchantId: merchant.merchantId, phone, custName, walletId: wallet.id, now, ttlS });
    await insertChallenge(tx, {
      id, purpose: 'link', subject: id, step: 'otp', csrfToken: randomToken(ctx.random), expiresAt: now + ttlS * 1000, now,
    });
  });
  return activationUrl(ctx, id);
}

export function activationUrl(ctx: GatewayContext, sessionId: string): string {
  return `${ctx.config.publicUrl}/activation/${encodeURIComponent(sessionId)}`;
}

/** An activation session as its page shows it. */
export interface Activation {
  session: LinkSession;
  merchant: Merchant;
}

const FAILURE_DESC: Readonly<Record<ChallengeFailure, string>> = {
  otp_attempts: LINK_FAILURE.otpAttempts,
  pin_locked: LINK_FAILURE.pinLocked,
  wallet_inactive: LINK_FAILURE.walletSuspended,
  phone_changed: LINK_FAILURE.phoneChanged,
  cancelled: LINK_FAILURE.cancelled,
};

/** Account linking's side of its challenge: the session's code goes to the phone it was opened for. */
export const ACTIVATION_FLOW: ChallengeFlow<Activation> = {
  purpose: 'link',
  bindsBrowser: true,
  async load(ctx, challenge) {
    const session = await findLinkSession(ctx.database.db, challenge.subject);
    const merchant = session && await findMerchant(ctx.database.db, session.merchantId);
    if (!session || !merchant) return undefined;
    return { session: await expireIfDue(ctx, session, merchant), merchant };
  },
  isOver: ({ session }) => isFinished(session),
  code: (ctx, _challenge, { session }) => ({
    key: session.id,
    sendsMax: ctx.config.otp_sends_max,
    sms: { phone: session.phone, text: (otp) => otpText(otp, ctx.config.otp_ttl_s) },
  }),
  codesExhausted: localized('No more codes can be sent for this activation. Start again from the shop.',
    'Kode tidak bisa dikirim lagi untuk aktivasi ini. Mulai lagi dari toko.'),
  async wallet(ctx, { session }) {
    const wallet = session.walletId === null ? undefined : await findWallet(ctx.database.db, session.walletId);
    if (!wallet || wallet.status !== 'active') return 'wallet_inactive';
    // The code went to the number the session was opened for; a wallet that moved since must link anew.
    return wallet.phone === session.phone ? wallet : 'phone_changed';
  },
  async fail(ctx, _challenge, { session, merchant }, failure) {
    await finish(ctx, session, merchant, '01', FAILURE_DESC[failure]);
    return FINISHED;
  },
  async succeed(ctx, _challenge, { session, merchant }, wallet) {
    // Group-committed with the state changes that arrive meanwhile; a refusal rolls back only this link.
    const linked = await inGroupCommit(ctx.database, ctx.config.group_commit_batch_max, async (tx) => {
      if (!await endSession(ctx, tx, session, '00', 'Success')) return false;
      await recordPinSuccess(tx, wallet.id);
      await createLink(tx, { merchantId: merchant.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: ctx.clock.now(), ttlS: ctx.config.link_ttl_s });
      await enqueueCallback(ctx, tx, merchant, session.phone, '00', 'Success');
      return true;
    }, { walletRecords: [wallet.id] });
    if (linked) ctx.wakeDeliveries();
    return FINISHED;
  },
};

/**
 * Unlink (spec §4.9): ends the merchant's link with the wallet behind this phone, group-committed with the
 * state changes that arrive meanwhile. Unlinking what is not linked succeeds: the merchant's intent already holds.
 */
export async function unlinkPhone(ctx: GatewayContext, merchant: Merchant, phone: string): Promise<void> {
  const wallet = await findWalletByPhone(ctx.database.db, phone);
  if (!wallet) return;
  await inGroupCommit(ctx.database, ctx.config.group_commit_batch_max,
    (tx) => endLink(tx, merchant.merchantId, wallet.id, 'merchant', ctx.clock.now()), { walletRecords: [wallet.id] });
}

/** Where the browser goes after a finished session, with the result parameters (undefined while open). */
export function activationReturnUrl({ session, merchant }: Activation): string | undefined {
  if (!isFinished(session) || !merchant.returnUrl) return undefined;
  return withParams(merchant.returnUrl, activationResultParams(merchant, session.phone, session.resultCode === '00' ? '00' : '01',
    session.resultDesc ?? ''));
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
  await finish(ctx, session, merchant, '01', LINK_FAILURE.expired);
  return (await findLinkSession(ctx.database.db, session.id))!;
}

/** Ends the open session with a result and queues the merchant's callback, in one transaction. */
async function finish(ctx: GatewayContext, session: LinkSession, merchant: Merchant, code: '00' | '01', desc: string): Promise<void> {
  const done = await inTransaction(ctx.database, async (tx) => {
    const moved = await endSession(ctx, tx, session, code, desc);
    if (moved) await enqueueCallback(ctx, tx, merchant, session.phone, code, desc);
    return moved;
  });
  if (done) ctx.wakeDeliveries();
}

/** Moves the session from open to its result, and ends its challenge. Returns whether this call did. */
async function endSession(ctx: GatewayContext, tx: Tx, session: LinkSession, code: '00' | '01', desc: string): Promise<boolean> {
  const moved = await updateLinkSession(tx, session.id, { state: 'open' }, {
    state: code === '00' ? 'linked' : 'failed', result_code: code, result_desc: desc, finished_at: BigInt(ctx.clock.now()),
  });
  if (moved) await endChallengesOf(tx, session.id);
  return moved;
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

export function otpText(otp: string, ttlS: number): string {
  return `${otp} is your OVO verification code to link your account. It is valid for ${Math.round(ttlS / 60)} minutes. Never share it with anyone, including OVO staff.`;
}
