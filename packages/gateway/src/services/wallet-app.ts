// What a signed-in customer can see and do in the wallet app: balances and transactions, linked merchants
// (and unlinking one), changing the phone number, and in sandbox mode topping up cash. Each action leaves a
// one-line message in the session for the page the browser is redirected to.
import { isMerchantId, normalizePhone } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { OK, STEP_TEXT, retry, type Challenge, type StepOutcome } from '../domain/challenge.ts';
import { encodeLocalized, localized, verbatim, type Localized } from '../domain/localized.ts';
import { isLinkUsable } from '../domain/link.ts';
import type { Wallet } from '../domain/wallet.ts';
import { fundingAccount, listTransfers, transfer, type TransferEntry } from '../store/ledger.ts';
import { inGroupCommit } from '../store/group-commit.ts';
import { endLink, listActiveLinksOfWallet } from '../store/links.ts';
import { findMerchant } from '../store/merchants.ts';
import { inTransaction } from '../store/transaction.ts';
import { moveChallenge, restartChallenge } from '../store/challenges.ts';
import {
  endOtherSessionsOfWallet, findWalletSession, setWalletSessionFlash, updateWalletSession, type FlashKind,
} from '../store/wallet-sessions.ts';
import { changeWalletPhone, findWalletByPhone, recordPinSuccess, walletBalances, type WalletBalances } from '../store/wallets.ts';
import { formatRupiah } from './wallet-app-format.ts';
import {
  cancelChallenge, requestNewCode, sendCode, submitCode, submitPin, type ChallengeFlow, type StepRequest,
} from './challenge-flow.ts';
import {
  PHONE_SHAPE_TEXT, WALLET_APP_LIMITS, WALLET_CODES_EXHAUSTED, signedIn, walletCode, type SignedIn,
} from './wallet-app-session.ts';

export const TRANSACTIONS_PAGE_SIZE = 10;

/** Sandbox top-ups: whole rupiah in this range. */
export const SANDBOX_TOPUP = { amount_min: 10_000n, amount_max: 10_000_000n, reference: 'topup:sandbox' } as const;

export interface WalletTransaction {
  id: bigint;
  at: number;
  currency: 'cash' | 'points';
  amount: bigint;
  /** What the entry did to the spendable balance. */
  effect: 'in' | 'out' | 'none';
  title: Localized;
  detail: Localized | null;
  /** A short state for entries that are part of a payment: held, paid, released. */
  status: Localized | null;
}

