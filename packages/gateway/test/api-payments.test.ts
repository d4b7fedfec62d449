// Proves over real HTTP, on SQLite and PostgreSQL in JSON and XML, that a linked customer pays with every pay_type and the merchant is told (signed, in its format), that balance, history, inquiry and cancel agree with the split to the rupiah, that cancel and expiry release holds and notify, that a bill_no replay is idempotent (even 20 at once) and a changed order answers 14, that a dead link answers 02 with a working url, and that invalid or unaffordable payments are refused without holding anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  PAYMENT_NOTIFICATION, PAYMENT_STATUS, formatJakartaDate, formatJakartaDateTime, jakartaDayStart, verifyHmacSignatureHeader,
  type OperationName, type WireFormat,
} from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import { receiptToken } from '../src/services/payment-page-url.ts';
import { expirePayments } from '../src/services/payments.ts';
import { endLink } from '../src/store/links.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findChallengeOf } from '../src/store/challenges.ts';
import { findPayment } from '../src/store/payments.ts';
import { findWalletByPhone } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, completeLink, type Reply } from './support/gateway.ts';
import {
  authorisePayment, countPayments, countTransfers, fundedWallet, linkThroughStore, merchantMoney, paymentTransfers,
  reloadPayment, startNotificationReceiver, startPaymentsGateway, walletMoney,
  type Notification, type PaymentsGateway,
} from './support/payments.ts';

const FORMATS: readonly WireFormat[] = ['json', 'xml'];
const OTHER: Record<WireFormat, WireFormat> = { json: 'xml', xml: 'json' };
const SANDBOX_OPENING = { cash: 1_000_000n, points: 50_000n };

// Every reply carries every field of its operation (spec §3), `url` included: empty unless the code is 02.
const PAYMENT_REPLY = ['response', 'redirectURL', 'status', 'trx_id', 'bill_no', 'amount', 'payment_day', 'response_code', 'response_desc', 'url'];
const HISTORY_REPLY = ['response', 'phone_no', 'merchant_id', 'payment_channel', 'merchant', 'list_transaction', 'page', 'limit', 'total', 'response_code', 'response_desc', 'url'];
const STATUS_REPLY = ['response', 'trx_id', 'merchant_id', 'merchant', 'bill_no', 'payment_reff', 'payment_date', 'payment_status_code', 'payment_status_desc', 'response_code', 'response_desc'];
const CANCEL_REPLY = ['response', 'trx_id', 'merchant_id', 'merchant', 'bill_no', 'trx_status_code', 'trx_status_desc', 'payment_status_code',
  'payment_status_desc', 'payment_cancel_date', 'payment_cancel', 'response_code', 'response_desc'];
const DATETIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/;
const INQUIRY_PATH: Record<WireFormat, string> = { json: '/cvr/100004/10', xml: '/pws/100004/183xx00010100000' };
const CANCEL_PATH: Record<WireFormat, string> = { json: '/cvr/100005/10', xml: '/pws/100005/183xx00010100000' };

function shop(id: string, name: string, notifyUrl: string, format: WireFormat, extra: Partial<MerchantInput> = {}): MerchantInput {
  return { merchantId: id, name, userId: `bot${id}`, password: `pw-${id}`, notifyUrl, notifyFormat: format, ...extra };
}

/** Signs and sends as `merchant`; X-Signature (when it has a secret) is stamped with the gateway's clock. */
function call(gw: PaymentsGateway, op: OperationName, fields: Record<string, string>, format: WireFormat, merchant: Merchant,
  path?: string): Promise<Reply> {
  return callOperation(gw.url, op, { merchant_id: merchant.merchantId, ...fields }, format, merchant,
    { hmacTimeS: Math.floor(gw.clock.now() / 1000), path });
}

interface Order { billNo: string; total: bigint | string; payType: string; phone: string }

function paymentFields(o: Order, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    request: 'Payment OVO Open API', bill_no: o.billNo, bill_desc: `Order ${o.billNo}`, bill_total: String(o.total), bill_currency: 'IDR',
    payment_channel: '720', phone_no: o.phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: o.payType, ...overrides,
  };
}

function pay(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, o: Order, overrides: Record<string, string> = {}): Promise<Reply> {
  return call(gw, 'payment', paymentFields(o, overrides), format, merchant);
}

/** Checks a 00 payment reply field by field against spec §4.3 and the stored payment; returns the trx_id. */
async function assertPaymentReply(gw: PaymentsGateway, format: WireFormat, reply: Reply, o: Order, status: 'PENDING' | 'SUCCESS'): Promise<string> {
  const where = `${o.billNo}: ${reply.raw}`;
  assert.equal(reply.status, 200, where);
  assert.ok(reply.contentType.startsWith(format === 'json' ? 'application/json' : 'application/xml'), where);
  assert.deepEqual(Object.keys(reply.body), PAYMENT_REPLY, where);
  assert.equal(reply.body.url, '', `${where}: url only with 02`);
  const b = reply.body;
  assert.equal(b.response, 'Payment OVO Open API', where);
  assert.equal(b.response_code, '00', where);
  assert.equal(b.response_desc, 'Success', where);
  assert.equal(b.status, status, where);
  assert.match(b.trx_id, /^[1-9][0-9]{15}$/, where);
  assert.equal(b.bill_no, o.billNo, where);
  assert.equal(b.amount, String(o.total), where);
  assert.match(b.payment_day, DATETIME, where);
  const stored = await findPayment(gw.database.db, b.trx_id);
  assert.ok(stored, where);
  assert.equal(b.payment_day, formatJakartaDateTime(new Date(stored.createdAt)), where);
  // Jakarta wall time (UTC+7), not the server's zone.
  const asJakarta = Date.parse(`${b.payment_day.replace(' ', 'T')}+07:00`);
  assert.ok(Math.abs(asJakarta - gw.clock.now()) < 5_000, `payment_day ${b.payment_day} is Jakarta time now`);
  // A payment to authorise has its challenge; a pinless one, paid already, only its receipt (no challenge row).
  const challenge = await findChallengeOf(gw.database.db, stored.trxId, 'payment');
  const pageToken = status === 'PENDING' ? challenge!.id : receiptToken(gw.ctx, stored.trxId);
  if (status === 'SUCCESS') assert.equal(challenge, undefined, where);
  assert.equal(b.redirectURL, `${gw.url}/pay/${pageToken}`, where);
  assert.equal(stored.status, status, where);
  return b.trx_id as string;
}

