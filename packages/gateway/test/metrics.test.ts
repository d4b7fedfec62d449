// Proves that GET /metrics counts what a small flow did — API calls by operation and code, payments created and settled with their amounts, deliveries and their failures, the outbox read from the database, PIN and OTP failures and lockouts, rate-limit refusals, process metrics — and that OVO_METRICS serves it on the main port, on a port of its own or nowhere (then a 404 page), off by default outside sandbox mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, parseMetricsSetting, resolveConfig } from '../src/config.ts';
import { listDeliveries } from '../src/delivery/outbox.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findWalletByPhone } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, activate, callOperation, csrfTokenOf, readOtp, startReceiver, startTestGateway, type TestGateway,
} from './support/gateway.ts';
import { linkThroughStore, startNotificationReceiver } from './support/payments.ts';

const PIN = '123456';
const WRONG_PIN = '654321';

/** The value of the series `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

function payment(billNo: string, total: string, payType: string, phone: string): Record<string, string> {
  return {
    request: 'Payment OVO Open API', bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: total, bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: payType,
  };
}

/** Opens an activation page and enters the codes in `otps` ('right' or 'wrong'), then the PINs in `pins` ('right' or a PIN). */
async function linkAttempts(gw: TestGateway, merchant: MerchantInput, phone: string, otps: string[], pins: string[]): Promise<void> {
  const redirectURL = await activate(gw.url, merchant, phone);
  const browser = new FormClient();
  const csrf = csrfTokenOf((await browser.get(redirectURL)).html);
  const otp = await readOtp(gw.url, phone);
  const wrongOtp = otp === '000000' ? '111111' : '000000';
  for (const code of otps) await browser.submit(`${redirectURL}/otp`, { csrf_token: csrf, otp: code === 'right' ? otp : wrongOtp });
  for (const pin of pins) await browser.submit(`${redirectURL}/pin`, { csrf_token: csrf, pin: pin === 'right' ? PIN : pin });
}

