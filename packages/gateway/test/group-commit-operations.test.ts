// Proves on SQLite and PostgreSQL that the state changes after a payment's creation are group-committed
// (store/group-commit.ts): settling after the PIN, cancelling, expiring, unlinking and creating a link on
// activation. Each test fires many calls at once, some of which must be refused or must find their work
// already done, and checks that every call gets its own answer, that the good ones all committed (with their
// ledger moves and their outbox rows) while a refused one left nothing behind, and that batches formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Payment, PaymentStatus } from '../src/domain/payment.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { DomainError } from '../src/domain/errors.ts';
import { FINISHED } from '../src/domain/challenge.ts';
import { ACTIVATION_FLOW, startActivation, unlinkPhone } from '../src/services/linking.ts';
import { PAYMENT_FLOW } from '../src/services/payment-authorization.ts';
import { expirePayments, settlePayment } from '../src/services/payments.ts';
import { findChallenge } from '../src/store/challenges.ts';
import { groupCommitStats, type GroupCommitStats } from '../src/store/group-commit.ts';
import { voidHold } from '../src/store/ledger.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { findWallet } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, provisionMerchant, type Reply } from './support/gateway.ts';
import {
  fundedWallet, linkThroughStore, paymentTransfers, reloadPayment, startNotificationReceiver, startPaymentsGateway, walletMoney,
  type PaymentsGateway,
} from './support/payments.ts';

const GOOD = 24;
const HOUR = 60 * 60 * 1000;

interface Scene {
  gw: PaymentsGateway;
  shop: Merchant;
  /** Ample cash and points, several so a batch locks several wallets' rows. */
  wallets: Wallet[];
  /** 5,000 points: its pay_type 2 payment of 8,000 holds 5,000 points and 3,000 cash (two holds). */
  split: Wallet;
}

let sceneSeq = 0;

/** A gateway whose every payment needs the PIN (pinless limit 0) and whose sweeper stays out of the way. */
async function scene(kind: (typeof DATABASE_KINDS)[number]): Promise<Scene> {
  const n = ++sceneSeq;
  const receiver = await startNotificationReceiver();
  const gw = await startPaymentsGateway(kind, {
    sweepIntervalMs: HOUR,
    merchants: [{ merchantId: '73001', name: 'Group Shop', userId: 'bot73001', password: 'group-pw', pinlessLimit: 0n, notifyUrl: receiver.url }],
  });
  const [shop] = gw.merchants as [Merchant];
  const wallets: Wallet[] = [];
  for (let i = 0; i < 4; i++) wallets.push(await fundedWallet(gw.database, { phone: `0813730${n}${String(i).padStart(4, '0')}`, cash: 10_000_000n, points: 10_000_000n }));
  const split = await fundedWallet(gw.database, { phone: `0813730${n}9999`, cash: 10_000_000n, points: 5_000n });
  for (const w of [...wallets, split]) await linkThroughStore(gw.ctx, shop.merchantId, w);
  return { gw, shop, wallets, split };
}

interface Pending {
  payment: Payment;
  pageToken: string;
}

/** Pending payments made through the API (each holds its funds), `count` of them spread over the wallets. */
async function pendingPayments(s: Scene, prefix: string, count: number): Promise<Pending[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => pendingPayment(s, `${prefix}-${i}`, s.wallets[i % s.wallets.length]!, 1_000n + BigInt(i), i % 2 === 0 ? '0' : '1')));
}