function sha1md5(text: string): string {
  return createHash('sha1').update(createHash('md5').update(text).digest('hex')).digest('hex');
}

/** Checks one notification against spec §4.5, the legacy signature and (when the merchant has one) X-Signature. */
async function assertNotification(gw: PaymentsGateway, n: Notification, merchant: Merchant, trxId: string, code: string): Promise<void> {
  const payment = await reloadPayment(gw.database, trxId);
  const where = `notification ${code} for ${trxId}: ${n.raw}`;
  assert.ok(n.contentType.startsWith(merchant.notifyFormat === 'json' ? 'application/json' : 'application/xml'), where);
  if (merchant.notifyFormat === 'xml') assert.ok(n.raw.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), where);
  else assert.doesNotThrow(() => JSON.parse(n.raw), where);
  assert.deepEqual(n.order, [...PAYMENT_NOTIFICATION.fields], where);
  assert.deepEqual(n.fields, {
    request: 'Payment Notification',
    trx_id: trxId,
    merchant_id: merchant.merchantId,
    merchant: merchant.name,
    bill_no: payment.billNo,
    payment_reff: payment.paymentReff,
    payment_date: formatJakartaDateTime(new Date(payment.finishedAt!)),
    payment_status_code: code,
    payment_status_desc: PAYMENT_STATUS[code as keyof typeof PAYMENT_STATUS],
    bill_total: String(payment.amount),
    payment_total: code === '2' ? String(payment.amount) : '0',
    payment_channel_uid: '720',
    payment_channel: 'OVO Tokenize',
    signature: sha1md5(`${merchant.userId}${merchant.password}${payment.billNo}${code}`),
  }, where);
  if (code === '2') assert.match(n.fields.payment_reff!, /^[0-9]{12}$/, where);
  else assert.equal(n.fields.payment_reff, '', `payment_reff is empty until paid: ${where}`);
  assert.match(n.notificationId, /^ntf_[0-9a-f]{32}$/, where);
  assert.equal(n.headers['user-agent'], 'ovo-tokenize-gateway', where);
  if (merchant.hmacSecret) {
    const check = verifyHmacSignatureHeader(merchant.hmacSecret, n.headers['x-signature'] as string | undefined, n.raw, Math.floor(gw.clock.now() / 1000));
    assert.deepEqual(check, { ok: true }, where);
    const forged = verifyHmacSignatureHeader(merchant.hmacSecret, n.headers['x-signature'] as string, n.raw.replace(payment.billNo, `${payment.billNo}x`), Math.floor(gw.clock.now() / 1000));
    assert.equal(forged.ok, false, 'X-Signature covers the body');
  } else {
    assert.equal(n.headers['x-signature'], undefined, where);
  }
}