async function authoriseOnPage(redirectURL: string): Promise<void> {
  const browser = new FormClient();
  const page = await browser.get(redirectURL);
  const answered = await browser.post(`${redirectURL}/pin`, { csrf_token: csrfTokenOf(page.html), pin: PIN });
  assert.equal(answered.status, 303);
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /metrics counts a small flow`, async () => {
    const callbacks = await startReceiver();
    const notifications = await startNotificationReceiver();
    const unreachable = await startNotificationReceiver({ startDown: true });
    const shop: MerchantInput = {
      merchantId: '72001', name: 'Metrics Shop', userId: 'bot72001', password: 'pw-72001',
      callbackUrl: `${callbacks.url}/callback`, notifyUrl: notifications.url, pinlessLimit: 10_000n,
    };
    const downShop: MerchantInput = { merchantId: '72002', name: 'Down Shop', userId: 'bot72002', password: 'pw-72002', notifyUrl: unreachable.url, pinlessLimit: 10_000n };
    const gw = await startTestGateway(kind, { merchants: [shop, downShop] });
    const call = (merchant: MerchantInput, fields: Record<string, string>) =>
      callOperation(gw.url, 'payment', { merchant_id: merchant.merchantId, ...fields }, 'json', merchant);

    await linkAttempts(gw, shop, '081277700001', ['wrong', 'right'], [WRONG_PIN, 'right']);
    await linkAttempts(gw, shop, '081277700002', ['right'], Array(5).fill(WRONG_PIN));
    await linkAttempts(gw, shop, '081277700003', Array(5).fill('wrong'), []);

    const pinless = await call(shop, payment('M-1', '5000', '0', '081277700001'));
    assert.equal(pinless.body.status, 'SUCCESS', pinless.raw);
    const withPin = await call(shop, payment('M-2', '20000', '1', '081277700001'));
    assert.equal(withPin.body.status, 'PENDING', withPin.raw);
    await authoriseOnPage(withPin.body.redirectURL as string);
    await notifications.waitFor(withPin.body.trx_id as string, '2');
    const wallet = (await findWalletByPhone(gw.database.db, '081277700001'))!;
    await linkThroughStore(gw.gateway.ctx, downShop.merchantId, wallet);
    assert.equal((await call(downShop, payment('D-1', '1000', '0', '081277700001'))).body.status, 'SUCCESS');
    await waitUntil('the deliveries are recorded', async () => {
      const rows = await listDeliveries(gw.database, { limit: 10 });
      return rows.filter((row) => row.status === 'delivered').length === 5 && rows.some((row) => row.attempts > 0 && row.status === 'pending');
    });
    gw.clock.advance(60_000);

    const text = await scrape(gw.url);
    const api = (operation: string, code: string) => sample(text, 'ovo_api_request_duration_seconds_count', { operation, response_code: code });
    assert.equal(api('activation', '00'), 3);
    assert.equal(api('payment', '00'), 3);
    assert.ok((sample(text, 'ovo_api_request_duration_seconds_sum', { operation: 'payment', response_code: '00' }) ?? 0) > 0);
    assert.equal(sample(text, 'ovo_payments_created_total', { status: 'SUCCESS', pay_type: '0' }), 2);
    assert.equal(sample(text, 'ovo_payments_created_total', { status: 'PENDING', pay_type: '1' }), 1);
    assert.equal(sample(text, 'ovo_payments_settled_total', { status: 'SUCCESS', pay_type: '0' }), 2);
    assert.equal(sample(text, 'ovo_payments_settled_total', { status: 'SUCCESS', pay_type: '1' }), 1);
    assert.equal(sample(text, 'ovo_settled_cash_rupiah_total'), 6000);
    assert.equal(sample(text, 'ovo_settled_points_total'), 20000);
    assert.equal(sample(text, 'ovo_delivery_attempts_total', { kind: 'payment_notification', result: 'ok' }), 2);
    assert.equal(sample(text, 'ovo_delivery_attempts_total', { kind: 'activation_callback', result: 'ok' }), 3, 'linked, PIN locked, codes used up');
    assert.ok((sample(text, 'ovo_delivery_attempts_total', { kind: 'payment_notification', result: 'error' }) ?? 0) >= 1);
    assert.equal(sample(text, 'ovo_outbox_messages', { kind: 'payment_notification', status: 'delivered' }), undefined, 'delivered rows are not counted');
    assert.equal(sample(text, 'ovo_outbox_messages', { kind: 'payment_notification', status: 'pending' }), 1);
    assert.equal(sample(text, 'ovo_outbox_messages', { kind: 'activation_callback', status: 'failed' }), 0, 'every kind and status is reported');
    assert.ok((sample(text, 'ovo_outbox_oldest_pending_age_seconds', { kind: 'payment_notification' }) ?? 0) >= 60);
    assert.equal(sample(text, 'ovo_outbox_oldest_pending_age_seconds', { kind: 'activation_callback' }), 0);
    assert.equal(sample(text, 'ovo_pin_failures_total'), 6, 'one wrong PIN, then five');
    assert.equal(sample(text, 'ovo_pin_lockouts_total'), 1);
    assert.equal(sample(text, 'ovo_otp_failures_total'), 6, 'one wrong code, then five');
    assert.equal(sample(text, 'ovo_otp_lockouts_total'), 1);
    assert.ok(sample(text, 'nodejs_eventloop_lag_seconds') !== undefined, 'event-loop lag');
    assert.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');
    assert.equal(sample(text, 'ovo_deliveries_failed_total', { kind: 'payment_notification' }), undefined);

    gw.clock.advance(gw.gateway.ctx.config.delivery_horizon_s * 1000);
    await waitUntil('the unreachable notification is given up', async () =>
      (await listDeliveries(gw.database, { status: 'failed', limit: 1 })).length === 1);
    const later = await scrape(gw.url);
    assert.equal(sample(later, 'ovo_deliveries_failed_total', { kind: 'payment_notification' }), 1);
    assert.equal(sample(later, 'ovo_outbox_messages', { kind: 'payment_notification', status: 'failed' }), 1);
    assert.equal(sample(later, 'ovo_outbox_oldest_pending_age_seconds', { kind: 'payment_notification' }), 0, 'nothing waits any more');
  });
}

test('OVO_METRICS: on the main port, on its own port, or off (a 404 page); off by default in production', async () => {
  const off = await startTestGateway('sqlite', { config: { metrics: 'off' } });
  const page = await fetch(`${off.url}/metrics`);
  assert.equal(page.status, 404);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(page.headers.get('content-security-policy'), 'the 404 page has the security headers');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(!(await page.text()).includes('ovo_'));

  const own = await startTestGateway('sqlite', { config: { metrics: 0, api_rate_per_s: 0.001, api_burst: 1 } });
  assert.ok(own.gateway.metricsUrl && own.gateway.metricsUrl !== own.url, 'a listener of its own');
  assert.equal((await fetch(`${own.url}/metrics`)).status, 404, 'not on the main port');
  for (let i = 0; i < 2; i++) await fetch(`${own.url}/ovo/balance`, { method: 'POST', body: '{}' });
  const text = await scrape(own.gateway.metricsUrl);
  assert.equal(sample(text, 'ovo_rate_limited_total', { limit: 'api' }), 1);
  assert.equal(sample(text, 'ovo_api_request_duration_seconds_count', { operation: 'balance', response_code: '96' }), 1);
  assert.equal((await fetch(`${own.gateway.metricsUrl}/other`)).status, 404);
  await own.close();
  await assert.rejects(fetch(`${own.gateway.metricsUrl}/metrics`), 'closed with the gateway');

  assert.equal(resolveConfig({}).metrics, 'on', 'sandbox mode serves them on the main port');
  assert.equal(resolveConfig({ sandbox: false }).metrics, 'off', 'production does not, unless asked');
  assert.equal(resolveConfig({ sandbox: false, ...configFromEnv({ OVO_METRICS: '9464' }) }).metrics, 9464);
  assert.equal(resolveConfig({ ...configFromEnv({ OVO_METRICS: 'OFF' }) }).metrics, 'off');
  for (const bad of ['yes', '0', '70000', '12ab']) assert.throws(() => parseMetricsSetting(bad), /OVO_METRICS/);
});