async function pendingPayment(s: Scene, billNo: string, wallet: Wallet, amount: bigint, payType: '0' | '1' | '2'): Promise<Pending> {
  const reply = await callOperation(s.gw.url, 'payment', {
    merchant_id: s.shop.merchantId, bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: String(amount), bill_currency: 'IDR',
    payment_channel: '720', phone_no: wallet.phone, cust_name: 'Group Customer', email: 'group@example.com', pay_type: payType,
  }, 'json', s.shop);
  assert.equal(reply.body.response_code, '00', reply.raw);
  const pageToken = /\/pay\/([^/?#]+)$/.exec(reply.body.redirectURL as string)![1]!;
  const payment = await reloadPayment(s.gw.database, reply.body.trx_id as string);
  assert.equal(payment.status, 'PENDING');
  return { payment, pageToken };
}

/**
 * A two-hold payment whose points hold something else already voided (bookkeeping gone wrong): settling it
 * posts or voids the cash hold, then is refused at the points hold (hold_resolved), and must roll back both.
 */
async function brokenPayment(s: Scene, billNo: string): Promise<Pending> {
  const broken = await pendingPayment(s, billNo, s.split, 8_000n, '2');
  assert.deepEqual([broken.payment.cashAmount, broken.payment.pointsAmount], [3_000n, 5_000n]);
  await inTransaction(s.gw.database, (tx) => voidHold(tx, broken.payment.pointsTransferId!, s.gw.clock.now()));
  return broken;
}

/** The broken payment is as it was before it was settled: PENDING, its cash still held, nothing queued. */
async function assertUntouched(s: Scene, broken: Pending, why: string): Promise<void> {
  assert.equal((await reloadPayment(s.gw.database, broken.payment.trxId)).status, 'PENDING', why);
  assert.deepEqual((await paymentTransfers(s.gw.database, broken.payment.trxId)).map((t) => t.kind), ['pending', 'pending', 'void_pending'], why);
  const money = await walletMoney(s.gw.database, s.split);
  assert.deepEqual([money.cashHeld, money.pointsHeld, money.pointsAvailable], [3_000n, 0n, 5_000n], why);
  assert.equal(await notificationsOf(s, broken.payment.trxId), 0, why);
}

function assertRefusedByHold(result: PromiseSettledResult<unknown>, why: string): void {
  assert.equal(result.status, 'rejected', why);
  const reason = (result as PromiseRejectedResult).reason;
  assert.ok(reason instanceof DomainError && reason.reason === 'hold_resolved', `${why}: ${String(reason)}`);
}

/** The payment ended in `status` once: each hold resolved once (posted when paid, voided otherwise), one notification. */
async function assertSettled(s: Scene, trxId: string, status: PaymentStatus, why: string): Promise<void> {
  const payment = await reloadPayment(s.gw.database, trxId);
  assert.equal(payment.status, status, why);
  const transfers = await paymentTransfers(s.gw.database, trxId);
  const holds = transfers.filter((t) => t.kind === 'pending');
  assert.ok(holds.length > 0, why);
  const resolution = status === 'SUCCESS' ? 'post_pending' : 'void_pending';
  for (const h of holds) assert.deepEqual(transfers.filter((t) => t.pendingId === h.id).map((t) => t.kind), [resolution], `${why}: hold ${h.id}`);
  assert.equal(await notificationsOf(s, trxId), 1, `${why}: one notification`);
}

async function notificationsOf(s: Scene, trxId: string): Promise<number> {
  const rows = await s.gw.database.db.selectFrom('outbox').select('id')
    .where('kind', '=', 'payment_notification').where('body', 'like', `%${trxId}%`).execute();
  return rows.length;
}

/** Batches formed: these units took fewer commits than units, so at least one batch held several. */
function assertBatched(before: GroupCommitStats, after: GroupCommitStats, units: number, why: string): void {
  assert.equal(after.units - before.units, units, `${why}: every call went through the group commit`);
  assert.ok(after.batches - before.batches < units, `${why}: ${after.batches - before.batches} batches for ${units} units`);
}

async function pageOf(s: Scene, p: Pending) {
  const challenge = (await findChallenge(s.gw.database.db, p.pageToken))!;
  const subject = (await PAYMENT_FLOW.load(s.gw.ctx, challenge))!;
  const wallet = (await findWallet(s.gw.database.db, p.payment.walletId))!;
  return { challenge, subject, wallet };
}

function cancel(s: Scene, trxId: string, billNo: string): Promise<Reply> {
  return callOperation(s.gw.url, 'cancel', { merchant_id: s.shop.merchantId, trx_id: trxId, bill_no: billNo, payment_cancel: 'out of stock' }, 'json', s.shop);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: PIN successes at once — each paid once, a repeat finds it paid, one cancelled meanwhile stays unpaid, a refused one rolls back alone`, async () => {
    const s = await scene(kind);
    const good = await pendingPayments(s, 'S', GOOD);
    const cancelledMeanwhile = await pendingPayment(s, 'S-cancelled', s.wallets[0]!, 2_500n, '0');
    const broken = await brokenPayment(s, 'S-broken');
    // Every page is loaded (as a PIN POST loads it) before any PIN is right, so the cancelled one still looks pending.
    const pages = await Promise.all([...good, cancelledMeanwhile, broken].map((p) => pageOf(s, p)));
    assert.equal((await cancel(s, cancelledMeanwhile.payment.trxId, 'S-cancelled')).body.response_code, '00');

    const repeats = pages.slice(0, 6); // the same PIN success twice (two tabs, a double submit)
    const before = groupCommitStats(s.gw.database);
    const results = await Promise.allSettled([...pages, ...repeats].map((p) => PAYMENT_FLOW.succeed(s.gw.ctx, p.challenge, p.subject, p.wallet)));
    assertBatched(before, groupCommitStats(s.gw.database), results.length, kind);

    for (const [i, r] of results.entries()) {
      if (i === GOOD + 1) continue;
      assert.deepEqual(r, { status: 'fulfilled', value: FINISHED }, `call ${i}`);
    }
    assertRefusedByHold(results[GOOD + 1]!, 'the broken payment');
    for (const p of good) await assertSettled(s, p.payment.trxId, 'SUCCESS', `${kind}: ${p.payment.billNo}`);
    await assertSettled(s, cancelledMeanwhile.payment.trxId, 'CANCELLED', `${kind}: cancelled before its PIN`);
    await assertUntouched(s, broken, `${kind}: the refused payment`);
    for (const w of s.wallets) {
      const money = await walletMoney(s.gw.database, w);
      assert.deepEqual([money.cashHeld, money.pointsHeld], [0n, 0n], `${kind}: wallet ${w.phone} holds nothing`);
    }
    const reffs = new Set(await Promise.all(good.map(async (p) => (await reloadPayment(s.gw.database, p.payment.trxId)).paymentReff)));
    assert.equal(reffs.size, GOOD, 'each paid payment has its own payment_reff');
  });

  test(`${kind}: cancels at once — pending ones cancelled, paid ones 81, twice is still cancelled, unknown 14, expired 01, a race with the PIN has one winner, a refused one 96 alone`, async () => {
    const s = await scene(kind);
    // Past its time (the test clock moves past it) but not yet swept: the payments made after it are not.
    const expired = await pendingPayment(s, 'C-expired', s.wallets[1]!, 3_000n, '0');
    s.gw.clock.advance(s.gw.ctx.config.payment_ttl_s * 1000 + 1);
    const pending = await pendingPayments(s, 'C', GOOD);
    const paid = await pendingPayments(s, 'C-paid', 4);
    for (const p of paid) await settlePayment(s.gw.ctx, p.payment, 'SUCCESS');
    const raced = await pendingPayments(s, 'C-race', 4);
    const racedPages = await Promise.all(raced.map((p) => pageOf(s, p)));
    const broken = await brokenPayment(s, 'C-broken');

    const twice = pending.slice(0, 5);
    const calls: Array<{ role: string; p?: Pending; reply: Promise<Reply> }> = [
      ...[...pending, ...twice].map((p) => ({ role: 'pending', p, reply: cancel(s, p.payment.trxId, p.payment.billNo) })),
      ...paid.map((p) => ({ role: 'paid', p, reply: cancel(s, p.payment.trxId, p.payment.billNo) })),
      { role: 'unknown', reply: cancel(s, '1999999999999999', 'C-none') },
      { role: 'expired', p: expired, reply: cancel(s, expired.payment.trxId, 'C-expired') },
      ...raced.map((p) => ({ role: 'raced', p, reply: cancel(s, p.payment.trxId, p.payment.billNo) })),
      { role: 'broken', p: broken, reply: cancel(s, broken.payment.trxId, 'C-broken') },
    ];
    const pins = racedPages.map((p) => PAYMENT_FLOW.succeed(s.gw.ctx, p.challenge, p.subject, p.wallet));
    const before = groupCommitStats(s.gw.database);
    const replies = await Promise.all(calls.map(async (c) => ({ ...c, reply: await c.reply })));
    assert.deepEqual(await Promise.all(pins), racedPages.map(() => FINISHED));
    assert.ok(groupCommitStats(s.gw.database).batches - before.batches < groupCommitStats(s.gw.database).units - before.units, `${kind}: batches formed`);

    const code = (r: Reply) => `${r.body.response_code}/${r.body.payment_status_code ?? ''}`;
    for (const c of replies) {
      const why = `${kind} ${c.role} ${c.p?.payment.billNo ?? ''}: ${c.reply.raw}`;
      if (c.role === 'pending') assert.equal(code(c.reply), '00/8', why);
      if (c.role === 'paid') assert.equal(code(c.reply), '81/2', why);
      if (c.role === 'unknown') assert.equal(code(c.reply), '14/5', why);
      if (c.role === 'expired') assert.equal(c.reply.body.response_code, '01', why);
      if (c.role === 'broken') assert.equal(c.reply.body.response_code, '96', why);
      if (c.role === 'raced') {
        const status = (await reloadPayment(s.gw.database, c.p!.payment.trxId)).status;
        assert.equal(code(c.reply), status === 'CANCELLED' ? '00/8' : '81/2', `${why} (${status})`);
        await assertSettled(s, c.p!.payment.trxId, status, why);
      }
    }
    for (const p of pending) await assertSettled(s, p.payment.trxId, 'CANCELLED', `${kind}: ${p.payment.billNo}`);
    for (const p of paid) await assertSettled(s, p.payment.trxId, 'SUCCESS', `${kind}: ${p.payment.billNo}`);
    await assertSettled(s, expired.payment.trxId, 'EXPIRED', `${kind}: cancelled past its time`);
    await assertUntouched(s, broken, `${kind}: the refused cancel`);
  });

  test(`${kind}: one sweep expires its payments in shared commits; a refused one stays pending alone, a settled one is left alone`, async () => {
    const s = await scene(kind);
    const due = await pendingPayments(s, 'E', GOOD);
    const paid = await pendingPayment(s, 'E-paid', s.wallets[2]!, 4_000n, '0');
    await settlePayment(s.gw.ctx, paid.payment, 'SUCCESS');
    const broken = await brokenPayment(s, 'E-broken');
    s.gw.clock.advance(s.gw.ctx.config.payment_ttl_s * 1000 + 1_000);

    const before = groupCommitStats(s.gw.database);
    await assert.rejects(expirePayments(s.gw.ctx), (error) => error instanceof DomainError && error.reason === 'hold_resolved');
    assertBatched(before, groupCommitStats(s.gw.database), GOOD + 1, kind);
    for (const p of due) await assertSettled(s, p.payment.trxId, 'EXPIRED', `${kind}: ${p.payment.billNo}`);
    await assertSettled(s, paid.payment.trxId, 'SUCCESS', `${kind}: paid before it was due`);
    await assertUntouched(s, broken, `${kind}: the refused expiry`);
    for (const w of s.wallets) assert.deepEqual((await walletMoney(s.gw.database, w)).cashHeld, 0n);
  });

  test(`${kind}: unlinks at once — each link ended once, twice and unknown phones still 00 over the API, another merchant's link untouched`, async () => {
    const s = await scene(kind);
    const other = await startActivationMerchant(s);
    const wallets = [...s.wallets, s.split];
    for (let i = 0; i < 12; i++) wallets.push(await fundedWallet(s.gw.database, { phone: `0813739${String(sceneSeq)}${String(i).padStart(4, '0')}`, cash: 0n, points: 0n }));
    for (const w of wallets.slice(s.wallets.length + 1)) await linkThroughStore(s.gw.ctx, s.shop.merchantId, w);
    await linkThroughStore(s.gw.ctx, other.merchantId, wallets[0]!);

    // Every wallet unlinked by a direct call, five of them again and two phones with no wallet over the API.
    const apiPhones = [...wallets.slice(0, 5).map((w) => w.phone), '081373999998', '081373999999'];
    const before = groupCommitStats(s.gw.database);
    const [direct, replies] = await Promise.all([
      Promise.allSettled(wallets.map((w) => unlinkPhone(s.gw.ctx, s.shop, w.phone))),
      Promise.all(apiPhones.map((phone) => callOperation(s.gw.url, 'unlink', { merchant_id: s.shop.merchantId, merchant: s.shop.name, phone_no: phone, payment_channel: '720' }, 'json', s.shop))),
    ]);
    assertBatched(before, groupCommitStats(s.gw.database), wallets.length + 5, kind);
    for (const r of direct) assert.deepEqual(r, { status: 'fulfilled', value: undefined });
    for (const [i, r] of replies.entries()) {
      assert.deepEqual([r.status, r.body.response_code, r.body.phone_no], [200, '00', apiPhones[i]], r.raw);
    }
    const links = await s.gw.database.db.selectFrom('links').select(['merchant_id', 'wallet_id', 'status', 'ended_by']).execute();
    for (const w of wallets) {
      assert.deepEqual(links.filter((l) => l.merchant_id === s.shop.merchantId && BigInt(l.wallet_id) === w.id).map((l) => [l.status, l.ended_by]),
        [['ended', 'merchant']], `${kind}: ${w.phone}'s link ended once`);
    }
    assert.deepEqual(links.filter((l) => l.merchant_id === other.merchantId).map((l) => l.status), ['active']);
  });

  test(`${kind}: activations succeed at once — one link each, a repeat links nothing more, a relink replaces, a refused one (constraint) rolls back alone`, async () => {
    const s = await scene(kind);
    const merchant = await startActivationMerchant(s);
    const customers = [...s.wallets, s.split];
    for (let i = 0; i < 12; i++) customers.push(await fundedWallet(s.gw.database, { phone: `0813738${String(sceneSeq)}${String(i).padStart(4, '0')}`, cash: 0n, points: 0n }));
    const open = async (w: Wallet) => {
      const url = await startActivation(s.gw.ctx, merchant, w.phone, 'Group Customer');
      const challenge = (await findChallenge(s.gw.database.db, decodeURIComponent(url.split('/').pop()!)))!;
      return { challenge, subject: (await ACTIVATION_FLOW.load(s.gw.ctx, challenge))!, wallet: w };
    };
    const sessions = await Promise.all(customers.map(open));
    const relink = await open(customers[0]!); // a second session of the same wallet and merchant
    // The database refuses this one's link: no such wallet (links.wallet_id references wallets).
    const refused = await open(customers[1]!);
    const ghost = { ...refused, wallet: { ...refused.wallet, id: 99_999_999n } };
    const repeats = sessions.slice(2, 6);

    const calls = [...sessions, ...repeats, relink, ghost];
    const before = groupCommitStats(s.gw.database);
    const results = await Promise.allSettled(calls.map((c) => ACTIVATION_FLOW.succeed(s.gw.ctx, c.challenge, c.subject, c.wallet)));
    assertBatched(before, groupCommitStats(s.gw.database), calls.length, kind);
    for (const [i, r] of results.slice(0, -1).entries()) assert.deepEqual(r, { status: 'fulfilled', value: FINISHED }, `call ${i}`);
    assert.equal(results.at(-1)!.status, 'rejected', 'the link to no wallet is refused');

    const sessionRow = (id: string) => s.gw.database.db.selectFrom('link_sessions').select(['state', 'result_code']).where('id', '=', id).executeTakeFirstOrThrow();
    for (const c of [...sessions, relink]) assert.deepEqual(await sessionRow(c.subject.session.id), { state: 'linked', result_code: '00' });
    assert.equal((await sessionRow(ghost.subject.session.id)).state, 'open', 'the refused session is still open');
    const links = await s.gw.database.db.selectFrom('links').select(['wallet_id', 'status', 'ended_by']).where('merchant_id', '=', merchant.merchantId).execute();
    for (const [i, w] of customers.entries()) {
      const mine = links.filter((l) => BigInt(l.wallet_id) === w.id);
      assert.deepEqual(mine.filter((l) => l.status === 'active').length, 1, `${kind}: ${w.phone} has one live link`);
      assert.deepEqual(mine.map((l) => l.ended_by ?? 'live').sort(), i === 0 ? ['live', 'relinked'] : ['live'], `${kind}: ${w.phone}`);
    }
    const callbacks = await s.gw.database.db.selectFrom('outbox').select('url').where('kind', '=', 'activation_callback').where('merchant_id', '=', merchant.merchantId).execute();
    assert.equal(callbacks.length, sessions.length + 1, `${kind}: one callback per linked session, none for a repeat or the refused one`);
  });
}

/** A second merchant, with a callback, for the linking tests. */
async function startActivationMerchant(s: Scene): Promise<Merchant> {
  return provisionMerchant(s.gw.database, { merchantId: '73002', name: 'Link Shop', userId: 'bot73002', password: 'link-pw', callbackUrl: 'http://127.0.0.1:9/cb' });
}