/** Waits until the dispatcher has nothing pending (every notification acknowledged). */
async function drained(gw: PaymentsGateway, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await gw.database.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute();
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending.length} deliveries still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function linkByActivation(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, phone: string): Promise<void> {
  const reply = await call(gw, 'activation', { request: 'Account Activation OVO OpenAPI', payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata' }, format, merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  const done = await completeLink(gw.url, reply.body.redirectURL, phone);
  assert.equal(done.status, 200, done.html);
}

async function balanceOf(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, phone: string): Promise<{ cash: string; points: string }> {
  const reply = await call(gw, 'balance', { payment_channel: '720', phone_no: phone }, format, merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  return { cash: reply.body.detail.cash.balance, points: reply.body.detail.points.balance };
}

interface HistoryRow { payment_date: string; status: string; trx_id: string; trx_amount: string; amount_detail: Array<{ type: string; amt: string }> }

function history(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, phone: string, q: { start: string; end: string; page?: number; limit?: number }): Promise<Reply> {
  return call(gw, 'history', {
    merchant: merchant.name, phone_no: phone, payment_channel: '720', start_date: q.start, end_date: q.end,
    page: String(q.page ?? 1), limit: String(q.limit ?? 100),
  }, format, merchant);
}

/** The rows of a 00 history reply, in order, with amount_detail as an array in both formats. */
function historyRows(reply: Reply): { rows: HistoryRow[]; page: string; limit: string; total: string } {
  assert.equal(reply.status, 200, reply.raw);
  assert.equal(reply.body.response_code, '00', reply.raw);
  assert.deepEqual(Object.keys(reply.body), HISTORY_REPLY, reply.raw);
  const list = (reply.body.list_transaction || {}) as Record<string, HistoryRow>;
  const rows = Object.keys(list).map((key, i) => {
    assert.equal(key, `transaction_${i + 1}`);
    const row = list[key]!;
    return { ...row, amount_detail: ([] as Array<{ type: string; amt: string }>).concat(row.amount_detail) };
  });
  return { rows, page: reply.body.page, limit: reply.body.limit, total: reply.body.total };
}

async function expectedRow(gw: PaymentsGateway, trxId: string): Promise<HistoryRow> {
  const p = await reloadPayment(gw.database, trxId);
  return {
    // The transaction's date, as in the payment reply's payment_day: what the date range selects by.
    payment_date: formatJakartaDateTime(new Date(p.createdAt)), status: p.status, trx_id: trxId, trx_amount: String(p.amount),
    amount_detail: [{ type: 'Cash', amt: String(p.cashAmount) }, { type: 'Points', amt: String(p.pointsAmount) }],
  };
}

function inquiry(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, trxId: string, billNo: string, path?: string): Promise<Reply> {
  return call(gw, 'payment-status', { request: 'Inquiry Payment Status', trx_id: trxId, bill_no: billNo }, format, merchant, path);
}

function cancel(gw: PaymentsGateway, format: WireFormat, merchant: Merchant, trxId: string, billNo: string, reason: string, path?: string): Promise<Reply> {
  return call(gw, 'cancel', { request: 'Cancel Transaction', trx_id: trxId, bill_no: billNo, payment_cancel: reason }, format, merchant, path);
}

function assertStatus(reply: Reply, trxId: string, code: string): void {
  assert.equal(reply.status, 200, reply.raw);
  assert.deepEqual(Object.keys(reply.body), STATUS_REPLY, reply.raw);
  assert.equal(reply.body.response, 'Inquiry Payment Status', reply.raw);
  assert.equal(reply.body.response_code, '00', reply.raw);
  assert.equal(reply.body.trx_id, trxId, reply.raw);
  assert.equal(reply.body.payment_status_code, code, reply.raw);
  assert.equal(reply.body.payment_status_desc, PAYMENT_STATUS[code as keyof typeof PAYMENT_STATUS], reply.raw);
  assert.match(reply.body.payment_date, DATETIME, reply.raw);
}

const today = (gw: PaymentsGateway) => formatJakartaDate(new Date(gw.clock.now()));

for (const kind of DATABASE_KINDS) {
  for (const format of FORMATS) {
    test(`${kind}/${format}: a linked customer pays with each pay_type; notifications, balance, history, inquiry and cancel agree with the split`, async () => {
      const r1 = await startNotificationReceiver();
      const r2 = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, {
        merchants: [
          shop('31001', 'Toko Satu', r1.url, format, { hmacSecret: 'whsec_toko_satu', maxAmount: 10_000_000n }),
          shop('31002', 'Toko Dua', r2.url, OTHER[format], { pinlessLimit: 25_000n }),
        ],
      });
      const [m1, m2] = gw.merchants as [Merchant, Merchant];
      const phone = '081311110001';
      // A new user: the sandbox creates the wallet on activation and the customer links through the hosted page.
      await linkByActivation(gw, format, m1, phone);
      await linkByActivation(gw, format, m2, phone);
      const wallet = (await findWalletByPhone(gw.database.db, phone))!;
      assert.deepEqual(await walletMoney(gw.database, wallet), {
        cashAvailable: SANDBOX_OPENING.cash, cashHeld: 0n, cashPosted: SANDBOX_OPENING.cash,
        pointsAvailable: SANDBOX_OPENING.points, pointsHeld: 0n, pointsPosted: SANDBOX_OPENING.points,
      });

      // One payment per pay_type; each split is fixed (and held) at creation.
      const orders: Array<Order & { cash: bigint; points: bigint }> = [
        { billNo: 'B-0', total: 100_000n, payType: '0', phone, cash: 100_000n, points: 0n },
        { billNo: 'B-1', total: 20_000n, payType: '1', phone, cash: 0n, points: 20_000n },
        // Points first: the 30,000 points still available, then cash.
        { billNo: 'B-2', total: 50_000n, payType: '2', phone, cash: 20_000n, points: 30_000n },
      ];
      const trx: string[] = [];
      const pages: string[] = [];
      for (const o of orders) {
        gw.clock.advance(1_000); // distinct creation times, so "newest first" is well defined
        const reply = await pay(gw, format, m1, o);
        const trxId = await assertPaymentReply(gw, format, reply, o, 'PENDING');
        pages.push(reply.body.redirectURL);
        const stored = await reloadPayment(gw.database, trxId);
        assert.deepEqual({ cash: stored.cashAmount, points: stored.pointsAmount }, { cash: o.cash, points: o.points }, o.billNo);
        trx.push(trxId);
      }
      assert.equal(new Set(trx).size, 3, 'trx_id is unique');
      assert.deepEqual(await walletMoney(gw.database, wallet), {
        cashAvailable: 880_000n, cashHeld: 120_000n, cashPosted: 1_000_000n, pointsAvailable: 0n, pointsHeld: 50_000n, pointsPosted: 50_000n,
      });
      assert.deepEqual(await balanceOf(gw, format, m1, phone), { cash: '880000', points: '0' }, 'balance shows what may still be spent');
      assert.equal(r1.received.length, 0, 'a pending payment is not notified');

      for (const [i, trxId] of trx.entries()) {
        const { payment } = await authorisePayment(gw, pages[i]!, { phone });
        assert.equal(payment.status, 'SUCCESS', orders[i]!.billNo);
        await assertNotification(gw, await r1.waitFor(trxId, '2'), m1, trxId, '2');
        const transfers = await paymentTransfers(gw.database, trxId);
        const holds = transfers.filter((t) => t.kind === 'pending');
        assert.equal(holds.length, (orders[i]!.cash > 0n ? 1 : 0) + (orders[i]!.points > 0n ? 1 : 0));
        assert.deepEqual(transfers.filter((t) => t.kind !== 'pending').map((t) => [t.kind, t.pendingId]).sort(),
          holds.map((h) => ['post_pending', h.id]).sort(), 'every hold posted once, none voided');
      }
      const afterPay = { cashAvailable: 880_000n, cashHeld: 0n, cashPosted: 880_000n, pointsAvailable: 0n, pointsHeld: 0n, pointsPosted: 0n };
      assert.deepEqual(await walletMoney(gw.database, wallet), afterPay);
      assert.deepEqual(await merchantMoney(gw.database, m1), { cashSettled: 120_000n, pointsSettled: 50_000n, cashIncoming: 0n, pointsIncoming: 0n });
      assert.deepEqual(await balanceOf(gw, format, m1, phone), { cash: '880000', points: '0' });

      // History: exactly the three payments, newest first, each with its split.
      const h = historyRows(await history(gw, format, m1, phone, { start: today(gw), end: today(gw), limit: 10 }));
      assert.deepEqual({ page: h.page, limit: h.limit, total: h.total }, { page: '1', limit: '10', total: '3' });
      assert.deepEqual(h.rows, [await expectedRow(gw, trx[2]!), await expectedRow(gw, trx[1]!), await expectedRow(gw, trx[0]!)]);
      assert.deepEqual(h.rows.map((r) => r.amount_detail), [
        [{ type: 'Cash', amt: '20000' }, { type: 'Points', amt: '30000' }],
        [{ type: 'Cash', amt: '0' }, { type: 'Points', amt: '20000' }],
        [{ type: 'Cash', amt: '100000' }, { type: 'Points', amt: '0' }],
      ]);
      // The other merchant sees none of them.
      assert.equal(historyRows(await history(gw, format, m2, phone, { start: today(gw), end: today(gw) })).total, '0');

      // Inquiry says 2 at the canonical and the Faspay path; cancel of a paid payment says 81 and changes nothing.
      assertStatus(await inquiry(gw, format, m1, trx[0]!, 'B-0'), trx[0]!, '2');
      assertStatus(await inquiry(gw, format, m1, trx[0]!, 'B-0', INQUIRY_PATH[format]), trx[0]!, '2');
      const transfersBefore = await countTransfers(gw.database);
      for (const path of [undefined, CANCEL_PATH[format]]) {
        const refused = await cancel(gw, format, m1, trx[0]!, 'B-0', 'changed my mind', path);
        assert.equal(refused.status, 200, refused.raw);
        assert.equal(refused.body.response_code, '81', refused.raw);
        assert.match(refused.body.response_desc, /^Already Been Paid/, refused.raw);
        assert.equal(refused.body.payment_status_code, '2', refused.raw);
      }
      assert.equal(await countTransfers(gw.database), transfersBefore);
      assert.equal((await reloadPayment(gw.database, trx[0]!)).status, 'SUCCESS');
      // Another merchant cannot see or cancel this merchant's payment.
      const foreign = await inquiry(gw, format, m2, trx[0]!, 'B-0');
      assert.equal(foreign.body.response_code, '14', foreign.raw);
      const foreignCancel = await cancel(gw, format, m2, trx[1]!, 'B-1', 'not mine');
      assert.equal(foreignCancel.body.response_code, '14', foreignCancel.raw);
      const mismatched = await inquiry(gw, format, m1, trx[0]!, 'B-1');
      assert.equal(mismatched.body.response_code, '14', 'trx_id and bill_no must belong together');

      // A second payment, cancelled by the merchant before the PIN: hold released, notification 8.
      gw.clock.advance(1_000);
      const o3: Order = { billNo: 'B-3', total: 30_000n, payType: '0', phone };
      const t3 = await assertPaymentReply(gw, format, await pay(gw, format, m1, o3), o3, 'PENDING');
      assert.equal((await walletMoney(gw.database, wallet)).cashHeld, 30_000n);
      const cancelled = await cancel(gw, format, m1, t3, 'B-3', 'Out of stock');
      assert.equal(cancelled.status, 200, cancelled.raw);
      assert.deepEqual(Object.keys(cancelled.body), CANCEL_REPLY, cancelled.raw);
      assert.equal(cancelled.body.response, 'Cancel Transaction');
      assert.equal(cancelled.body.response_code, '00');
      assert.equal(cancelled.body.merchant, 'Toko Satu');
      assert.equal(cancelled.body.trx_status_code, '8');
      assert.equal(cancelled.body.payment_status_code, '8');
      assert.equal(cancelled.body.payment_status_desc, 'Payment Cancelled');
      assert.equal(cancelled.body.payment_cancel, 'Out of stock');
      assert.match(cancelled.body.payment_cancel_date, DATETIME);
      assert.deepEqual(await walletMoney(gw.database, wallet), afterPay, 'the cancelled hold is released');
      await assertNotification(gw, await r1.waitFor(t3, '8'), m1, t3, '8');
      assertStatus(await inquiry(gw, format, m1, t3, 'B-3'), t3, '8');
      assert.deepEqual((await paymentTransfers(gw.database, t3)).map((t) => t.kind), ['pending', 'void_pending']);
      // Cancelling it again changes nothing and notifies nothing more.
      const again = await cancel(gw, format, m1, t3, 'B-3', 'twice');
      assert.equal(again.body.response_code, '00', again.raw);
      assert.equal(again.body.payment_cancel, 'Out of stock');

      // An unauthorised payment expires: hold released, notification 7. Points are gone, so pay_type 2 is all cash.
      gw.clock.advance(1_000);
      const o4: Order = { billNo: 'B-4', total: 40_000n, payType: '2', phone };
      const t4 = await assertPaymentReply(gw, format, await pay(gw, format, m1, o4), o4, 'PENDING');
      assert.deepEqual(await paymentSplit(gw, t4), { cash: 40_000n, points: 0n });
      gw.clock.advance(gw.ctx.config.payment_ttl_s * 1000 - 1_000);
      assert.equal(await expirePayments(gw.ctx), 0, 'not yet due');
      gw.clock.advance(1_000);
      assert.equal(await expirePayments(gw.ctx), 1);
      assert.deepEqual(await walletMoney(gw.database, wallet), afterPay, 'the expired hold is released');
      await assertNotification(gw, await r1.waitFor(t4, '7'), m1, t4, '7');
      assertStatus(await inquiry(gw, format, m1, t4, 'B-4'), t4, '7');
      const lateCancel = await cancel(gw, format, m1, t4, 'B-4', 'too late');
      assert.equal(lateCancel.body.response_code, '01', lateCancel.raw);
      assert.equal((await reloadPayment(gw.database, t4)).status, 'EXPIRED');

      // Exactly one notification per outcome, all acknowledged; none went to the other merchant.
      await drained(gw);
      assert.deepEqual(r1.received.map((n) => `${n.fields.trx_id}:${n.fields.payment_status_code}`).sort(),
        [...trx.map((t) => `${t}:2`), `${t3}:8`, `${t4}:7`].sort());
      assert.equal(new Set(r1.received.map((n) => n.notificationId)).size, r1.received.length);
      assert.equal(r2.received.length, 0);

      // Money: the wallet, its holds and what the merchant got add up to what the sandbox gave.
      const w = await walletMoney(gw.database, wallet);
      const s = await merchantMoney(gw.database, m1);
      assert.equal(w.cashPosted + w.pointsPosted + s.cashSettled + s.pointsSettled, SANDBOX_OPENING.cash + SANDBOX_OPENING.points);
    });

    test(`${kind}/${format}: history lists only this merchant's payments with this customer, by Jakarta date, newest first, paginated`, async () => {
      const r = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, {
        merchants: [
          shop('32001', 'Toko Kopi', r.url, format, { pinlessLimit: 100_000n }),
          shop('32002', 'Toko Teh', r.url, format, { pinlessLimit: 100_000n }),
        ],
      });
      const [kopi, teh] = gw.merchants as [Merchant, Merchant];
      const phone = '081322220001';
      const other = '081322220002';
      const wallet = await fundedWallet(gw.database, { phone, cash: 500_000n, points: 8_000n });
      const otherWallet = await fundedWallet(gw.database, { phone: other, cash: 500_000n, points: 0n });
      for (const m of [kopi, teh]) {
        await linkThroughStore(gw.ctx, m.merchantId, wallet);
        await linkThroughStore(gw.ctx, m.merchantId, otherWallet);
      }
      const midnight = jakartaDayStart(today(gw)).getTime();
      const yesterday = formatJakartaDate(new Date(midnight - 1));
      const paid = async (m: Merchant, o: Order) => {
        const reply = await pay(gw, format, m, o);
        assert.equal(reply.body.response_code, '00', reply.raw);
        assert.equal(reply.body.status, 'SUCCESS', 'pinless');
        return reply.body.trx_id as string;
      };
      // One that needs the PIN, created a second before midnight (Jakarta) and paid a second after it.
      gw.clock.freeze(midnight - 1_000);
      const late = await pay(gw, format, kopi, { billNo: 'H-E', total: 150_000n, payType: '0', phone });
      assert.equal(late.body.status, 'PENDING', late.raw);
      gw.clock.freeze(midnight + 1_000);
      assert.equal((await authorisePayment(gw, late.body.redirectURL, { phone })).payment.status, 'SUCCESS');
      const e = late.body.trx_id as string;
      // The last millisecond of yesterday and the first of today (Jakarta), then two more today.
      gw.clock.freeze(midnight - 1);
      const a = await paid(kopi, { billNo: 'H-A', total: 10_000n, payType: '0', phone });
      gw.clock.freeze(midnight);
      const b = await paid(kopi, { billNo: 'H-B', total: 5_000n, payType: '1', phone });
      gw.clock.thaw();
      gw.clock.advance(1_000);
      const c = await paid(kopi, { billNo: 'H-C', total: 20_000n, payType: '2', phone });
      gw.clock.advance(1_000);
      const d = await paid(kopi, { billNo: 'H-D', total: 7_000n, payType: '0', phone });
      assert.deepEqual(await paymentSplit(gw, c), { cash: 17_000n, points: 3_000n });
      // Noise that must not show: the same customer at another merchant, another customer at this one.
      await paid(teh, { billNo: 'H-T', total: 9_000n, payType: '0', phone });
      await paid(kopi, { billNo: 'H-O', total: 9_000n, payType: '0', phone: other });

      const todayRows = historyRows(await history(gw, format, kopi, phone, { start: today(gw), end: today(gw), limit: 2 }));
      assert.deepEqual({ page: todayRows.page, limit: todayRows.limit, total: todayRows.total }, { page: '1', limit: '2', total: '3' });
      assert.deepEqual(todayRows.rows, [await expectedRow(gw, d), await expectedRow(gw, c)]);
      const page2 = historyRows(await history(gw, format, kopi, phone, { start: today(gw), end: today(gw), page: 2, limit: 2 }));
      assert.deepEqual({ page: page2.page, total: page2.total }, { page: '2', total: '3' });
      assert.deepEqual(page2.rows, [await expectedRow(gw, b)]);
      const page3 = historyRows(await history(gw, format, kopi, phone, { start: today(gw), end: today(gw), page: 3, limit: 2 }));
      assert.deepEqual({ rows: page3.rows.length, total: page3.total }, { rows: 0, total: '3' });
      const yRows = historyRows(await history(gw, format, kopi, phone, { start: yesterday, end: yesterday }));
      assert.deepEqual(yRows.rows, [await expectedRow(gw, a), await expectedRow(gw, e)]);
      // Every row listed for a date range carries a date inside it (the one paid after midnight too).
      for (const [range, rows] of [[[yesterday, yesterday], yRows.rows], [[today(gw), today(gw)], [...todayRows.rows, ...page2.rows]]] as const) {
        for (const row of rows) {
          const day = row.payment_date.slice(0, 10);
          assert.ok(day >= range[0] && day <= range[1], `${row.trx_id} listed for ${range.join('..')} is dated ${row.payment_date}`);
        }
      }
      const both = historyRows(await history(gw, format, kopi, phone, { start: yesterday, end: today(gw) }));
      assert.deepEqual(both.rows.map((r) => r.trx_id), [d, c, b, a, e]);
      assert.equal(both.total, '5');
      assert.deepEqual(both.rows.map((r) => r.amount_detail.map((x) => `${x.type}=${x.amt}`).join(',')),
        ['Cash=7000,Points=0', 'Cash=17000,Points=3000', 'Cash=0,Points=5000', 'Cash=10000,Points=0', 'Cash=150000,Points=0']);
      // A merchant without an HMAC secret gets the legacy signature only (no X-Signature header).
      await assertNotification(gw, await r.waitFor(d, '2'), kopi, d, '2');
      const tehRows = historyRows(await history(gw, format, teh, phone, { start: yesterday, end: today(gw) }));
      assert.deepEqual(tehRows.rows.map((r) => r.trx_amount), ['9000']);
      const otherRows = historyRows(await history(gw, format, kopi, other, { start: yesterday, end: today(gw) }));
      assert.deepEqual(otherRows.rows.map((r) => r.trx_amount), ['9000']);

      // Validation: end_date after today, start after end, limit out of range.
      const tomorrow = formatJakartaDate(new Date(midnight + 36 * 3600 * 1000));
      for (const [q, why] of [
        [{ start: today(gw), end: tomorrow }, 'end_date in the future'],
        [{ start: today(gw), end: yesterday }, 'start after end'],
        [{ start: today(gw), end: today(gw), limit: 101 }, 'limit 101'],
        [{ start: today(gw), end: today(gw), limit: 0 }, 'limit 0'],
        [{ start: today(gw), end: today(gw), page: 0 }, 'page 0'],
      ] as const) {
        const refused = await history(gw, format, kopi, phone, q);
        assert.equal(refused.status, 200, `${why}: ${refused.raw}`);
        assert.equal(refused.body.response_code, '30', `${why}: ${refused.raw}`);
      }
    });

    test(`${kind}/${format}: replaying a bill_no returns the same trx_id without a second hold (also 20 at once); a changed order answers 14`, async () => {
      const r = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, { merchants: [shop('33001', 'Toko Replay', r.url, format, { hmacSecret: 'whsec_replay' })] });
      const [m] = gw.merchants as [Merchant];
      const phone = '081333330001';
      const wallet = await fundedWallet(gw.database, { phone, cash: 500_000n, points: 10_000n });
      await linkThroughStore(gw.ctx, m.merchantId, wallet);

      const o: Order = { billNo: 'R-1', total: 70_000n, payType: '2', phone };
      const first = await pay(gw, format, m, o);
      const trxId = await assertPaymentReply(gw, format, first, o, 'PENDING');
      const heldOnce = await walletMoney(gw.database, wallet);
      assert.deepEqual({ cash: heldOnce.cashHeld, points: heldOnce.pointsHeld }, { cash: 60_000n, points: 10_000n });
      const transfers = await countTransfers(gw.database);
      gw.clock.advance(2_000);
      for (const variant of [{}, { phone_no: '6281333330001' }, { phone_no: '+6281333330001' }] as Array<Record<string, string>>) {
        const replay = await pay(gw, format, m, o, variant);
        assert.equal(replay.status, 200, replay.raw);
        assert.deepEqual(replay.body, first.body, 'the same reply, same trx_id and payment_day');
      }
      assert.equal(await countTransfers(gw.database), transfers, 'no second hold');
      assert.deepEqual(await walletMoney(gw.database, wallet), heldOnce);

      for (const [change, why] of [
        [{ bill_total: '70001' }, 'amount'], [{ pay_type: '0' }, 'pay_type'], [{ email: 'someone@example.com' }, 'email'],
        [{ bill_desc: 'Another order' }, 'bill_desc'], [{ phone_no: '081333330002' }, 'phone'],
      ] as const) {
        const conflict = await pay(gw, format, m, o, change);
        assert.equal(conflict.status, 200, `${why}: ${conflict.raw}`);
        assert.equal(conflict.body.response_code, '14', `${why}: ${conflict.raw}`);
        assert.match(conflict.body.response_desc, /^Invalid Order/, conflict.raw);
      }
      assert.equal(await countPayments(gw.database), 1);
      assert.equal(await countTransfers(gw.database), transfers);

      // After it is paid a replay still answers the same transaction, now SUCCESS.
      await authorisePayment(gw, first.body.redirectURL, { phone });
      await r.waitFor(trxId, '2');
      const paidReplay = await pay(gw, format, m, o);
      assert.equal(paidReplay.body.trx_id, trxId);
      assert.equal(paidReplay.body.status, 'SUCCESS');
      assert.equal((await paymentTransfers(gw.database, trxId)).filter((t) => t.kind === 'pending').length, 2);

      // Twenty identical requests at once: one payment, one hold, one trx_id for all.
      const before = await walletMoney(gw.database, wallet);
      const o2: Order = { billNo: 'R-2', total: 15_000n, payType: '0', phone };
      const replies = await Promise.all(Array.from({ length: 20 }, () => pay(gw, format, m, o2)));
      for (const reply of replies) {
        assert.equal(reply.status, 200, reply.raw);
        assert.equal(reply.body.response_code, '00', reply.raw);
      }
      const ids = new Set(replies.map((reply) => reply.body.trx_id));
      assert.equal(ids.size, 1, `one trx_id, got ${[...ids].join(', ')}`);
      const [raced] = ids;
      const rows = await gw.database.db.selectFrom('payments').select('trx_id').where('bill_no', '=', 'R-2').execute();
      assert.deepEqual(rows.map((row) => row.trx_id), [raced]);
      assert.deepEqual((await paymentTransfers(gw.database, raced)).map((t) => [t.kind, t.amount]), [['pending', 15_000n]]);
      const afterRace = await walletMoney(gw.database, wallet);
      assert.equal(afterRace.cashHeld - before.cashHeld, 15_000n);
      assert.equal(before.cashAvailable - afterRace.cashAvailable, 15_000n);
      const allHolds = await gw.database.db.selectFrom('transfers').select('id').where('kind', '=', 'pending').execute();
      assert.equal(allHolds.length, 3, 'two holds of R-1, one of R-2');
    });

    test(`${kind}/${format}: after a merchant unlink, a customer unlink, a phone change or link expiry a payment answers 02 with a url that re-links`, async () => {
      const r = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, {
        merchants: [shop('34001', 'Toko Link', r.url, format, { hmacSecret: 'whsec_link' })],
        config: { link_ttl_s: 3600 },
      });
      const [m] = gw.merchants as [Merchant];
      const phone = '081344440001';
      await linkByActivation(gw, format, m, phone);
      const wallet = (await findWalletByPhone(gw.database.db, phone))!;
      let n = 0;
      const order = (): Order => ({ billNo: `L-${++n}`, total: 10_000n, payType: '0', phone });

      const breakers: Array<[string, () => Promise<void>]> = [
        ['merchant unlink', async () => {
          const reply = await call(gw, 'unlink', { merchant: m.name, phone_no: phone, payment_channel: '720' }, format, m);
          assert.equal(reply.body.response_code, '00', reply.raw);
        }],
        ['customer unlink', async () => {
          assert.equal(await endLink(gw.database.db, m.merchantId, wallet.id, 'customer', gw.clock.now()), true);
        }],
        ['phone change', async () => {
          await gw.database.db.updateTable('wallets').set((eb) => ({ phone_version: eb('phone_version', '+', 1n) })).where('id', '=', wallet.id).execute();
        }],
        ['link expiry', async () => {
          gw.clock.advance(3600 * 1000 + 1);
        }],
      ];
      for (const [why, breakLink] of breakers) {
        const working = order();
        await assertPaymentReply(gw, format, await pay(gw, format, m, working), working, 'PENDING');
        await breakLink();
        const payments = await countPayments(gw.database);
        const transfers = await countTransfers(gw.database);
        const money = await walletMoney(gw.database, wallet);
        const refused = order();
        const reply = await pay(gw, format, m, refused);
        assert.equal(reply.status, 200, `${why}: ${reply.raw}`);
        assert.equal(reply.body.response_code, '02', `${why}: ${reply.raw}`);
        assert.equal(reply.body.response_desc, 'Failed, please regenerate payment token', why);
        assert.match(reply.body.url, new RegExp(`^${gw.url.replace(/[.]/g, '\\.')}/activation/[A-Za-z0-9_-]+$`), why);
        assert.equal(reply.body.trx_id, '', why);
        assert.equal(Object.keys(reply.body).at(-1), 'url', why);
        assert.equal(await countPayments(gw.database), payments, `${why}: nothing created`);
        assert.equal(await countTransfers(gw.database), transfers, `${why}: nothing held`);
        assert.deepEqual(await walletMoney(gw.database, wallet), money);
        for (const op of ['balance', 'history'] as const) {
          const other = op === 'balance'
            ? await call(gw, 'balance', { payment_channel: '720', phone_no: phone }, format, m)
            : await history(gw, format, m, phone, { start: today(gw), end: today(gw) });
          assert.equal(other.body.response_code, '02', `${why}, ${op}: ${other.raw}`);
          assert.ok(other.body.url, `${why}, ${op}`);
        }
        // The url is a working activation: after it, the same bill_no goes through (the refusal left no trace).
        const done = await completeLink(gw.url, reply.body.url, phone);
        assert.equal(done.status, 200, done.html);
        await assertPaymentReply(gw, format, await pay(gw, format, m, refused), refused, 'PENDING');
      }
    });

    test(`${kind}/${format}: invalid amounts, fields and unaffordable payments are refused holding nothing; a pinless payment succeeds at once`, async () => {
      const r = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, {
        merchants: [shop('35001', 'Toko Valid', r.url, format, { maxAmount: 1_000_000n, pinlessLimit: 25_000n, hmacSecret: 'whsec_valid' })],
      });
      const [m] = gw.merchants as [Merchant];
      const phone = '081355550001';
      const wallet = await fundedWallet(gw.database, { phone, cash: 100_000n, points: 5_000n });
      await linkThroughStore(gw.ctx, m.merchantId, wallet);
      const opening = await walletMoney(gw.database, wallet);
      const untouched = async (why: string) => {
        assert.equal(await countPayments(gw.database), 0, `${why}: no payment`);
        assert.deepEqual(await walletMoney(gw.database, wallet), opening, `${why}: nothing held`);
        assert.equal((await gw.database.db.selectFrom('transfers').select('id').where('kind', '!=', 'posted').execute()).length, 0, why);
      };
      const base: Order = { billNo: 'V-1', total: 10_000n, payType: '0', phone };

      for (const [total, why] of [['0', 'zero'], ['-1', 'negative'], ['1.5', 'fraction'], ['1000001', 'above max_amount'], ['abc', 'not a number']] as const) {
        const reply = await pay(gw, format, m, { ...base, total });
        assert.equal(reply.status, 200, `${why}: ${reply.raw}`);
        assert.equal(reply.body.response_code, '13', `${why}: ${reply.raw}`);
        assert.match(reply.body.response_desc, /^Invalid Amount/, why);
        await untouched(why);
      }
      const noEmail = paymentFields(base);
      delete noEmail.email;
      const missing = await call(gw, 'payment', noEmail, format, m);
      assert.equal(missing.status, 200, missing.raw);
      assert.equal(missing.body.response_code, '83', missing.raw);
      assert.match(missing.body.response_desc, /email/);
      for (const payType of ['3', 'x', '-1']) {
        const reply = await pay(gw, format, m, { ...base, payType });
        assert.equal(reply.status, 200, reply.raw);
        assert.equal(reply.body.response_code, '30', reply.raw);
      }
      const currency = await pay(gw, format, m, base, { bill_currency: 'USD' });
      assert.equal(currency.body.response_code, '30', currency.raw);
      await untouched('format errors');

      // Unaffordable, per pay_type: 01 with a reason the merchant can show, and nothing held.
      for (const [payType, total, why] of [['0', 100_001n, 'cash'], ['1', 5_001n, 'points'], ['2', 105_001n, 'cash + points']] as const) {
        const reply = await pay(gw, format, m, { billNo: `V-poor-${payType}`, total, payType, phone });
        assert.equal(reply.status, 200, `${why}: ${reply.raw}`);
        assert.equal(reply.body.response_code, '01', `${why}: ${reply.raw}`);
        assert.match(reply.body.response_desc, /^Failed: Insufficient balance/, `${why}: ${reply.raw}`);
        assert.equal(reply.body.trx_id, '');
        await untouched(`insufficient ${why}`);
      }
      // The exact amount is affordable with pay_type 2: all points, then all cash.
      const exact: Order = { billNo: 'V-exact', total: 105_000n, payType: '2', phone };
      const exactTrx = await assertPaymentReply(gw, format, await pay(gw, format, m, exact), exact, 'PENDING');
      assert.deepEqual(await paymentSplit(gw, exactTrx), { cash: 100_000n, points: 5_000n });
      assert.deepEqual(await walletMoney(gw.database, wallet), {
        cashAvailable: 0n, cashHeld: 100_000n, cashPosted: 100_000n, pointsAvailable: 0n, pointsHeld: 5_000n, pointsPosted: 5_000n,
      });
      // While everything is held, even a pinless payment cannot be made.
      const held = await pay(gw, format, m, { billNo: 'V-held', total: 1_000n, payType: '0', phone });
      assert.equal(held.body.response_code, '01', held.raw);
      assert.equal((await cancel(gw, format, m, exactTrx, 'V-exact', 'test')).body.response_code, '00');
      await r.waitFor(exactTrx, '8');
      assert.deepEqual(await walletMoney(gw.database, wallet), opening);

      // Pinless: at the limit the reply already says SUCCESS, the money moved, and the merchant hears 2.
      const pinless: Order = { billNo: 'V-pinless', total: 25_000n, payType: '0', phone };
      const pinlessTrx = await assertPaymentReply(gw, format, await pay(gw, format, m, pinless), pinless, 'SUCCESS');
      await assertNotification(gw, await r.waitFor(pinlessTrx, '2'), m, pinlessTrx, '2');
      assert.deepEqual(await walletMoney(gw.database, wallet), { ...opening, cashAvailable: 75_000n, cashPosted: 75_000n });
      assert.deepEqual(await merchantMoney(gw.database, m), { cashSettled: 25_000n, pointsSettled: 0n, cashIncoming: 0n, pointsIncoming: 0n });
      assertStatus(await inquiry(gw, format, m, pinlessTrx, 'V-pinless'), pinlessTrx, '2');
      // One rupiah above the limit needs the PIN.
      const needsPin: Order = { billNo: 'V-pin', total: 25_001n, payType: '0', phone };
      await assertPaymentReply(gw, format, await pay(gw, format, m, needsPin), needsPin, 'PENDING');
      // pay_type 2 when the points cover it all: no cash is touched.
      const allPoints: Order = { billNo: 'V-points', total: 3_000n, payType: '2', phone };
      const allPointsTrx = await assertPaymentReply(gw, format, await pay(gw, format, m, allPoints), allPoints, 'SUCCESS');
      assert.deepEqual(await paymentSplit(gw, allPointsTrx), { cash: 0n, points: 3_000n });
      // Pinless: one posted transfer, no hold.
      assert.deepEqual((await paymentTransfers(gw.database, allPointsTrx)).map((t) => [t.kind, t.amount]), [['posted', 3_000n]]);
    });
  }
}

async function paymentSplit(gw: PaymentsGateway, trxId: string): Promise<{ cash: bigint; points: bigint }> {
  const p = await reloadPayment(gw.database, trxId);
  return { cash: p.cashAmount, points: p.pointsAmount };
}
