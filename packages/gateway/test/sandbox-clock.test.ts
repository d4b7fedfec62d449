// The sandbox test clock over real HTTP on SQLite and PostgreSQL (README "Test clock"): advancing expires a
// pending payment at once (the merchant is told 7, signed in real time), ends an OTP and a PIN lock, sends a
// due retry; reset returns to real time; bad bodies change nothing; outside sandbox mode every /sandbox/clock
// address is 404 and the `sandbox clock` commands (the real bin) refuse with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyHmacSignatureHeader } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import { CLOCK_AHEAD_MAX_S } from '../src/services/sandbox-clock.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, activate, callOperation, csrfTokenOf, provisionMerchant, readOtp, startReceiver, startTestGateway,
} from './support/gateway.ts';
import {
  fundedWallet, linkThroughStore, reloadPayment, startNotificationReceiver, startPaymentsGateway,
} from './support/payments.ts';

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

async function sandbox(url: string, method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch { /* asserted by the caller */ }
  return { status: res.status, text, json };
}

async function advance(url: string, seconds: number): Promise<Answer> {
  const answer = await sandbox(url, 'POST', '/sandbox/clock/advance', JSON.stringify({ seconds }));
  assert.equal(answer.status, 200, answer.text);
  return answer;
}

function order(merchant: Merchant, phone: string, billNo: string, total: string): Record<string, string> {
  return {
    merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: 'Clock order', bill_total: total, bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Clock Customer', email: 'clock@example.com', pay_type: '0',
  };
}

