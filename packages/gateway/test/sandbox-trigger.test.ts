// Proves on SQLite and PostgreSQL that every `sandbox trigger` event makes the real objects (sandbox wallet, link, payment in the ledger) and that the real state machine's notification or activation callback reaches a real local receiver, verified there by the client SDK (legacy signature and X-Signature, JSON and XML); that the `ovo-tokenize sandbox trigger` command prints what it made and exits 1 on a refusal; that bad input gets a sandbox error and changes nothing; and that outside sandbox mode the route is a 404 and the command refuses, saying why.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyActivationCallback, verifyNotification } from '@ovo-tokenize/client';
import type { WireFormat } from '@ovo-tokenize/protocol';
import { findPayment } from '../src/store/payments.ts';
import { findWalletByPhone, walletBalances } from '../src/store/wallets.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { countRows, startReceiver, startTestGateway, type Received, type Receiver } from './support/gateway.ts';

const SECRET = 'whsec-trigger-test';

function merchantFor(receiver: Receiver, id: string, format: WireFormat, extra: { pinlessLimit?: bigint } = {}) {
  return {
    merchantId: id, name: 'Toko Trigger', userId: `bot${id}`, password: `pw-${id}`, hmacSecret: SECRET, notifyFormat: format,
    callbackUrl: `${receiver.url}/callback`, notifyUrl: `${receiver.url}/notify`, ...extra,
  };
}