export interface WalletOverview {
  balances: WalletBalances;
  transactions: WalletTransaction[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  olderBefore: bigint | null;
}

const PAYMENT_REFERENCE = /^payment:([0-9A-Za-z_-]{1,64})$/;

/** Balances and one page of transactions on both accounts, newest first, keyset-paginated by transfer id. */
export async function walletOverview(ctx: GatewayContext, wallet: Wallet, beforeId?: bigint): Promise<WalletOverview> {
  const db = ctx.database.db;
  const balances = await walletBalances(db, wallet);
  const page = { limit: TRANSACTIONS_PAGE_SIZE + 1, beforeId };
  const cash = (await listTransfers(db, wallet.cashAccountId, page)).map((e) => ({ e, currency: 'cash' as const }));
  const points = (await listTransfers(db, wallet.pointsAccountId, page)).map((e) => ({ e, currency: 'points' as const }));
  const merged = [...cash, ...points].sort((a, b) => (a.e.id < b.e.id ? 1 : a.e.id > b.e.id ? -1 : 0));
  const shown = merged.slice(0, TRANSACTIONS_PAGE_SIZE);
  const names = await counterpartyNames(ctx, shown.map((s) => s.e));
  return {
    balances,
    transactions: shown.map(({ e, currency }) => describeTransfer(e, currency, names)),
    olderBefore: merged.length > TRANSACTIONS_PAGE_SIZE ? shown[shown.length - 1]!.e.id : null,
  };
}

interface Names {
  merchantByAccount: Map<bigint, string>;
  payments: Map<string, { merchant: string | null; billDesc: string }>;
}

/** Merchant names behind the counterparty accounts (settlement shards too) and the payments the references point at (three queries). */
async function counterpartyNames(ctx: GatewayContext, entries: readonly TransferEntry[]): Promise<Names> {
  const db = ctx.database.db;
  const accounts = [...new Set(entries.map((e) => e.counterpartyAccountId))];
  const trxIds = [...new Set(entries.flatMap((e) => PAYMENT_REFERENCE.exec(e.reference ?? '')?.[1] ?? []))];
  const merchantByAccount = new Map<bigint, string>();
  const merchantById = new Map<string, string>();
  const payments = new Map<string, { merchant: string | null; billDesc: string }>();
  const paymentRows = trxIds.length === 0 ? [] : await db.selectFrom('payments')
    .select(['trx_id', 'merchant_id', 'bill_desc']).where('trx_id', 'in', trxIds).execute();
  const merchantIds = [...new Set(paymentRows.map((p) => p.merchant_id))];
  if (accounts.length > 0 || merchantIds.length > 0) {
    const rows = await db.selectFrom('merchants').select(['merchant_id', 'name', 'settlement_account_id', 'points_settlement_account_id'])
      .where((eb) => eb.or([
        ...(accounts.length > 0 ? [eb('settlement_account_id', 'in', accounts), eb('points_settlement_account_id', 'in', accounts)] : []),
        ...(merchantIds.length > 0 ? [eb('merchant_id', 'in', merchantIds)] : []),
      ])).execute();
    for (const row of rows) {
      merchantById.set(row.merchant_id, row.name);
      merchantByAccount.set(BigInt(row.settlement_account_id), row.name);
      if (row.points_settlement_account_id !== null) merchantByAccount.set(BigInt(row.points_settlement_account_id), row.name);
    }
  }
  const shardRows = accounts.length === 0 ? [] : await db.selectFrom('settlement_shards as s')
    .innerJoin('merchants as m', 'm.merchant_id', 's.merchant_id').select(['m.name', 's.cash_account_id', 's.points_account_id'])
    .where((eb) => eb.or([eb('s.cash_account_id', 'in', accounts), eb('s.points_account_id', 'in', accounts)])).execute();
  for (const row of shardRows) {
    merchantByAccount.set(BigInt(row.cash_account_id), row.name);
    merchantByAccount.set(BigInt(row.points_account_id), row.name);
  }
  for (const p of paymentRows) payments.set(p.trx_id, { merchant: merchantById.get(p.merchant_id) ?? null, billDesc: p.bill_desc });
  return { merchantByAccount, payments };
}

/** A ledger entry as the customer reads it. Unknown references are shown as they are, never guessed at. */
export function describeTransfer(e: TransferEntry, currency: 'cash' | 'points', names: Names): WalletTransaction {
  const outgoing = e.direction === 'debit';
  const effect: WalletTransaction['effect'] = e.kind === 'posted' ? (outgoing ? 'out' : 'in')
    : e.kind === 'pending' ? (outgoing ? 'out' : 'none')
      : e.kind === 'void_pending' ? (outgoing ? 'in' : 'none')
        : (outgoing ? 'none' : 'in');
  const base = { id: e.id, at: e.createdAt, currency, amount: e.amount, effect };
  const reference = e.reference ?? '';
  const merchant = names.merchantByAccount.get(e.counterpartyAccountId) ?? null;
  const payment = PAYMENT_REFERENCE.exec(reference);
  if (payment) {
    const trxId = payment[1]!;
    const known = names.payments.get(trxId);
    const to = known?.merchant ?? merchant;
    // A pinless payment is one posted transfer; a PIN payment is a hold, then its post or void.
    const status = e.kind === 'pending' ? localized('On hold', 'Ditahan')
      : e.kind === 'post_pending' || (e.kind === 'posted' && outgoing) ? localized('Paid', 'Dibayar')
        : e.kind === 'void_pending' ? localized('Released', 'Dikembalikan') : null;
    return {
      ...base,
      title: outgoing || e.kind !== 'posted'
        ? localized(`Payment to ${to ?? 'a merchant'}`, `Pembayaran ke ${to ?? 'merchant'}`)
        : localized(`Refund from ${to ?? 'a merchant'}`, `Pengembalian dana dari ${to ?? 'merchant'}`),
      detail: localized([known?.billDesc, `Transaction ${trxId}`].filter(Boolean).join(' · '),
        [known?.billDesc, `Transaksi ${trxId}`].filter(Boolean).join(' · ')),
      status,
    };
  }
  if (reference === 'opening balance') return { ...base, title: localized('Opening balance', 'Saldo awal'), detail: null, status: null };
  if (reference === SANDBOX_TOPUP.reference) return { ...base, title: verbatim('Top up'), detail: localized('Sandbox top-up', 'Top up sandbox'), status: null };
  if (reference.startsWith('topup:')) return { ...base, title: verbatim('Top up'), detail: optionalVerbatim(reference.slice('topup:'.length)), status: null };
  if (merchant) {
    return {
      ...base,
      title: outgoing ? localized(`Payment to ${merchant}`, `Pembayaran ke ${merchant}`) : localized(`Refund from ${merchant}`, `Pengembalian dana dari ${merchant}`),
      detail: optionalVerbatim(reference),
      status: null,
    };
  }
  const title = effect === 'in' ? localized('Money in', 'Dana masuk') : effect === 'out' ? localized('Money out', 'Dana keluar') : verbatim('Transfer');
  return { ...base, title, detail: optionalVerbatim(reference), status: null };
}

function optionalVerbatim(text: string): Localized | null {
  return text ? verbatim(text) : null;
}

export interface LinkedMerchant {
  merchantId: string;
  name: string;
  since: number;
  /** False when the link outlived its validity or predates a phone-number change: the shop must link again. */
  usable: boolean;
}

export async function linkedMerchants(ctx: GatewayContext, wallet: Wallet): Promise<LinkedMerchant[]> {
  const links = await listActiveLinksOfWallet(ctx.database.db, wallet.id);
  const out: LinkedMerchant[] = [];
  const now = ctx.clock.now();
  for (const link of links) {
    const merchant = await findMerchant(ctx.database.db, link.merchantId);
    out.push({
      merchantId: link.merchantId,
      name: merchant?.name ?? `Merchant ${link.merchantId}`,
      since: link.createdAt,
      usable: isLinkUsable(link, wallet, now),
    });
  }
  return out;
}

/** Ends the wallet's link with this merchant; its next payment or balance call answers 02 with a relink url. */
export async function unlinkMerchant(ctx: GatewayContext, auth: SignedIn, merchantId: string): Promise<StepOutcome> {
  if (!isMerchantId(merchantId)) return flashed(ctx, auth, 'error', localized('That merchant is not linked to your OVO account.', 'Merchant itu tidak tertaut ke akun OVO kamu.'));
  const merchant = await findMerchant(ctx.database.db, merchantId);
  const name = merchant?.name ?? `Merchant ${merchantId}`;
  await inGroupCommit(ctx.database, ctx.config.group_commit_batch_max, async (tx) => {
    const ended = await endLink(tx, merchantId, auth.wallet.id, 'customer', ctx.clock.now());
    await setWalletSessionFlash(tx, auth.session.id, ended ? 'success' : 'info', encodeLocalized(ended
      ? localized(`${name} is unlinked and can no longer charge your OVO account.`, `${name} sudah tidak tertaut dan tidak bisa lagi menagih akun OVO kamu.`)
      : localized(`${name} was not linked to your OVO account.`, `${name} tidak tertaut ke akun OVO kamu.`)));
  }, { walletRecords: [auth.wallet.id] });
  return { kind: 'ok' };
}

// ——— phone-number change: new number → code to the new number → PIN → one transaction ———

/** The change is the session's challenge, run again with its own purpose and codes sent to the new number. */
const PHONE_CHANGE_FLOW: ChallengeFlow<SignedIn | 'ended'> = {
  purpose: 'wallet_phone_change',
  bindsBrowser: false,
  async load(ctx, challenge) {
    const session = await findWalletSession(ctx.database.db, challenge.subject);
    return session && signedIn(ctx, session);
  },
  isOver: (auth) => auth === 'ended',
  code: (ctx, _challenge, auth) => {
    const { session } = auth as SignedIn;
    return walletCode(ctx, session, 'change_phone', session.newPhone!);
  },
  codesExhausted: WALLET_CODES_EXHAUSTED,
  wallet: async (_ctx, auth) => (auth as SignedIn).wallet,
  async fail(ctx, challenge, auth, failure) {
    await endPhoneChange(ctx, auth as SignedIn, challenge.step);
    const minutes = Math.round(ctx.config.pin_lock_s / 60);
    return flashed(ctx, auth as SignedIn, failure === 'cancelled' ? 'info' : 'error', failure === 'cancelled'
      ? localized('Phone number change cancelled. Nothing was changed.', 'Penggantian nomor ponsel dibatalkan. Tidak ada yang diubah.')
      : failure === 'pin_locked'
        ? localized(
          `Your OVO PIN is locked after ${ctx.config.pin_attempts_max} wrong attempts, so your phone number was not changed. Try again in ${minutes} minutes.`,
          `PIN OVO kamu diblokir setelah ${ctx.config.pin_attempts_max} kali salah, jadi nomor ponsel kamu tidak diganti. Coba lagi dalam ${minutes} menit.`)
        : localized('Too many wrong codes. Your phone number was not changed.',
          'Terlalu banyak kode verifikasi yang salah. Nomor ponsel kamu tidak diganti.'));
  },
  succeed: (ctx, _challenge, auth, wallet) => changePhone(ctx, auth as SignedIn, wallet),
};

/** The session's own challenge, as a step request: its CSRF token was checked by requireSignedIn. */
function phoneChangeStep(auth: SignedIn): StepRequest {
  return { id: auth.session.id, browserKey: undefined, csrfToken: auth.session.challenge.csrfToken };
}

export async function startPhoneChange(ctx: GatewayContext, auth: SignedIn, input: string): Promise<StepOutcome> {
  const { session, wallet } = auth;
  const typed = input.trim();
  const phone = normalizePhone(typed.replace(/[\s-]/g, ''));
  if (!phone) return retry(PHONE_SHAPE_TEXT, typed);
  if (phone === wallet.phone) {
    return retry(localized('This is already the phone number of your OVO account.', 'Nomor ini sudah menjadi nomor ponsel akun OVO kamu.'), typed);
  }
  const owner = await findWalletByPhone(ctx.database.db, phone);
  if (owner) return retry(NUMBER_TAKEN_TEXT, typed);
  if (session.challenge.otpSends >= WALLET_APP_LIMITS.phone_change_codes_max) {
    return retry(localized('Too many codes were sent in this session. Please sign in again later to try again.',
      'Terlalu banyak kode yang dikirim di sesi ini. Silakan masuk lagi nanti untuk mencoba lagi.'), typed);
  }
  // Starting over may come at once (to another number): only the number of codes is limited.
  const sent = await sendCode(ctx, { challengeId: session.id }, {
    ...walletCode(ctx, session, 'change_phone', phone),
    intervalS: 0,
    alongside: async (tx) => {
      await restartChallenge(tx, session.id, 'wallet_phone_change');
      await updateWalletSession(tx, session.id, { state: 'active' }, { new_phone: phone });
    },
  });
  return sent ? OK : retry(STEP_TEXT.tryAgain, typed);
}

export function submitPhoneChangeCode(ctx: GatewayContext, auth: SignedIn, otp: string): Promise<StepOutcome> {
  return submitCode(ctx, PHONE_CHANGE_FLOW, { ...phoneChangeStep(auth), otp });
}

export function resendPhoneChangeCode(ctx: GatewayContext, auth: SignedIn): Promise<StepOutcome> {
  return requestNewCode(ctx, PHONE_CHANGE_FLOW, phoneChangeStep(auth));
}

export function cancelPhoneChange(ctx: GatewayContext, auth: SignedIn): Promise<StepOutcome> {
  return cancelChallenge(ctx, PHONE_CHANGE_FLOW, phoneChangeStep(auth));
}

export function confirmPhoneChange(ctx: GatewayContext, auth: SignedIn, pin: string): Promise<StepOutcome> {
  return submitPin(ctx, PHONE_CHANGE_FLOW, { ...phoneChangeStep(auth), pin });
}

/** Drops the change in progress (its code stops working); the session stays signed in. */
async function endPhoneChange(ctx: GatewayContext, auth: SignedIn, from: Challenge['step']): Promise<void> {
  await inTransaction(ctx.database, async (tx) => {
    if (await moveChallenge(tx, auth.session.id, from, 'done')) {
      await updateWalletSession(tx, auth.session.id, { state: 'active' }, { new_phone: null });
    }
  });
}

class Rollback extends Error {}

/**
 * The PIN was right. In one transaction: the wallet takes the new number and a new phone_version (so every
 * existing link stops working, spec §4.4), the session follows it, and every other session is signed out.
 */
async function changePhone(ctx: GatewayContext, auth: SignedIn, wallet: Wallet): Promise<StepOutcome> {
  const { session } = auth;
  const newPhone = session.newPhone!;
  const now = ctx.clock.now();
  const taken = async () => {
    await endPhoneChange(ctx, auth, 'pin');
    return flashed(ctx, auth, 'error', localized(`${NUMBER_TAKEN_TEXT.en} Your phone number was not changed.`, `${NUMBER_TAKEN_TEXT.id} Nomor ponsel kamu tidak diganti.`));
  };
  try {
    const outcome = await inTransaction(ctx.database, async (tx) => {
      await recordPinSuccess(tx, wallet.id);
      if (await findWalletByPhone(tx, newPhone)) return 'taken' as const;
      if (!await changeWalletPhone(tx, wallet.id, wallet.phone, newPhone)) throw new Rollback();
      const followed = await updateWalletSession(tx, session.id, { state: 'active', newPhone }, {
        new_phone: null, phone: newPhone,
        flash: encodeLocalized(localized(`Your OVO phone number is now ${newPhone}. Shops you had linked will ask you to link your account again.`,
          `Nomor ponsel OVO kamu sekarang ${newPhone}. Toko yang sudah tertaut akan meminta kamu menautkan akun lagi.`)),
        flash_kind: 'success',
      });
      if (!followed || !await moveChallenge(tx, session.id, 'pin', 'done')) throw new Rollback();
      await endOtherSessionsOfWallet(tx, wallet.id, session.id, 'phone_changed', now);
      return 'changed' as const;
    });
    return outcome === 'taken' ? taken() : OK;
  } catch (error) {
    if (error instanceof Rollback) return OK;
    // Another wallet took the number between our check and our update: the unique index refused it.
    const owner = await findWalletByPhone(ctx.database.db, newPhone);
    if (owner && owner.id !== wallet.id) return taken();
    throw error;
  }
}

// ——— sandbox top-up ———

export async function sandboxTopUp(ctx: GatewayContext, auth: SignedIn, amount: bigint | null): Promise<StepOutcome> {
  if (!ctx.config.sandbox) return { kind: 'forbidden' };
  const [min, max] = [formatRupiah(SANDBOX_TOPUP.amount_min), formatRupiah(SANDBOX_TOPUP.amount_max)];
  if (amount === null) {
    return retry(localized(`Enter an amount in rupiah from ${min} to ${max}, e.g. 100000.`, `Masukkan jumlah dalam rupiah, dari ${min} sampai ${max}, misalnya 100000.`));
  }
  if (amount < SANDBOX_TOPUP.amount_min || amount > SANDBOX_TOPUP.amount_max) {
    return retry(localized(`You can top up ${min} to ${max} at a time.`, `Kamu bisa top up ${min} sampai ${max} sekali transaksi.`), String(amount));
  }
  await inTransaction(ctx.database, async (tx) => {
    const now = ctx.clock.now();
    const source = await fundingAccount(tx, 'funding_cash', now);
    await transfer(tx, { debitAccountId: source, creditAccountId: auth.wallet.cashAccountId, amount, reference: SANDBOX_TOPUP.reference, now });
    await setWalletSessionFlash(tx, auth.session.id, 'success',
      encodeLocalized(localized(`${formatRupiah(amount)} was added to your OVO Cash.`, `${formatRupiah(amount)} sudah masuk ke OVO Cash kamu.`)));
  });
  return { kind: 'ok' };
}

const NUMBER_TAKEN_TEXT = localized('This number is already registered to another OVO account.', 'Nomor ini sudah terdaftar di akun OVO lain.');

/** Leaves a message (in both languages) for the page the browser is sent to next. */
async function flashed(ctx: GatewayContext, auth: SignedIn, kind: FlashKind, text: Localized): Promise<StepOutcome> {
  await setWalletSessionFlash(ctx.database.db, auth.session.id, kind, encodeLocalized(text));
  return { kind: 'ok' };
}
