// Proves that a request id runs end to end — the caller's when sane, else a fresh one, on every kind of reply, on the request's log lines, on the outbox rows it causes and on their deliveries — and that the log of a whole flow (link with OTP and PIN, pay with PIN, HMAC merchant) names every API call on one access line but holds none of its secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { requestSignature } from '@ovo-tokenize/protocol';
import { gatewayLoggerOptions } from '../src/observability/logging.ts';
import { listDeliveries } from '../src/delivery/outbox.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, callOperation, csrfTokenOf, readOtp, sendRaw, startReceiver, startTestGateway, type TestGateway,
} from './support/gateway.ts';
import { startNotificationReceiver } from './support/payments.ts';

const PIN = '123456';
const PASSWORD = 'Pa55word-only-the-shop-knows';
const HMAC_SECRET = 'hmac-secret-4a7f19c2e0';
const PEPPER = 'pepper-e91b0c2d7a55-for-this-test';
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface LogLine {
  msg: string;
  request_id?: string;
  [field: string]: unknown;
}

/** A logger writing to memory, with the redaction `serve` uses. */
function memoryLog(): { text: () => string; lines: () => LogLine[]; logger: ReturnType<typeof gatewayLoggerOptions> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    text,
    lines: () => text().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogLine),
    logger: gatewayLoggerOptions('trace', stream),
  };
}

function shop(callbackUrl: string, notifyUrl: string): MerchantInput {
  return {
    merchantId: '71001', name: 'Log Shop', userId: 'bot71001', password: PASSWORD, hmacSecret: HMAC_SECRET, callbackUrl, notifyUrl,
  };
}

function call(gw: TestGateway, merchant: MerchantInput, op: 'activation' | 'payment' | 'cancel', fields: Record<string, string>, requestId: string) {
  return callOperation(gw.url, op, { merchant_id: merchant.merchantId, ...fields }, 'json', merchant, { headers: { 'x-request-id': requestId } });
}

function order(billNo: string, phone: string): Record<string, string> {
  return {
    request: 'Payment OVO Open API', bill_no: billNo, bill_desc: 'Kopi', bill_total: '25000', bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: '0',
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a flow's request ids reach the outbox and the deliveries, and its log holds no secret`, async () => {
    const log = memoryLog();
    const callbacks = await startReceiver();
    const notifications = await startNotificationReceiver();
    const merchant = shop(`${callbacks.url}/callback`, notifications.url);
    const gw = await startTestGateway(kind, { merchants: [merchant], config: { pinPepper: PEPPER }, logger: log.logger });
    const phone = '081299900011';

    const activation = await call(gw, merchant, 'activation',
      { request: 'Account Activation OVO OpenAPI', payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata' }, 'shop-activation-1');
    assert.equal(activation.body.response_code, '00', activation.raw);
    const redirectURL = activation.body.redirectURL as string;

    // Linking through the pages like a browser; the PIN post is the request that queues the callback.
    const browser = new FormClient();
    const page = await browser.get(redirectURL);
    const csrf = csrfTokenOf(page.html);
    const otp = await readOtp(gw.url, phone);
    await browser.submit(`${redirectURL}/otp`, { csrf_token: csrf, otp });
    const linked = await browser.post(`${redirectURL}/pin`, { csrf_token: csrf, pin: PIN });
    const linkRequestId = linked.headers.get('x-request-id')!;
    assert.match(linkRequestId, SANE_ID);
    const callback = await callbacks.waitFor('/callback');
    assert.equal(callback.headers['x-request-id'], linkRequestId, 'the callback names the PIN post that caused it');

    const payment = await call(gw, merchant, 'payment', order('LOG-1', phone), 'shop-payment-1');
    assert.equal(payment.body.response_code, '00', payment.raw);
    assert.equal(payment.body.status, 'PENDING');
    const payPage = await browser.get(payment.body.redirectURL as string);
    const paid = await browser.post(`${payment.body.redirectURL}/pin`, { csrf_token: csrfTokenOf(payPage.html), pin: PIN });
    assert.equal(paid.status, 303);
    const payRequestId = paid.headers.get('x-request-id')!;
    const notification = await notifications.waitFor(payment.body.trx_id as string, '2');
    assert.equal(notification.headers['x-request-id'], payRequestId, 'the notification names the PIN post that paid');

    // A notification an API call causes names that call.
    const cancelled = await call(gw, merchant, 'payment', order('LOG-2', phone), 'shop-payment-2');
    const trxId = cancelled.body.trx_id as string;
    const cancel = await call(gw, merchant, 'cancel',
      { request: 'Cancel Transaction', trx_id: trxId, bill_no: 'LOG-2', payment_cancel: 'out of stock' }, 'shop-cancel-1');
    assert.equal(cancel.body.response_code, '00', cancel.raw);
    assert.equal((await notifications.waitFor(trxId, '8')).headers['x-request-id'], 'shop-cancel-1');

    // The dispatcher records (and logs) an outcome just after the receiver has answered.
    let rows = await listDeliveries(gw.database, { limit: 10 });
    while (rows.some((row) => row.status !== 'delivered')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await listDeliveries(gw.database, { limit: 10 });
    }
    assert.deepEqual(rows.map((row) => [row.kind, row.requestId]).sort(),
      [['activation_callback', linkRequestId], ['payment_notification', payRequestId], ['payment_notification', 'shop-cancel-1']].sort());

    const lines = log.lines();
    const access = lines.filter((line) => line.msg === 'api call' && line.request_id === 'shop-payment-1');
    assert.equal(access.length, 1, 'one access line for the call, under the id the caller sent');
    assert.equal(access[0]!.operation, 'payment');
    assert.equal(access[0]!.merchant_id, '71001');
    assert.equal(access[0]!.response_code, '00');
    assert.equal(access[0]!.format, 'json');
    assert.equal(typeof access[0]!.duration_ms, 'number');
    const pinPost = lines.find((line) => line.msg === 'request' && line.request_id === payRequestId);
    assert.equal(pinPost?.route, '/pay/:token/pin', 'page lines name the route pattern, not the token');
    assert.ok(lines.some((line) => line.msg === 'outbox: delivered' && line.request_id === payRequestId), 'the delivery is logged under it too');
    assert.ok(lines.every((line) => line.msg !== 'api call' || typeof line.request_id === 'string'));

    // Pino's timestamps are long digit runs that could hold a six-digit code by chance: they are left out.
    const text = log.text().replace(/"time":[0-9]+/g, '');
    const secrets = {
      PIN, otp, password: PASSWORD, 'HMAC secret': HMAC_SECRET, 'pin pepper': PEPPER,
      'activation signature': requestSignature(merchant.userId, PASSWORD, phone),
      'notification signature': notification.fields.signature!,
    };
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `the log holds the ${name}`);
    assert.ok(!text.includes('Andrea'), 'nor the customer name (no request body is logged)');
  });
}

