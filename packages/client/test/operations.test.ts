// Proves, against the real gateway in-process (SQLite) in JSON and in XML, that every client method sends a request the gateway accepts and turns each reply into the right typed outcome — ok with bigint money, failed (01, 81), relinkRequired (02) with a URL that really relinks — and that refused calls (HTTP 200, the response code says why) throw the mapped error class carrying HTTP status, response code and request id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJakartaDate } from '@ovo-tokenize/protocol';
import { completeLink } from '../../gateway/test/support/gateway.ts';
import {
  FASPAY_SANDBOX_ENDPOINTS, OvoApiError, OvoAuthenticationError, OvoInvalidRequestError, OvoTokenizeError,
  type HistoryTransaction,
} from '../src/index.ts';
import { FORMATS, SANDBOX_CASH, SANDBOX_POINTS, link, ok, startShop } from './support/gateway.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATETIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/;
const PHONE = { json: '081300000001', xml: '081300000002' } as const;

/** Runs `call`, asserts it throws `kind`, and returns the error. */
async function rejection<E extends OvoTokenizeError>(call: () => Promise<unknown>, kind: new (...args: never[]) => E): Promise<E> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${kind.name}, but the call succeeded`);
}

for (const format of FORMATS) {
  test(`${format}: link, balance, top-up instructions, pay (every pay type, idempotent, 01), inquiry, cancel (ok, again, 81), history pages, unlink, 02 and relink`, async () => {
    const shop = await startShop(format);
    const { client } = shop;
    const phone = PHONE[format];
    const today = formatJakartaDate(new Date());

    // Not linked yet: the gateway answers 02 with an activation URL.
    const before = await client.balance({ phone });
    assert.equal(before.outcome, 'relinkRequired');
    assert.ok(before.outcome === 'relinkRequired' && before.relinkUrl.startsWith(`${shop.gw.url}/activation/`));
    assert.equal(before.description, 'Failed, please regenerate payment token');

    const activation = ok(await client.activate({ phone, customerName: 'Andrea Hinata' }));
    assert.deepEqual(Object.keys(activation).sort(), ['message', 'outcome', 'redirectUrl', 'requestId', 'status']);
    assert.equal(activation.status, 'ALLOWED');
    assert.equal(activation.message, 'SUCCESS');
    assert.match(activation.requestId, UUID);
    const final = await completeLink(shop.gw.url, activation.redirectUrl, phone);
    assert.match(final.html, /Account linked/);

    const balance = ok(await client.balance({ phone }));
    assert.deepEqual(Object.keys(balance).sort(), ['cash', 'outcome', 'phone', 'points', 'requestId']);
    assert.equal(balance.phone, phone);
    assert.equal(balance.cash, SANDBOX_CASH);
    assert.equal(balance.points, SANDBOX_POINTS);

    const topup = ok(await client.topupInstructions({ phone }));
    assert.deepEqual(topup.instructions.map((i) => i.option), ['ATM', 'Internet/Mobile Banking', 'Grab', 'Tokopedia', 'Merchant/Mitra OVO']);
    for (const i of topup.instructions) assert.ok(i.icon.startsWith(shop.gw.url) && i.url.startsWith(shop.gw.url), JSON.stringify(i));

    const order = { description: 'Kopi susu', phone, customerName: 'Andrea Hinata', email: 'andrea@example.com' };
    // At or below the merchant's pinless limit (100,000) a payment completes at once.
    const cash = ok(await client.pay({ ...order, billNo: `${format}-1`, amount: 25_000n, payType: 'cash' }));
    assert.deepEqual(Object.keys(cash).sort(), ['amount', 'billNo', 'outcome', 'paymentDay', 'redirectUrl', 'requestId', 'status', 'trxId']);
    assert.equal(cash.status, 'SUCCESS');
    assert.equal(cash.amount, 25_000n);
    assert.equal(cash.billNo, `${format}-1`);
    assert.match(cash.trxId, /^[1-9][0-9]{15}$/);
    assert.match(cash.paymentDay, DATETIME);
    const again = ok(await client.pay({ ...order, billNo: `${format}-1`, amount: 25_000n, payType: 'cash' }));
    assert.equal(again.trxId, cash.trxId, 'the same bill_no with the same content is the same order');

    const points = ok(await client.pay({ ...order, billNo: `${format}-2`, amount: 1_000n, payType: 'points' }));
    assert.equal(points.status, 'SUCCESS');
    // Points first (49,000 left), the rest (11,000) in cash.
    const mixed = ok(await client.pay({ ...order, billNo: `${format}-3`, amount: 60_000n, payType: 'pointsThenCash' }));
    assert.equal(mixed.status, 'SUCCESS');

    const tooMuch = await client.pay({ ...order, billNo: `${format}-4`, amount: 5_000_000n, payType: 'cash' });
    assert.equal(tooMuch.outcome, 'failed');
    assert.ok(tooMuch.outcome === 'failed' && tooMuch.code === '01' && /Insufficient balance/.test(tooMuch.description), JSON.stringify(tooMuch));

    // Above the pinless limit: pending until the customer authorises, so it can be cancelled.
    const pending = ok(await client.pay({ ...order, billNo: `${format}-5`, amount: 150_000n, payType: 'cash' }));
    assert.equal(pending.status, 'PENDING');
    const inquiry = ok(await client.paymentStatus({ trxId: pending.trxId, billNo: pending.billNo }));
    assert.deepEqual(Object.keys(inquiry).sort(),
      ['billNo', 'outcome', 'paymentDate', 'paymentReff', 'paymentStatusCode', 'paymentStatusDesc', 'requestId', 'trxId']);
    assert.equal(inquiry.paymentStatusCode, '1');
    assert.equal(inquiry.paymentStatusDesc, 'In Process');
    const cancelled = ok(await client.cancel({ trxId: pending.trxId, billNo: pending.billNo, reason: 'Customer changed their mind' }));
    assert.equal(cancelled.paymentStatusCode, '8');
    assert.equal(cancelled.trxStatusCode, '8');
    assert.equal(cancelled.reason, 'Customer changed their mind');
    assert.match(cancelled.paymentCancelDate, DATETIME);
    const cancelledAgain = ok(await client.cancel({ trxId: pending.trxId, billNo: pending.billNo, reason: 'again' }));
    assert.equal(cancelledAgain.paymentStatusCode, '8', 'cancelling twice changes nothing');
    assert.equal(cancelledAgain.reason, 'Customer changed their mind');
    assert.equal(ok(await client.paymentStatus({ trxId: pending.trxId, billNo: pending.billNo })).paymentStatusCode, '8');

    const paidCancel = await client.cancel({ trxId: cash.trxId, billNo: cash.billNo, reason: 'too late' });
    assert.ok(paidCancel.outcome === 'failed' && paidCancel.code === '81', JSON.stringify(paidCancel));
    const paid = ok(await client.paymentStatus({ trxId: cash.trxId, billNo: cash.billNo }));
    assert.equal(paid.paymentStatusCode, '2');
    assert.match(paid.paymentReff, /^[0-9]+$/);

    const after = ok(await client.balance({ phone }));
    assert.equal(after.cash, SANDBOX_CASH - 25_000n - 11_000n);
    assert.equal(after.points, 0n);

    const page1 = ok(await client.history({ phone, startDate: today, endDate: today, page: 1, limit: 2 }));
    assert.deepEqual(Object.keys(page1).sort(), ['limit', 'outcome', 'page', 'phone', 'requestId', 'total', 'transactions']);
    assert.equal(page1.total, 4);
    assert.equal(page1.page, 1);
    assert.equal(page1.limit, 2);
    assert.equal(page1.transactions.length, 2);
    const rows: HistoryTransaction[] = [];
    let pages = 0;
    for await (const page of client.historyAll({ phone, startDate: today, endDate: today, limit: 1 })) {
      pages += 1;
      rows.push(...ok(page).transactions);
    }
    assert.equal(pages, 4);
    const byTrx = new Map(rows.map((r) => [r.trxId, r]));
    assert.equal(byTrx.size, 4);
    assert.deepEqual(rows.slice(0, 2), [...page1.transactions], 'historyAll walks the same order as history');
    const mixedRow = byTrx.get(mixed.trxId);
    assert.ok(mixedRow);
    assert.deepEqual({ amount: mixedRow.amount, cash: mixedRow.cash, points: mixedRow.points, status: mixedRow.status },
      { amount: 60_000n, cash: 11_000n, points: 49_000n, status: 'SUCCESS' });
    assert.deepEqual([byTrx.get(points.trxId)?.cash, byTrx.get(points.trxId)?.points], [0n, 1_000n]);
    assert.equal(byTrx.get(pending.trxId)?.status, 'CANCELLED');
    assert.match(byTrx.get(cash.trxId)!.paymentDate, DATETIME);

    // Refusals that are bugs in the call throw, with the request id the client sent.
    const conflict = await rejection(
      () => client.pay({ ...order, billNo: `${format}-1`, amount: 26_000n, payType: 'cash' }, { requestId: 'req-conflict' }),
      OvoInvalidRequestError);
    assert.deepEqual([conflict.code, conflict.responseCode, conflict.httpStatus, conflict.requestId], ['invalid_order', '14', 200, 'req-conflict']);
    assert.match(conflict.raw ?? '', /14/);
    const unknown = await rejection(() => client.paymentStatus({ trxId: '1234567890123456', billNo: 'nope' }), OvoInvalidRequestError);
    assert.equal(unknown.responseCode, '14');

    for (const round of [1, 2]) {
      const unlinked = ok(await client.unlink({ phone }));
      assert.deepEqual(Object.keys(unlinked).sort(), ['outcome', 'phone', 'requestId'], `unlink #${round}`);
    }
    const gone = [
      await client.balance({ phone }),
      await client.history({ phone, startDate: today, endDate: today, page: 1, limit: 10 }),
      await client.pay({ ...order, billNo: `${format}-6`, amount: 1_000n, payType: 'cash' }),
    ];
    for (const result of gone) {
      assert.equal(result.outcome, 'relinkRequired', JSON.stringify(result));
    }
    const relinkUrl = gone[2]!.outcome === 'relinkRequired' ? gone[2]!.relinkUrl : assert.fail();
    await completeLink(shop.gw.url, relinkUrl, phone);
    assert.equal(ok(await client.balance({ phone })).cash, after.cash, 'linked again through the 02 url');
  });

  test(`${format}: wrong credentials, unknown merchant, a wrong path and a field the client itself refuses map to their error classes`, async () => {
    const shop = await startShop(format);
    const phone = PHONE[format];

    const wrongPassword = await rejection(
      () => shop.clientWith({ password: 'not-it' }).balance({ phone }, { requestId: 'req-55' }), OvoAuthenticationError);
    assert.deepEqual([wrongPassword.code, wrongPassword.responseCode, wrongPassword.httpStatus, wrongPassword.requestId],
      ['incorrect_signature', '55', 200, 'req-55']);

    const unknownMerchant = await rejection(() => shop.clientWith({ merchantId: '41999' }).balance({ phone }), OvoAuthenticationError);
    assert.deepEqual([unknownMerchant.responseCode, unknownMerchant.httpStatus], ['03', 200]);

    const wrongPath = await rejection(() => shop.clientWith({ endpoints: { balance: '/no/such/path' } }).balance({ phone }), OvoApiError);
    assert.deepEqual([wrongPath.code, wrongPath.httpStatus, wrongPath.responseCode], ['http_404', 404, undefined]);

    // Checked with the catalogue's own validation before anything is sent.
    let sent = 0;
    const counting = shop.clientWith({ fetch: (input, init) => { sent += 1; return fetch(input, init); } });
    const badPhone = await rejection(() => counting.balance({ phone: '12345' }), OvoInvalidRequestError);
    assert.deepEqual([badPhone.responseCode, badPhone.httpStatus], ['30', undefined]);
    assert.match(badPhone.message, /^phone: phone_no must be an Indonesian mobile number/);
    const zero = await rejection(() => counting.pay({ billNo: 'x', description: 'x', amount: 0n, phone, customerName: 'A', email: 'a@example.com', payType: 'cash' }), OvoInvalidRequestError);
    assert.equal(zero.responseCode, '13');
    const badPayType = await rejection(
      // @ts-expect-error a JavaScript caller can pass anything
      () => counting.pay({ billNo: 'x', description: 'x', amount: 1n, phone, customerName: 'A', email: 'a@example.com', payType: 'card' }),
      OvoInvalidRequestError);
    assert.equal(badPayType.responseCode, '30');
    assert.equal(sent, 0, 'nothing reached the network');
    // A +62 number is accepted and sent as 08…, signed as sent.
    assert.equal(ok(await counting.unlink({ phone: `+62${phone.slice(1)}` })).phone, phone);
    assert.equal(sent, 1);
  });

  test(`${format}: a merchant with an HMAC secret is served only when the client signs with it; Faspay's sandbox paths work through the preset`, async () => {
    const shop = await startShop(format, { merchantId: '41002', userId: 'bot41002', password: 'pw-41002', hmacSecret: 'whsec_client_test' });
    const phone = PHONE[format];
    const urls: string[] = [];
    const client = shop.clientWith({
      endpoints: FASPAY_SANDBOX_ENDPOINTS,
      fetch: (input, init) => { urls.push(String(input)); return fetch(input, init); },
    });

    const activation = ok(await client.activate({ phone, customerName: 'Andrea Hinata' }));
    await completeLink(shop.gw.url, activation.redirectUrl, phone);
    const pending = ok(await client.pay({ billNo: 'H-1', description: 'Teh', amount: 200_000n, phone, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash' }));
    assert.equal(ok(await client.paymentStatus({ trxId: pending.trxId, billNo: 'H-1' })).paymentStatusCode, '1');
    assert.equal(ok(await client.cancel({ trxId: pending.trxId, billNo: 'H-1', reason: 'test' })).paymentStatusCode, '8');
    const paths = urls.map((u) => new URL(u).pathname);
    assert.deepEqual(paths, format === 'json'
      ? ['/cvr/100037/10', '/ovo/payment', '/cvr/100004/10', '/cvr/100005/10']
      : ['/pws/100037/183xx00010100000/', '/ovo/payment', '/pws/100004/183xx00010100000', '/pws/100005/183xx00010100000']);

    const unsigned = await rejection(() => shop.clientWith({ hmacSecret: undefined }).balance({ phone }), OvoAuthenticationError);
    assert.equal(unsigned.responseCode, '55');
    assert.match(unsigned.message, /X-Signature header is missing/);
    const wrongSecret = await rejection(() => shop.clientWith({ hmacSecret: 'whsec_other' }).balance({ phone }), OvoAuthenticationError);
    assert.match(wrongSecret.message, /X-Signature does not match/);
  });
}