async function trigger(gatewayUrl: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${gatewayUrl}/sandbox/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

/** The delivery the receiver got with this X-Notification-Id (the dispatcher sends it within moments). */
async function deliveredAs(receiver: Receiver, path: string, notificationId: string): Promise<Received> {
  for (let n = 1; ; n++) {
    const got = await receiver.waitFor(path, n, 10_000);
    if (got.headers['x-notification-id'] === notificationId) return got;
  }
}

describe('sandbox trigger', { concurrency: true }, () => {
for (const kind of DATABASE_KINDS) {
  const format: WireFormat = kind === 'sqlite' ? 'json' : 'xml';

  test(`${kind}: each payment event ends a real payment and its real ${format} notification reaches the receiver, signed`, async () => {
    const receiver = await startReceiver();
    const merchant = merchantFor(receiver, '77001', format);
    const gw = await startTestGateway(kind, { merchants: [merchant] });
    const expected = { 'payment.success': ['SUCCESS', '2'], 'payment.failed': ['FAILED', '3'], 'payment.expired': ['EXPIRED', '7'], 'payment.cancelled': ['CANCELLED', '8'] } as const;
    for (const [event, [status, code]] of Object.entries(expected)) {
      const { status: http, body } = await trigger(gw.url, { event, merchant_id: '77001' });
      assert.equal(http, 200, JSON.stringify(body));
      assert.equal(body.status, status);
      assert.equal(body.payment_status_code, code);
      assert.match(body.bill_no, /^SBX-TRIGGER-[0-9a-f]{16}$/);
      assert.equal(body.linked, true, 'a fresh test phone is linked first');
      const payment = (await findPayment(gw.database.db, body.trx_id))!;
      assert.equal(payment.status, status, 'the payment itself ended so');
      assert.equal(payment.amount, 25_000n);
      assert.equal((await findWalletByPhone(gw.database.db, body.phone_no))?.sandbox, true);

      const delivered = await deliveredAs(receiver, '/notify', body.notification_id);
      const notification = verifyNotification({
        rawBody: delivered.body, contentType: delivered.headers['content-type'], headers: delivered.headers,
        userId: merchant.userId, password: merchant.password, hmacSecret: SECRET,
      });
      assert.equal(notification.format, format);
      assert.deepEqual([notification.trxId, notification.billNo, notification.paymentStatusCode, notification.amount], [body.trx_id, body.bill_no, code, 25_000n]);
      const callback = await deliveredAs(receiver, '/callback', body.callback_notification_id);
      assert.equal(verifyActivationCallback(callback.query, merchant).linked, true, `${event}: the link it made was called back`);
    }
  });

  test(`${kind}: link events call the activation callback back, linked or failed; pay types split the payment; a given phone keeps its wallet`, async () => {
    const receiver = await startReceiver();
    const merchant = merchantFor(receiver, '77002', format);
    const gw = await startTestGateway(kind, { merchants: [merchant] });
    for (const [event, linked] of [['link.success', true], ['link.failed', false]] as const) {
      const { status, body } = await trigger(gw.url, { event, merchant_id: 77002 });
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.trx_id, undefined);
      const callback = verifyActivationCallback((await deliveredAs(receiver, '/callback', body.callback_notification_id)).query, merchant);
      assert.deepEqual([callback.phone, callback.linked, callback.responseCode], [body.phone_no, linked, linked ? '00' : '01']);
    }

    const phone = '081299990001';
    const first = await trigger(gw.url, { event: 'payment.success', merchant_id: '77002', phone_no: phone, amount: 65_000, pay_type: 2 });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.amount, first.body.points_amount, first.body.cash_amount], [65_000, 50_000, 15_000], 'points first, then cash');
    const second = await trigger(gw.url, { event: 'payment.success', merchant_id: '77002', phone_no: '6281299990001', amount: '1000', pay_type: '1' });
    assert.equal(second.status, 409, 'the points are spent: the real balance check refuses');
    assert.match(second.body.error, /Insufficient balance/);
    const third = await trigger(gw.url, { event: 'payment.success', merchant_id: '77002', phone_no: phone, amount: 1000, pay_type: '0' });
    assert.equal(third.body.linked, false, 'already linked');
    assert.equal(third.body.callback_notification_id, undefined);
    const wallet = (await findWalletByPhone(gw.database.db, phone))!;
    assert.deepEqual(await walletBalances(gw.database.db, wallet), { cash: 1_000_000n - 16_000n, points: 0n });
    const delivered = await deliveredAs(receiver, '/notify', third.body.notification_id);
    assert.equal(verifyNotification({ rawBody: delivered.body, contentType: delivered.headers['content-type'], headers: delivered.headers, ...merchant }).amount, 1000n);
  });

  test(`${kind}: bad input and impossible triggers get a sandbox error and change nothing`, async () => {
    const receiver = await startReceiver();
    const gw = await startTestGateway(kind, {
      merchants: [merchantFor(receiver, '77003', format, { pinlessLimit: 50_000n }), { merchantId: '77004', name: 'No URLs', userId: 'bot77004', password: 'pw' }],
    });
    const before = await countRows(gw.database);
    const cases: Array<[Record<string, unknown> | string, number, RegExp]> = [
      ['not json', 400, /JSON object/],
      [{ event: 'payment.refunded', merchant_id: '77003' }, 400, /event must be one of payment\.success, .*link\.failed/],
      [{ event: 'payment.success' }, 400, /merchant_id/],
      [{ event: 'payment.success', merchant_id: '99' }, 404, /no merchant 99/],
      [{ event: 'payment.success', merchant_id: '77003', amount: 0 }, 400, /amount/],
      [{ event: 'payment.success', merchant_id: '77003', amount: 1.5 }, 400, /amount/],
      [{ event: 'payment.success', merchant_id: '77003', pay_type: 3 }, 400, /pay_type/],
      [{ event: 'payment.success', merchant_id: '77003', phone_no: '12345' }, 400, /phone_no/],
      [{ event: 'payment.failed', merchant_id: '77003', amount: 50_000 }, 409, /pinless limit/],
      [{ event: 'payment.success', merchant_id: '77004' }, 409, /no notification URL.*--notify-url/],
      [{ event: 'link.success', merchant_id: '77004' }, 409, /no activation callback URL.*--callback-url/],
    ];
    for (const [body, status, error] of cases) {
      const res = await fetch(`${gw.url}/sandbox/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      const answer = await res.json() as { error: string };
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(answer.error, error);
    }
    assert.deepEqual(await countRows(gw.database), before);
    // With the pinless limit, a PIN-less payment.failed defaults to an amount just above it.
    const failed = await trigger(gw.url, { event: 'payment.failed', merchant_id: '77003' });
    assert.deepEqual([failed.status, failed.body.status, failed.body.amount], [200, 'FAILED', 50_001]);
    // Within it, payment.success is paid at once by the pinless path, its notification queued with it.
    const pinless = await trigger(gw.url, { event: 'payment.success', merchant_id: '77003', amount: 1000 });
    assert.deepEqual([pinless.status, pinless.body.status], [200, 'SUCCESS']);
    assert.equal((await deliveredAs(receiver, '/notify', pinless.body.notification_id)).headers['x-notification-id'], pinless.body.notification_id);
  });

  test(`${kind}: ovo-tokenize sandbox trigger prints what it made and exits 1 on a refusal`, async () => {
    const receiver = await startReceiver();
    const gw = await startTestGateway(kind, { merchants: [merchantFor(receiver, '77005', format)] });
    const run = await runCommand(['sandbox', 'trigger', 'payment.cancelled', '--merchant', '77005', '--amount', '30000', '--pay-type', '2', '--gateway', gw.url]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^payment\.cancelled for merchant 77005$/m);
    assert.match(run.stdout, /trx_id \d{16}, bill_no SBX-TRIGGER-[0-9a-f]{16}, CANCELLED \(status code 8\)/);
    assert.match(run.stdout, /Rp 30000 = cash Rp 0 \+ points 30000/);
    const id = /notification +(ntf_[0-9a-f]{32}) queued/.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    await deliveredAs(receiver, '/notify', id);

    const refused = await runCommand(['sandbox', 'trigger', 'payment.success', '--merchant', '88888', '--gateway', gw.url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the gateway refused \(404\): no merchant 88888/);
    const unknown = await runCommand(['sandbox', 'trigger', 'payment.lost', '--merchant', '77005', '--gateway', gw.url]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /<event> must be one of payment\.success/);
  });

  test(`${kind}: outside sandbox mode /sandbox/trigger is a 404 and the command refuses, saying why`, async () => {
    const receiver = await startReceiver();
    const gw = await startTestGateway(kind, { config: { sandbox: false }, merchants: [merchantFor(receiver, '77006', format)] });
    const before = await countRows(gw.database);
    const res = await fetch(`${gw.url}/sandbox/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'payment.success', merchant_id: '77006' }) });
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    const run = await runCommand(['sandbox', 'trigger', 'payment.success', '--merchant', '77006', '--gateway', gw.url]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not in sandbox mode/);
    assert.deepEqual(await countRows(gw.database), before);
    assert.equal(receiver.received.length, 0);
  });
}
});