test('every kind of reply carries the request id; an odd one sent is replaced, never echoed', async () => {
  const log = memoryLog();
  const gw = await startTestGateway('sqlite', {
    config: { api_rate_per_s: 0.001, api_burst: 1, page_post_rate_per_s: 0.001, page_post_burst: 1, body_bytes_max: 1024 },
    logger: log.logger,
  });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers, redirect: 'manual' });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, redirect: 'manual' });
  const stylesheet = await get('/assets/app.css');
  const probes: Array<[string, (id: Record<string, string>) => Promise<Response>, number]> = [
    ['health', (h) => get('/health', h), 200],
    ['ready', (h) => get('/ready', h), 200],
    ['metrics', (h) => get('/metrics', h), 200],
    ['asset', (h) => get('/assets/app.css', h), 200],
    ['asset not modified', (h) => get('/assets/app.css', { ...h, 'if-none-match': stylesheet.headers.get('etag')! }), 304],
    ['missing page', (h) => get('/nowhere', h), 404],
    ['activation page of nobody', (h) => get('/activation/unknown-token', h), 404],
    ['unknown operation', (h) => post('/ovo/nothing', '{}', h), 200],
    ['wrong method', (h) => get('/ovo/balance', h), 200],
    ['undecodable API path', (h) => post('/ovo/balance%zz', '{}', h), 200],
    ['undecodable page path', (h) => get('/activation/%zz', h), 400],
    ['oversized body', (h) => post('/ovo/balance', `{"x":"${'y'.repeat(2000)}"}`, h), 200],
    ['API call refused', (h) => post('/ovo/balance', '{}', h), 200],
    ['API over its rate limit', (h) => post('/ovo/balance', '{}', h), 429],
    ['page form post', (h) => post('/activation/unknown-token/otp', 'otp=1', { ...h, 'content-type': 'application/x-www-form-urlencoded' }), 403],
    ['page post over its rate limit', (h) => post('/activation/unknown-token/otp', 'otp=1', { ...h, 'content-type': 'application/x-www-form-urlencoded' }), 429],
  ];
  for (const [name, send, status] of probes) {
    const given = `probe.${name.toLowerCase().replace(/[^a-z]+/g, '-')}:1`;
    const answered = await send({ 'x-request-id': given });
    await answered.arrayBuffer();
    assert.equal(answered.status, status, name);
    assert.equal(answered.headers.get('x-request-id'), given, `${name}: the caller's id is echoed`);
  }

  for (const odd of ['two words', 'x'.repeat(129), 'semi;colon', '']) {
    const answered = await get('/health', { 'x-request-id': odd });
    const made = answered.headers.get('x-request-id')!;
    assert.match(made, SANE_ID, `a fresh id instead of ${JSON.stringify(odd.slice(0, 20))}`);
    assert.notEqual(made, odd);
  }
  const first = (await get('/health')).headers.get('x-request-id');
  const second = (await get('/health')).headers.get('x-request-id');
  assert.ok(first && second && first !== second, 'without one, every request gets its own');

  const lines = log.lines();
  const missing = lines.find((line) => line.request_id === 'probe.missing-page:1');
  assert.deepEqual([missing?.msg, missing?.route, missing?.status], ['request', '/nowhere', 404]);
  const oversized = lines.find((line) => line.request_id === 'probe.oversized-body:1');
  assert.deepEqual([oversized?.msg, oversized?.operation, oversized?.response_code], ['api call', 'balance', '30']);
  const undecodable = lines.find((line) => line.request_id === 'probe.undecodable-api-path:1');
  assert.deepEqual([undecodable?.msg, undecodable?.response_code], ['api call', '30'], 'a reply that skips the hooks is logged too');
  const refused = lines.find((line) => line.request_id === 'probe.api-over-its-rate-limit:1');
  assert.deepEqual([refused?.status, refused?.response_code], [429, '96']);
});
