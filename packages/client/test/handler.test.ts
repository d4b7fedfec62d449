// Proves that createNotificationHandler, given Web Requests, acknowledges a verified notification after calling back exactly once and answers 400/401/405/413 without calling back; and, end to end in JSON and XML, that the real gateway's notifications (HMAC-signed) and activation callbacks pass the client's receivers and the gateway records the notification as delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAYMENT_NOTIFICATION, WIRE_FORMATS, contentTypeOf, hmacSignatureHeader, notificationSignature, parseBody, serialize,
} from '@ovo-tokenize/protocol';
import {
  OvoSignatureVerificationError, createNotificationHandler, verifyActivationCallback, type ActivationCallback,
  type NotificationHandlerOptions, type PaymentNotification,
} from '../src/index.ts';
import { link, ok, startShop } from './support/gateway.ts';
import { startMerchantServer, waitFor } from './support/merchant-server.ts';

const USER = 'bot41001';
const PASSWORD = 'pw-41001';
const SECRET = 'whsec_handler';

function notificationBody(format: 'json' | 'xml', statusCode = '2'): string {
  const values: Record<string, string> = {
    request: 'Payment Notification', trx_id: '1000000000000001', merchant_id: '41001', merchant: 'Toko Klien', bill_no: 'B-1',
    payment_reff: '123456789012', payment_date: '2025-06-01 12:00:00', payment_status_code: statusCode, payment_status_desc: 'Payment Success',
    bill_total: '5000', payment_total: '5000', payment_channel_uid: '720', payment_channel: 'OVO Tokenize',
    signature: notificationSignature(USER, PASSWORD, 'B-1', statusCode),
  };
  return serialize(format, Object.fromEntries(PAYMENT_NOTIFICATION.fields.map((f) => [f, values[f]!])));
}

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): Request {
  return new Request('https://shop.example/ovo/notify', { method: 'POST', headers, body });
}

function handlerWith(extra: Partial<NotificationHandlerOptions> = {}) {
  const seen: Array<{ notification: PaymentNotification; notificationId: string | undefined }> = [];
  const rejected: Error[] = [];
  const handler = createNotificationHandler({
    userId: USER, password: PASSWORD, hmacSecret: SECRET,
    onNotification: (notification, { notificationId }) => { seen.push({ notification, notificationId }); },
    onRejected: (error) => { rejected.push(error); },
    ...extra,
  });
  return { handler, seen, rejected };
}

for (const format of WIRE_FORMATS) {
  test(`${format}: the handler acknowledges a verified notification and refuses bad ones without calling back`, async () => {
    const { handler, seen, rejected } = handlerWith();
    const body = notificationBody(format);
    const now = Math.floor(Date.now() / 1000);
    const good = () => ({ 'content-type': contentTypeOf(format), 'x-signature': hmacSignatureHeader(SECRET, body, now), 'x-notification-id': 'ntf_1' });

    const response = await handler(post(body, good()));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), contentTypeOf(format));
    const ack = parseBody(format, await response.text());
    assert.deepEqual([ack.response, ack.response_code, ack.trx_id, ack.bill_no, ack.merchant_id], ['Payment Notification', '00', '1000000000000001', 'B-1', '41001']);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.notificationId, 'ntf_1');
    assert.equal(seen[0]!.notification.amount, 5_000n);

    const cases: Array<[string, Request, number]> = [
      ['tampered body', post(body.replace('5000', '5'), good()), 401],
      ['no X-Signature', post(body, { 'content-type': contentTypeOf(format) }), 401],
      ['stale X-Signature', post(body, { ...good(), 'x-signature': hmacSignatureHeader(SECRET, body, now - 3_600) }), 401],
      ['wrong legacy signature', post(notificationBody(format).replace(/[0-9a-f]{40}/, '0'.repeat(40)),
        { 'content-type': contentTypeOf(format), 'x-signature': hmacSignatureHeader(SECRET, notificationBody(format).replace(/[0-9a-f]{40}/, '0'.repeat(40)), now) }), 401],
      ['not JSON or XML', post('hello', { 'content-type': 'text/plain', 'x-signature': hmacSignatureHeader(SECRET, 'hello', now) }), 400],
      ['GET', new Request('https://shop.example/ovo/notify'), 405],
      ['oversized', post(new Uint8Array(70 * 1024), good()), 413],
    ];
    for (const [name, request, status] of cases) {
      const refused = await handler(request);
      assert.equal(refused.status, status, name);
      assert.doesNotMatch(await refused.text(), /Payment Notification/, `${name}: no acknowledgement`);
    }
    assert.equal(seen.length, 1, 'onNotification ran only for the genuine one');
    assert.ok(rejected.some((e) => e instanceof OvoSignatureVerificationError && e.code === 'hmac_stale'));

    // A failure in the merchant's own code propagates: no acknowledgement, so the gateway delivers again.
    const failing = handlerWith({ onNotification: () => { throw new Error('database down'); } });
    await assert.rejects(failing.handler(post(body, good())), /database down/);
  });

  test(`${format}: end to end, the real gateway's activation callback and HMAC-signed payment notification pass the client's receivers`, async () => {
    const callbacks: ActivationCallback[] = [];
    const notifications: PaymentNotification[] = [];
    let merchantCredentials = { userId: '', password: '' };
    const handler = createNotificationHandler({
      userId: 'bot41003', password: 'pw-41003', hmacSecret: SECRET,
      onNotification: (n) => { notifications.push(n); },
    });
    const merchantServer = await startMerchantServer(async (request) => {
      const url = new URL(request.url);
      if (url.pathname === '/ovo/notify') return handler(request);
      if (url.pathname === '/ovo/callback') {
        callbacks.push(verifyActivationCallback(url.searchParams, merchantCredentials));
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    });
    const shop = await startShop(format, {
      merchantId: '41003', userId: 'bot41003', password: 'pw-41003', hmacSecret: SECRET, notifyFormat: format,
      notifyUrl: `${merchantServer.url}/ovo/notify`, callbackUrl: `${merchantServer.url}/ovo/callback`,
    });
    merchantCredentials = { userId: shop.merchant.userId, password: shop.merchant.password };
    const phone = format === 'json' ? '081300000011' : '081300000012';

    await link(shop, phone);
    await waitFor(() => callbacks.length === 1, 'activation callback');
    assert.deepEqual([callbacks[0]!.linked, callbacks[0]!.phone, callbacks[0]!.merchantId], [true, phone, '41003']);

    const paid = ok(await shop.client.pay({ billNo: `E2E-${format}`, description: 'Kopi', amount: 30_000n, phone, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash' }));
    assert.equal(paid.status, 'SUCCESS');
    await waitFor(async () => {
      const rows = await shop.gw.database.db.selectFrom('outbox').select(['status', 'kind']).where('kind', '=', 'payment_notification').execute();
      return rows.length === 1 && rows[0]!.status === 'delivered';
    }, 'notification delivered');
    assert.equal(notifications.length, 1);
    const n = notifications[0]!;
    assert.deepEqual([n.format, n.trxId, n.billNo, n.paymentStatusCode, n.amount, n.paymentTotal], [format, paid.trxId, `E2E-${format}`, '2', 30_000n, 30_000n]);
  });
}
