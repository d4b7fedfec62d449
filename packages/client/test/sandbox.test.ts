// `ovo.sandbox.*` against a real sandbox gateway (in-process, SQLite, over HTTP) and a merchant receiver built
// with the SDK's own handler: every call reaches the sandbox API and its effect shows on the merchant wire;
// refusals and a gateway without sandbox mode throw the sandbox's error classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../../gateway/test/support/gateway.ts';
import {
  OvoSandboxError, OvoSandboxUnavailableError, OvoTokenizeClient, createNotificationHandler, type PaymentNotification,
} from '../src/index.ts';
import { link, ok, startShop } from './support/gateway.ts';
import { startMerchantServer, waitFor } from './support/merchant-server.ts';

const PHONE = '081300000071';

async function startReceivingShop() {
  const received: PaymentNotification[] = [];
  let handler: (request: Request) => Promise<Response> = async () => new Response('not ready', { status: 503 });
  const receiver = await startMerchantServer((request) => handler(request));
  const shop = await startShop('json', { notifyUrl: `${receiver.url}/notify`, callbackUrl: `${receiver.url}/callback` });
  handler = createNotificationHandler({
    userId: shop.merchant.userId, password: shop.merchant.password,
    onNotification: async (notification) => { received.push(notification); },
  });
  return { shop, received };
}

test('ovo.sandbox: scenarios change what the merchant API answers, and are listed and reset', async () => {
  const { shop } = await startReceivingShop();
  const { client } = shop;
  await link(shop, PHONE);

  const low = await client.sandbox.scenarios.add({ type: 'set_balance', phone_no: PHONE, cash: 5000, points: 0 });
  assert.equal(low.type, 'set_balance');
  assert.equal(low.state, 'applied');
  const balance = ok(await client.balance({ phone: PHONE }));
  assert.equal(balance.cash, 5000n);
  const refused = await client.pay({ phone: PHONE, billNo: 'SBX-SDK-1', amount: 25_000n, payType: 'cash', customerName: 'A', email: 'a@example.com', description: 'x' });
  assert.equal(refused.outcome, 'failed');
  assert.equal(refused.outcome === 'failed' && refused.code, '01');

  // Armed for this client's merchant by default: the next balance call answers 01 and nothing else changes.
  const armed = await client.sandbox.scenarios.add({ type: 'response_code', operation: 'balance', response_code: '01', count: 1 });
  assert.equal(armed.state, 'armed');
  assert.equal(armed.merchant_id, shop.merchant.merchantId);
  const failed = await client.balance({ phone: PHONE });
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.outcome === 'failed' && failed.code, '01');
  ok(await client.balance({ phone: PHONE }));

  const listed = await client.sandbox.scenarios.list();
  assert.deepEqual(listed.map((s) => [s.type, s.state]).sort(), [['response_code', 'used'], ['set_balance', 'applied']]);
  const again = await client.sandbox.scenarios.add({ type: 'response_code', operation: 'balance', response_code: '01', count: 3 });
  assert.equal((await client.sandbox.scenarios.remove(again.id)).state, 'disarmed');
  ok(await client.balance({ phone: PHONE }));
  await client.sandbox.scenarios.reset();
  assert.deepEqual(await client.sandbox.scenarios.list(), []);

  const error = await client.sandbox.scenarios.add({ type: 'lock_pin', phone_no: '0800' }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof OvoSandboxError, String(error));
  assert.equal(error.httpStatus, 400);
  assert.match(error.message, /phone/);
});

test('ovo.sandbox: trigger, the delivery inspector and the test clock, seen at the merchant receiver', async () => {
  const { shop, received } = await startReceivingShop();
  const { client } = shop;

  const paid = await client.sandbox.trigger('payment.success', { amount: 25_000, pay_type: '0' });
  assert.equal(paid.merchant_id, shop.merchant.merchantId);
  assert.equal(paid.payment_status_code, '2');
  await waitFor(() => received.some((n) => n.billNo === paid.bill_no), 'the triggered notification');

  const deliveries = await client.sandbox.deliveries.list({ bill_no: paid.bill_no, kind: 'payment_notification' });
  assert.equal(deliveries.length, 1);
  const [delivery] = deliveries;
  assert.equal(delivery!.notification_id, paid.notification_id);
  await waitFor(async () => (await client.sandbox.deliveries.get(delivery!.id)).status === 'delivered', 'delivered');
  const detail = await client.sandbox.deliveries.get(delivery!.notification_id);
  assert.equal(detail.attempts[0]!.response.status, 200);
  assert.equal(detail.attempts[0]!.request!.headers['X-Notification-Id'] ?? detail.attempts[0]!.request!.headers['x-notification-id'], paid.notification_id);
  const before = received.length;
  await client.sandbox.deliveries.resend(delivery!.id);
  await waitFor(() => received.length > before, 'the resent notification');

  // A payment waiting on its PIN page expires when the clock passes its time, and the merchant hears 7.
  const pending = await client.pay({ phone: paid.phone_no, billNo: 'SBX-SDK-PIN', amount: 200_000n, payType: 'cash', customerName: 'A', email: 'a@example.com', description: 'x' });
  assert.equal(pending.outcome, 'ok');
  const clock = await client.sandbox.clock.advance(3600);
  assert.equal(clock.offset_seconds, 3600);
  await waitFor(() => received.some((n) => n.billNo === 'SBX-SDK-PIN' && n.paymentStatusCode === '7'), 'the expiry notification');
  assert.equal((await client.sandbox.clock.reset()).offset_seconds, 0);
  assert.equal((await client.sandbox.clock.get()).offset_seconds, 0);

  const report = await client.sandbox.checkReceiver();
  assert.equal(report.merchant_id, shop.merchant.merchantId);
  assert.ok(report.checks.length > 0);
});

test('ovo.sandbox against a gateway outside sandbox mode throws OvoSandboxUnavailableError', async () => {
  const gw = await startTestGateway('sqlite', { config: { sandbox: false, pinPepper: 'a-long-random-production-pepper-for-this-test' } });
  const client = new OvoTokenizeClient({ baseUrl: gw.url, merchantId: '41001', merchantName: 'Toko', userId: 'u', password: 'p' });
  for (const call of [() => client.sandbox.clock.get(), () => client.sandbox.scenarios.list(), () => client.sandbox.trigger('link.success')]) {
    const error = await call().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof OvoSandboxUnavailableError, String(error));
    assert.equal(error.httpStatus, 404);
  }
});
