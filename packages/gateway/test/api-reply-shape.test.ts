// Proves, on SQLite and PostgreSQL in JSON and XML, that every response code the gateway can produce arrives with HTTP 200 (only its own failure, 96, is 500), and that every reply of every operation — each error it can answer included — carries every field of that operation's reply in the catalogue, echoing the request's identifying fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  OPERATIONS, OVO_PAYMENT_CHANNEL, RESPONSE_CODES, formatJakartaDate, type OperationName, type ResponseCode, type WireFormat,
} from '@ovo-tokenize/protocol';
import { updateMerchant, type MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, contentTypeFor, sendRaw, type Reply } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startPaymentsGateway, type PaymentsGateway } from './support/payments.ts';

const SHOP: MerchantInput = { merchantId: '51001', name: 'Shape Shop', userId: 'bot51001', password: 'shape-pass' };
const PINLESS_SHOP: MerchantInput = { merchantId: '51002', name: 'Pinless Shop', userId: 'bot51002', password: 'pinless-pass', pinlessLimit: 1_000_000n };
const WALLED_SHOP: MerchantInput = { merchantId: '51003', name: 'Walled Shop', userId: 'bot51003', password: 'walled-pass', allowIps: ['10.9.9.9'] };
const SUSPENDED_SHOP: MerchantInput = { merchantId: '51004', name: 'Suspended Shop', userId: 'bot51004', password: 'suspended-pass' };
const LINKED_PHONE = '081351000001';
const UNLINKED_PHONE = '081351000002';
/** The request fields a reply repeats (spec §3). */
const ECHOED = ['merchant_id', 'bill_no', 'trx_id', 'phone_no', 'payment_channel'] as const;

let billSeq = 0;

/** A complete, valid request for `op` as `merchant` (signature added when sent). */
function requestFields(op: OperationName, merchant: MerchantInput, extra: Record<string, string> = {}): Record<string, string> {
  const base = { merchant_id: merchant.merchantId, payment_channel: OVO_PAYMENT_CHANNEL, phone_no: LINKED_PHONE };
  const today = formatJakartaDate(new Date());
  const byOp: Record<OperationName, Record<string, string>> = {
    activation: { ...base, cust_name: 'Shape Customer' },
    payment: {
      ...base, bill_no: `SHAPE-${++billSeq}`, bill_desc: 'Shape order', bill_total: '1000', bill_currency: 'IDR',
      cust_name: 'Shape Customer', email: 'shape@example.com', pay_type: '0',
    },
    'topup-instruction': { ...base, merchant: merchant.name },
    balance: base,
    history: { ...base, merchant: merchant.name, start_date: today, end_date: today, page: '1', limit: '10' },
    unlink: { ...base, merchant: merchant.name },
    'payment-status': { merchant_id: merchant.merchantId, trx_id: '1234567890123456', bill_no: 'SHAPE-NONE' },
    cancel: { merchant_id: merchant.merchantId, trx_id: '1234567890123456', bill_no: 'SHAPE-NONE', payment_cancel: 'customer asked' },
  };
  return { ...byOp[op], ...extra };
}

function withoutField(fields: Record<string, string>, name: string): Record<string, string> {
  const copy = { ...fields };
  delete copy[name];
  return copy;
}