const HMAC_SECRET = 'whsec_clock';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: advancing the clock expires a pending payment at once; the merchant is told 7, signed in real time`, async () => {
    const receiver = await startNotificationReceiver();
    const gw = await startPaymentsGateway(kind, {
      merchants: [{ merchantId: '42001', name: 'Toko Jam', userId: 'bot42001', password: 'pw', notifyUrl: receiver.url, notifyFormat: 'json', hmacSecret: HMAC_SECRET }],
      sweepIntervalMs: 3_600_000, // only the advance sweeps
    });
    const [m] = gw.merchants as [Merchant];
    const phone = '081342420001';
    await linkThroughStore(gw.ctx, m.merchantId, await fundedWallet(gw.database, { phone, cash: 100_000n, points: 0n }));
    const first = await callOperation(gw.url, 'payment', order(m, phone, 'JAM-1', '30000'), 'json', m);
    assert.equal(first.body.status, 'PENDING', first.raw);

    const before = await sandbox(gw.url, 'GET', '/sandbox/clock');
    assert.equal(before.status, 200, before.text);
    assert.deepEqual(Object.keys(before.json), ['now', 'offset_seconds']);
    assert.equal(before.json.offset_seconds, 0);

    const almost = await advance(gw.url, gw.ctx.config.payment_ttl_s - 60);
    assert.equal(almost.json.offset_seconds, gw.ctx.config.payment_ttl_s - 60);
    assert.equal((await reloadPayment(gw.database, first.body.trx_id)).status, 'PENDING', 'not yet due');
    const moved = await advance(gw.url, 61);
    assert.equal(moved.json.offset_seconds, gw.ctx.config.payment_ttl_s + 1);
    assert.match(String(moved.json.now), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const ahead = new Date(String(moved.json.now)).getTime() - Date.now();
    assert.ok(Math.abs(ahead - (gw.ctx.config.payment_ttl_s + 1) * 1000) < 60_000, `now is ${ahead} ms ahead`);
    // Answered after the expiry committed.
    assert.equal((await reloadPayment(gw.database, first.body.trx_id)).status, 'EXPIRED');

    const told = await receiver.waitFor(first.body.trx_id, '7');
    assert.equal(told.fields.payment_status_code, '7');
    assert.deepEqual(verifyHmacSignatureHeader(HMAC_SECRET, String(told.headers['x-signature']), told.raw, Math.floor(Date.now() / 1000)), { ok: true },
      'the merchant checks the signature against its own clock');

    // A merchant still signs with its own clock, and the gateway still accepts it.
    const second = await callOperation(gw.url, 'payment', order(m, phone, 'JAM-2', '20000'), 'json', m);
    assert.equal(second.body.status, 'PENDING', second.raw);
    const made = await reloadPayment(gw.database, second.body.trx_id);
    assert.ok(made.createdAt > Date.now() + gw.ctx.config.payment_ttl_s * 1000, 'made on the clock that runs ahead');
  });

  test(`${kind}: after an advance an OTP has expired and a PIN lock has ended`, async () => {
    const receiver = await startReceiver();
    const gw = await startTestGateway(kind, { config: { otp_ttl_s: 120 }, sweepIntervalMs: 3_600_000 });
    const merchant = {
      merchantId: '42002', name: 'Toko Kunci', userId: 'bot42002', password: 'pw-42002',
      callbackUrl: `${receiver.url}/cb`, returnUrl: `${receiver.url}/return`,
    };
    await provisionMerchant(gw.database, merchant);
    const open = async (phone: string) => {
      const url = await activate(gw.url, merchant, phone);
      const client = new FormClient();
      const page = await client.get(url);
      assert.equal(page.status, 200, page.html);
      return { url, client, csrf: csrfTokenOf(page.html) };
    };

    const phone = '081342420002';
    const o = await open(phone);
    const code = await readOtp(gw.url, phone);
    await advance(gw.url, 121);
    const late = await o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: code });
    assert.match(late.html, /This code has expired/);

    const p = await open('081342420003');
    const pinStep = await p.client.submit(`${p.url}/otp`, { csrf_token: p.csrf, otp: await readOtp(gw.url, '081342420003') });
    assert.match(pinStep.html, /name="pin"/);
    for (let i = 0; i < gw.gateway.ctx.config.pin_attempts_max; i++) await p.client.post(`${p.url}/pin`, { csrf_token: p.csrf, pin: '000000' });
    const locked = await open('081342420003');
    await locked.client.submit(`${locked.url}/otp`, { csrf_token: locked.csrf, otp: await readOtp(gw.url, '081342420003') });
    assert.match((await locked.client.submit(`${locked.url}/pin`, { csrf_token: locked.csrf, pin: '123456' })).html, /Linking failed/, 'the right PIN is refused while locked');

    await advance(gw.url, gw.gateway.ctx.config.pin_lock_s);
    const unlocked = await open('081342420003');
    await unlocked.client.submit(`${unlocked.url}/otp`, { csrf_token: unlocked.csrf, otp: await readOtp(gw.url, '081342420003') });
    assert.match((await unlocked.client.submit(`${unlocked.url}/pin`, { csrf_token: unlocked.csrf, pin: '123456' })).html, /Account linked/);
  });

  test(`${kind}: a failing receiver's retry, due in an hour, goes out right after the advance`, async () => {
    const receiver = await startNotificationReceiver();
    const gw = await startPaymentsGateway(kind, {
      merchants: [{ merchantId: '42003', name: 'Toko Ulang', userId: 'bot42003', password: 'pw', notifyUrl: receiver.url, notifyFormat: 'json', pinlessLimit: 100_000n }],
      delivery: { backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 },
    });
    const [m] = gw.merchants as [Merchant];
    const phone = '081342420004';
    await linkThroughStore(gw.ctx, m.merchantId, await fundedWallet(gw.database, { phone, cash: 100_000n, points: 0n }));
    receiver.answer = () => ({ httpStatus: 503 });
    const paid = await callOperation(gw.url, 'payment', order(m, phone, 'ULANG-1', '10000'), 'json', m);
    assert.equal(paid.body.status, 'SUCCESS', paid.raw);
    await receiver.waitFor(paid.body.trx_id, '2');
    receiver.answer = () => ({ responseCode: '00' });

    await advance(gw.url, 3_600);
    await receiver.waitUntil((all) => all.length === 2, 'the retry after the advance');
    assert.equal(receiver.received[1]!.notificationId, receiver.received[0]!.notificationId);
    await receiver.waitUntil(() => receiver.acknowledged().length === 1, 'the acknowledgement');
  });

  test(`${kind}: advancing does not refill a rate limit (it meters real requests)`, async () => {
    const shop = { merchantId: '42004', name: 'Toko Batas', userId: 'bot42004', password: 'pw-42004' };
    const gw = await startTestGateway(kind, { merchants: [shop], config: { api_rate_per_s: 0.001, api_burst: 1, page_post_rate_per_s: 0 } });
    const call = () => activate(gw.url, shop, '081342420005').then(() => '00', (error: Error) => error.message);
    assert.equal(await call(), '00');
    assert.match(await call(), /answered 429/);
    await advance(gw.url, 86_400);
    assert.match(await call(), /answered 429/, 'still limited a day later on the test clock');
  });

  test(`${kind}: reset returns to real time; bad bodies are refused with {error} and move nothing`, async () => {
    const gw = await startTestGateway(kind);
    await advance(gw.url, 7_200);
    const shown = await sandbox(gw.url, 'GET', '/sandbox/clock');
    assert.equal(shown.json.offset_seconds, 7_200);

    const bad: Array<[string | undefined, RegExp]> = [
      [undefined, /seconds must be a whole number/],
      ['{}', /seconds must be a whole number/],
      ['not json', /JSON object/],
      ['[60]', /JSON object/],
      ['null', /JSON object/],
      ['{"seconds": "60"}', /seconds must be a whole number/],
      ['{"seconds": 0}', /seconds must be a whole number/],
      ['{"seconds": -60}', /seconds must be a whole number/],
      ['{"seconds": 1.5}', /seconds must be a whole number/],
      ['{"seconds": 1e400}', /seconds must be a whole number/],
      [`{"seconds": ${CLOCK_AHEAD_MAX_S + 1}}`, /seconds must be a whole number/],
      [`{"seconds": ${CLOCK_AHEAD_MAX_S}}`, /already 7200 ahead: reset it first/],
      ['{"seconds": 60, "minutes": 1}', /unknown field "minutes"/],
      [JSON.stringify({ seconds: 60, pad: 'x'.repeat(20_000) }), /JSON object/],
    ];
    for (const [body, message] of bad) {
      const answer = await sandbox(gw.url, 'POST', '/sandbox/clock/advance', body);
      assert.equal(answer.status, 400, `${body}: ${answer.text}`);
      assert.deepEqual(Object.keys(answer.json), ['error'], answer.text);
      assert.match(String(answer.json.error), message, String(body));
    }
    const badReset = await sandbox(gw.url, 'POST', '/sandbox/clock/reset', '{"seconds": 0}');
    assert.equal(badReset.status, 400, badReset.text);
    assert.match(String(badReset.json.error), /reset takes no body/);
    assert.equal((await sandbox(gw.url, 'GET', '/sandbox/clock')).json.offset_seconds, 7_200, 'refusals moved nothing');

    const reset = await sandbox(gw.url, 'POST', '/sandbox/clock/reset');
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.json.offset_seconds, 0);
    assert.ok(Math.abs(new Date(String(reset.json.now)).getTime() - Date.now()) < 60_000, 'real time again');
    assert.ok(Math.abs(gw.gateway.ctx.clock.now() - Date.now()) < 60_000);
  });

  test(`${kind}: the sandbox clock commands show, advance and reset a running gateway`, async () => {
    const gw = await startTestGateway(kind);
    const show = await runCommand(['sandbox', 'clock', '--gateway', gw.url]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^gateway clock \d{4}-\d\d-\d\dT[0-9:.]+Z \(real time\)\n$/);
    const advanced = await runCommand(['sandbox', 'clock', 'advance', '1h', '--gateway', gw.url]);
    assert.equal(advanced.code, 0, advanced.stderr);
    assert.match(advanced.stdout, /^advanced 1h; gateway clock \S+ \(1h ahead of real time\)\n/);
    const more = await runCommand(['sandbox', 'clock', 'advance', '90', '--gateway', gw.url]);
    assert.match(more.stdout, /\(1h 1m 30s ahead of real time\)/, more.stderr);
    assert.equal((await sandbox(gw.url, 'GET', '/sandbox/clock')).json.offset_seconds, 3_690);
    const reset = await runCommand(['sandbox', 'clock', 'reset', '--gateway', gw.url]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /\(real time\)\n$/);
    for (const bad of ['0', '1w', '1.5h', '15x']) {
      const refused = await runCommand(['sandbox', 'clock', 'advance', bad, '--gateway', gw.url]);
      assert.equal(refused.code, 1, `${bad}: ${refused.stdout}`);
      assert.match(refused.stderr, /must be a positive whole number of seconds, minutes, hours or days/, bad);
    }
    const tooFar = await runCommand(['sandbox', 'clock', 'advance', '4000d', '--gateway', gw.url]);
    assert.equal(tooFar.code, 1);
    assert.match(tooFar.stderr, /the gateway refused \(400\): seconds must be a whole number/);
    assert.equal((await sandbox(gw.url, 'GET', '/sandbox/clock')).json.offset_seconds, 0, 'refused commands moved nothing');
  });

  test(`${kind}: outside sandbox mode every /sandbox/clock address is 404 and the clock commands refuse`, async () => {
    const gw = await startTestGateway(kind, { config: { sandbox: false } });
    assert.equal(gw.gateway.ctx.testClock, undefined);
    for (const [method, path, body] of [['GET', '/sandbox/clock'], ['POST', '/sandbox/clock/advance', '{"seconds": 60}'], ['POST', '/sandbox/clock/reset']] as const) {
      const answer = await sandbox(gw.url, method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}: ${answer.text}`);
      assert.doesNotMatch(answer.text, /offset_seconds/);
    }
    for (const args of [['sandbox', 'clock'], ['sandbox', 'clock', 'advance', '1h'], ['sandbox', 'clock', 'reset']]) {
      const refused = await runCommand([...args, '--gateway', gw.url]);
      assert.equal(refused.code, 1, `${args.join(' ')}: ${refused.stdout}`);
      assert.match(refused.stderr, /is not in sandbox mode: sandbox commands work only against a gateway started without --no-sandbox/, args.join(' '));
      assert.equal(refused.stdout, '');
    }
  });
}

test('a sandbox body is read as JSON whatever its Content-Type (curl -d labels it a form)', async () => {
  const gw = await startTestGateway('sqlite');
  const labels = ['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8', undefined];
  for (const [i, label] of labels.entries()) {
    const res = await fetch(`${gw.url}/sandbox/clock/advance`, {
      method: 'POST', headers: label === undefined ? {} : { 'content-type': label }, body: '{"seconds": 60}',
    });
    const text = await res.text();
    assert.equal(res.status, 200, `${label}: ${text}`);
    assert.equal(JSON.parse(text).offset_seconds, 60 * (i + 1), String(label));
  }
});

test('an address the router cannot read under /sandbox gets a JSON {error} (a browser: the error page); outside sandbox mode a page', async () => {
  const gw = await startTestGateway('sqlite');
  const json = await fetch(`${gw.url}/sandbox/deliveries/%zz`);
  assert.equal(json.status, 400);
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(await json.json() as object), ['error']);
  const page = await fetch(`${gw.url}/sandbox/deliveries/%zz`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  assert.equal(page.status, 400);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  await page.arrayBuffer();

  const production = await startTestGateway('sqlite', { config: { sandbox: false, pinPepper: 'a-long-random-production-pepper-for-this-test' } });
  const off = await fetch(`${production.url}/sandbox/deliveries/%zz`);
  assert.equal(off.status, 400);
  assert.match(off.headers.get('content-type') ?? '', /^text\/html/);
  await off.arrayBuffer();
});