/** Asserts the reply's status, format, code, complete field list and echoes; records the code as seen. */
function assertShape(seen: Set<string>, op: OperationName, format: WireFormat, sent: Record<string, string>, reply: Reply,
  code: ResponseCode, why: string): void {
  const where = `${op} ${format} ${why}: HTTP ${reply.status} ${reply.raw.slice(0, 400)}`;
  assert.equal(reply.status, RESPONSE_CODES[code].http, where);
  assert.equal(reply.status, code === '96' ? 500 : 200, where);
  assert.ok(reply.contentType.startsWith(contentTypeFor(format)), where);
  assert.equal(reply.body.response_code, code, where);
  assert.deepEqual(Object.keys(reply.body), [...OPERATIONS[op].reply], `${where}: every field of the reply, in order`);
  assert.equal(reply.body.response, OPERATIONS[op].response, where);
  for (const name of ECHOED) {
    if ((OPERATIONS[op].reply as readonly string[]).includes(name) && sent[name] !== undefined) {
      assert.equal(reply.body[name], sent[name], `${where}: ${name} is echoed`);
    }
  }
  seen.add(code);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: every response code comes with HTTP 200 (96 with 500), and every reply of every operation carries every field`, async () => {
    const gw = await startPaymentsGateway(kind, { merchants: [SHOP, PINLESS_SHOP, WALLED_SHOP, SUSPENDED_SHOP], config: { api_rate_per_s: 0 } });
    const closed = await startPaymentsGateway(kind, { merchants: [SHOP], config: { sandbox: false, api_rate_per_s: 0 } });
    const broken = await startPaymentsGateway(kind, { merchants: [SHOP], config: { api_rate_per_s: 0 } });
    await updateMerchant(gw.database.db, SUSPENDED_SHOP.merchantId, { status: 'suspended' });
    const wallet = await fundedWallet(gw.database, { phone: LINKED_PHONE, cash: 100_000n, points: 0n });
    await linkThroughStore(gw.ctx, SHOP.merchantId, wallet);
    await linkThroughStore(gw.ctx, PINLESS_SHOP.merchantId, wallet);
    await fundedWallet(gw.database, { phone: UNLINKED_PHONE, cash: 0n, points: 0n });
    // The gateway's own failure: a table it needs is gone.
    await sql.raw(`drop table wallets${kind === 'postgres' ? ' cascade' : ''}`).execute(broken.database.db);
    const seen = new Set<string>();

    for (const format of ['json', 'xml'] as const) {
      const call = async (on: PaymentsGateway, op: OperationName, fields: Record<string, string>, code: ResponseCode, why: string,
        merchant: MerchantInput = SHOP, options: { keepSignature?: boolean } = {}) => {
        const reply = await callOperation(on.url, op, fields, format, merchant, options);
        assertShape(seen, op, format, fields, reply, code, why);
        return reply;
      };

      for (const op of Object.keys(OPERATIONS) as OperationName[]) {
        const fields = requestFields(op, SHOP);
        const firstRequired = OPERATIONS[op].request.find((f) => f.required && f.name !== 'merchant_id')!.name;
        await call(gw, op, withoutField(fields, firstRequired), '83', `without ${firstRequired}`);
        if (fields.payment_channel) await call(gw, op, { ...fields, payment_channel: '812' }, '30', 'another product\'s payment_channel');
        await call(gw, op, { ...fields, signature: 'f'.repeat(40) }, '55', 'wrong signature', SHOP, { keepSignature: true });
        await call(gw, op, { ...fields, merchant_id: '59999' }, '03', 'unknown merchant');
        await call(gw, op, requestFields(op, WALLED_SHOP), '56', 'caller not on the allowlist', WALLED_SHOP);
        await call(gw, op, requestFields(op, SUSPENDED_SHOP), '63', 'suspended merchant', SUSPENDED_SHOP);
        const neither = await sendRaw(gw.url, `/ovo/${op}`, 'merchant_id=51001', { 'content-type': 'application/x-www-form-urlencoded' });
        assert.equal(neither.status, 200, neither.raw);
        assert.deepEqual(Object.keys(neither.body), [...OPERATIONS[op].reply], `${op}: an unreadable body still gets every field`);
        assert.equal(neither.body.response_code, '30');
      }

      for (const op of ['balance', 'payment', 'history', 'unlink'] as const) {
        await call(broken, op, requestFields(op, SHOP), '96', 'the database lost a table it needs');
      }
      await call(gw, 'activation', requestFields('activation', SHOP, { phone_no: '081351000009' }), '00', 'a new link');
      await call(closed, 'activation', requestFields('activation', SHOP, { phone_no: '081351000009' }), '18', 'no wallet outside sandbox mode');
      await call(gw, 'topup-instruction', requestFields('topup-instruction', SHOP), '00', 'instructions');
      await call(gw, 'balance', requestFields('balance', SHOP), '00', 'linked');
      await call(gw, 'balance', requestFields('balance', SHOP, { phone_no: UNLINKED_PHONE }), '02', 'not linked');
      await call(gw, 'history', requestFields('history', SHOP), '00', 'linked');
      await call(gw, 'history', requestFields('history', SHOP, { phone_no: UNLINKED_PHONE }), '02', 'not linked');
      await call(gw, 'history', requestFields('history', SHOP, { end_date: '2999-01-01' }), '30', 'end_date in the future');

      await call(gw, 'payment', requestFields('payment', SHOP, { bill_total: '0' }), '13', 'amount 0');
      await call(gw, 'payment', requestFields('payment', SHOP, { bill_total: '100000000' }), '01', 'more than the wallet holds');
      await call(gw, 'payment', requestFields('payment', SHOP, { phone_no: UNLINKED_PHONE }), '02', 'not linked');
      const order = requestFields('payment', SHOP);
      const pending = await call(gw, 'payment', order, '00', 'pending payment');
      await call(gw, 'payment', { ...order, bill_total: '2000' }, '14', 'the same bill_no with other content');

      const paid = requestFields('payment', PINLESS_SHOP);
      const paidReply = await call(gw, 'payment', paid, '00', 'pinless payment', PINLESS_SHOP);
      const paidRef = { trx_id: String(paidReply.body.trx_id), bill_no: paid.bill_no! };
      await call(gw, 'payment-status', requestFields('payment-status', PINLESS_SHOP, paidRef), '00', 'paid', PINLESS_SHOP);
      await call(gw, 'payment-status', requestFields('payment-status', SHOP), '14', 'no such transaction');
      await call(gw, 'cancel', requestFields('cancel', PINLESS_SHOP, paidRef), '81', 'already paid', PINLESS_SHOP);
      await call(gw, 'cancel', requestFields('cancel', SHOP), '14', 'no such transaction');
      await call(gw, 'cancel', requestFields('cancel', SHOP, { trx_id: String(pending.body.trx_id), bill_no: order.bill_no! }), '00', 'pending');
      await call(gw, 'unlink', requestFields('unlink', SHOP, { phone_no: UNLINKED_PHONE }), '00', 'not linked: still 00');
    }

    // The rate limit's 429 is covered by rate-limit.test.ts; every other code of the table was produced here.
    assert.deepEqual([...seen].sort(), Object.keys(RESPONSE_CODES).sort());
  });
}
