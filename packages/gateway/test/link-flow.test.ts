// Proves the hosted activation page's rules over real HTTP on SQLite and PostgreSQL: five wrong codes end the session, a code works once, resends are limited, forms need the browser's cookie and CSRF token, a second browser is refused, five wrong PINs lock the wallet for 30 minutes across sessions, sessions expire after 10 minutes, and the page sends the required headers, cookie flags and markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationCallbackSignature } from '@ovo-tokenize/protocol';
import type { MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, activate, advanceSandboxClock, assertNothingMoreToSend, csrfTokenOf, inbox, provisionMerchant, resetSandboxClock, readOtp, refreshTarget, startReceiver, startTestGateway,
  type PageResponse, type Receiver, type TestGateway,
} from './support/gateway.ts';

const MINUTE = 60_000;

interface Scenario {
  gw: TestGateway;
  receiver: Receiver;
  merchant: MerchantInput & { merchantId: string };
  /** Where this merchant's callbacks arrive on the receiver. */
  callbackPath: string;
}

let merchantSeq = 70000;

/** A merchant of its own for each scenario, so callbacks can be counted per scenario. */
async function scenario(gw: TestGateway, receiver: Receiver): Promise<Scenario> {
  const id = String(merchantSeq++);
  const merchant = {
    merchantId: id, name: `Shop ${id}`, userId: `bot${id}`, password: `pw-${id}`,
    callbackUrl: `${receiver.url}/cb/${id}`, returnUrl: `${receiver.url}/return/${id}`,
  };
  await provisionMerchant(gw.database, merchant);
  return { gw, receiver, merchant, callbackPath: `/cb/${id}` };
}

interface Opened {
  url: string;
  client: FormClient;
  page: PageResponse;
  csrf: string;
}

async function open(s: Scenario, phone: string): Promise<Opened> {
  const url = await activate(s.gw.url, s.merchant, phone);
  const client = new FormClient();
  const page = await client.get(url);
  assert.equal(page.status, 200, page.html);
  return { url, client, page, csrf: csrfTokenOf(page.html) };
}

async function passOtp(s: Scenario, o: Opened, phone: string): Promise<void> {
  const res = await o.client.submit(`${o.url}/otp`, { csrf_token: o.csrf, otp: await readOtp(s.gw.url, phone) });
  assert.match(res.html, /name="pin"/, 'the PIN step follows a right code');
}

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** The session with its challenge's columns, its state the challenge's step while it is open. */
async function sessionRow(gw: TestGateway, url: string) {
  const id = decodeURIComponent(new URL(url).pathname.split('/')[2]!);
  const session = await gw.database.db.selectFrom('link_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const challenge = await gw.database.db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { ...challenge, ...session, state: session.state === 'open' ? challenge.step : session.state };
}

async function outboxCount(gw: TestGateway, merchantId: string): Promise<number> {
  const rows = await gw.database.db.selectFrom('outbox').select('id').where('merchant_id', '=', merchantId).execute();
  return rows.length;
}

/**
 * Until every callback of the merchant has its outcome written: a callback whose outcome is still being
 * written when the test moves the clock has a lease that looks run out, and is sent again (at least once).
 */
async function settledDeliveries(gw: TestGateway, merchantId: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    const open = await gw.database.db.selectFrom('outbox').select('id').where('merchant_id', '=', merchantId).where('status', '!=', 'delivered').execute();
    if (open.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`callbacks of ${merchantId} still undelivered`);
}

async function activeLinks(gw: TestGateway, merchantId: string): Promise<number> {
  const rows = await gw.database.db.selectFrom('links').select('id').where('merchant_id', '=', merchantId).where('status', '=', 'active').execute();
  return rows.length;
}

/** Waits for callback #n of the scenario and checks its signature; returns its parameters. */
async function callback(s: Scenario, n: number, phone: string, code: '00' | '01'): Promise<Record<string, string>> {
  const got = await s.receiver.waitFor(s.callbackPath, n);
  const params = Object.fromEntries(got.query);
  assert.equal(params.response_code, code, JSON.stringify(params));
  assert.equal(params.phone_number, phone);
  assert.equal(params.merchant_id, s.merchant.merchantId);
  assert.equal(params.signature, activationCallbackSignature(s.merchant.userId, s.merchant.password, phone, code));
  return params;
}

/** A result page: its heading, and that it sends the browser to the return URL with `code`. */
function assertResult(page: PageResponse, s: Scenario, heading: RegExp, code: '00' | '01', desc?: string): void {
  assert.equal(page.status, 200);
  assert.match(page.html, heading);
  assert.doesNotMatch(page.html, /<form/, 'a finished session offers no form');
  const back = refreshTarget(page.html);
  assert.ok(back, 'the result page refreshes to the return URL');
  const url = new URL(back.url);
  assert.equal(`${url.origin}${url.pathname}`, `${s.receiver.url}/return/${s.merchant.merchantId}`);
  assert.equal(url.searchParams.get('response_code'), code);
  if (desc) assert.equal(url.searchParams.get('response_desc'), desc);
}

/** Checks no further callback arrived or will ever be sent. */
async function assertCallbackCount(s: Scenario, n: number): Promise<void> {
  await assertNothingMoreToSend(s.gw.gateway);
  assert.equal(s.receiver.at(s.callbackPath).length, n, 'callbacks received');
  assert.equal(await outboxCount(s.gw, s.merchant.merchantId), n, 'callbacks queued');
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: hosted activation page rules`, async (t) => {
    const receiver = await startReceiver();
    const gw = await startTestGateway(kind, { sweepIntervalMs: 3_600_000 }); // only the test clock sweeps

    await t.test('five wrong codes end the session with callback 01; the right code is useless afterwards', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000001';
      const o = await open(s, phone);
      const wrong = otherCode(await readOtp(gw.url, phone));
      for (const left of [4, 3, 2, 1]) {
        const res = await o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: wrong });
        assert.equal(res.status, 422);
        assert.match(res.html, new RegExp(`Wrong code\\. ${left} attempts? left\\.`));
        assert.match(res.html, /role="alert"/);
        assert.match(res.html, /name="otp"/, 'still on the code step');
      }
      const fifth = await o.client.submit(`${o.url}/otp`, { csrf_token: o.csrf, otp: wrong });
      assertResult(fifth, s, /Linking failed/, '01', 'Too many wrong verification codes');
      const params = await callback(s, 1, phone, '01');
      assert.equal(params.response_desc, 'Too many wrong verification codes');

      const late = await o.client.submit(`${o.url}/otp`, { csrf_token: o.csrf, otp: await readOtp(gw.url, phone) });
      assertResult(late, s, /Linking failed/, '01');
      assert.equal((await sessionRow(gw, o.url)).state, 'failed');
      assert.equal(await activeLinks(gw, s.merchant.merchantId), 0);
      await assertCallbackCount(s, 1);
    });

    await t.test('a code works once, a resent code replaces the old one, and resends are limited in time and number', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000002';
      const o = await open(s, phone);
      const first = await readOtp(gw.url, phone);
      assert.equal((await inbox(gw.url, phone)).length, 1, 'opening the page sent one code');
      // Reloading the page sends no new code.
      assert.equal((await o.client.get(o.url)).status, 200);
      assert.equal((await inbox(gw.url, phone)).length, 1);

      const early = await o.client.post(`${o.url}/resend`, { csrf_token: o.csrf });
      assert.equal(early.status, 422);
      assert.match(early.html, /role="alert"/);
      assert.match(early.html, /Please wait [0-9]+ seconds? before asking for a new code\./);
      assert.equal((await inbox(gw.url, phone)).length, 1, 'no code sent within the interval');

      gw.clock.advance(31_000);
      const resent = await o.client.post(`${o.url}/resend`, { csrf_token: o.csrf });
      assert.equal(resent.status, 200, 'a resend that worked is not an error');
      assert.match(resent.html, /<div class="notice notice--info" role="status">A new code is on its way\.<\/div>/);
      const messages = await inbox(gw.url, phone);
      assert.equal(messages.length, 2);
      for (const m of messages) {
        assert.deepEqual(Object.keys(m), ['phone_no', 'text', 'created_at']);
        assert.equal(m.phone_no, phone);
        assert.match(m.created_at, /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/);
      }
      const second = await readOtp(gw.url, phone);
      assert.ok(messages[1]!.text.includes(first), 'newest first: the first code is listed second');
      if (second !== first) {
        const old = await o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: first });
        assert.equal(old.status, 422, 'the replaced code no longer works');
        assert.match(old.html, /Wrong code\. 4 attempts left\./);
      }
      gw.clock.advance(31_000);
      await o.client.post(`${o.url}/resend`, { csrf_token: o.csrf });
      assert.equal((await inbox(gw.url, phone)).length, 3);
      gw.clock.advance(31_000);
      const tooMany = await o.client.post(`${o.url}/resend`, { csrf_token: o.csrf });
      assert.equal(tooMany.status, 422);
      assert.match(tooMany.html, /No more codes can be sent for this activation\./);
      assert.equal((await inbox(gw.url, phone)).length, 3, 'at most three codes per session');

      const third = await readOtp(gw.url, phone);
      const used = await o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: third });
      assert.equal(used.status, 303);
      const row = await sessionRow(gw, o.url);
      assert.equal(row.state, 'pin');
      assert.equal(row.otp_hash, null, 'the code is gone once it has worked');
      // Sending the used code again changes nothing: still the PIN step, no attempt counted.
      const again = await o.client.submit(`${o.url}/otp`, { csrf_token: o.csrf, otp: third });
      assert.match(again.html, /name="pin"/);
      assert.deepEqual(await sessionRow(gw, o.url), row);
      // A code is bound to its session: the used code does not open another session for the same phone.
      const other = await open(s, phone);
      const reused = await other.client.post(`${other.url}/otp`, { csrf_token: other.csrf, otp: third === (await readOtp(gw.url, phone)) ? otherCode(third) : third });
      assert.equal(reused.status, 422);
      assert.match(reused.html, /Wrong code\./);
    });

    await t.test('a POST without the cookie, or with a wrong or missing csrf_token, is refused with 403 and changes nothing', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000003';
      const o = await open(s, phone);
      const otp = await readOtp(gw.url, phone);
      const before = await sessionRow(gw, o.url);
      const sent = (await inbox(gw.url, phone)).length;
      const stranger = new FormClient();
      const wrongCsrf = o.csrf.slice(0, -2) + (o.csrf.endsWith('AA') ? 'BB' : 'AA');
      const attempts: Array<[string, FormClient, Record<string, string>]> = [
        ['otp without cookie', stranger, { csrf_token: o.csrf, otp }],
        ['otp with wrong csrf', o.client, { csrf_token: wrongCsrf, otp }],
        ['otp without csrf', o.client, { otp }],
        ['resend with wrong csrf', o.client, { csrf_token: wrongCsrf }],
        ['cancel with wrong csrf', o.client, { csrf_token: wrongCsrf }],
        ['cancel without cookie', stranger, { csrf_token: o.csrf }],
        ['pin with wrong csrf', o.client, { csrf_token: wrongCsrf, pin: '123456' }],
      ];
      gw.clock.advance(31_000); // a resend would be allowed now, were it not refused
      for (const [name, client, form] of attempts) {
        const step = name.split(' ')[0]!;
        const res = await client.post(`${o.url}/${step}`, form);
        assert.equal(res.status, 403, name);
        assert.match(res.html, /Request refused/, name);
        assert.equal(res.headers.get('set-cookie'), null, name);
      }
      assert.deepEqual(await sessionRow(gw, o.url), before, 'the session is untouched');
      assert.equal((await inbox(gw.url, phone)).length, sent, 'no code was sent');
      assert.equal(await outboxCount(gw, s.merchant.merchantId), 0, 'no callback was queued');
      // The genuine browser still gets through.
      await passOtp(s, o, phone);
    });

    await t.test('a session opened in a second browser is refused there and keeps working in the first', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000004';
      const o = await open(s, phone);
      const otp = await readOtp(gw.url, phone);
      const second = new FormClient();
      const elsewhere = await second.get(o.url);
      assert.equal(elsewhere.status, 403);
      assert.match(elsewhere.html, /already in use in another browser/);
      assert.equal(second.setCookies.length, 0, 'the second browser gets no session cookie');
      const forged = new FormClient();
      forged.cookies.set('ovo_activation', 'not-the-key');
      assert.equal((await forged.get(o.url)).status, 403);
      assert.equal((await second.post(`${o.url}/otp`, { csrf_token: o.csrf, otp })).status, 403);
      assert.equal((await inbox(gw.url, phone)).length, 1, 'the refused browser triggered no code');
      assert.equal((await sessionRow(gw, o.url)).state, 'otp');
      await passOtp(s, o, phone);
      // An unknown session is a 404.
      assert.equal((await second.get(`${gw.url}/activation/no-such-session`)).status, 404);
    });

    await t.test('five wrong PINs lock the wallet PIN for 30 minutes across sessions', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000005';
      const o = await open(s, phone);
      await passOtp(s, o, phone);
      for (const left of [4, 3, 2, 1]) {
        const res = await o.client.post(`${o.url}/pin`, { csrf_token: o.csrf, pin: '000000' });
        assert.equal(res.status, 422);
        assert.match(res.html, new RegExp(`Wrong PIN\\. ${left} attempts? left before your PIN is locked for 30 minutes\\.`));
        assert.match(res.html, /type="password"/);
      }
      const fifth = await o.client.submit(`${o.url}/pin`, { csrf_token: o.csrf, pin: '000000' });
      assertResult(fifth, s, /Linking failed/, '01', 'PIN locked after too many wrong attempts');
      await callback(s, 1, phone, '01');
      const wallet = await gw.database.db.selectFrom('wallets').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
      const lockedFor = Number(wallet.pin_locked_until) - gw.clock.now();
      assert.ok(lockedFor > 29 * MINUTE && lockedFor <= 30 * MINUTE, `locked for ${lockedFor} ms`);

      // A new session, a right code, the RIGHT PIN: still refused while locked.
      const second = await open(s, phone);
      await passOtp(s, second, phone);
      const refused = await second.client.submit(`${second.url}/pin`, { csrf_token: second.csrf, pin: '123456' });
      assertResult(refused, s, /Linking failed/, '01', 'PIN locked after too many wrong attempts');
      await callback(s, 2, phone, '01');
      assert.equal(await activeLinks(gw, s.merchant.merchantId), 0);

      await settledDeliveries(gw, s.merchant.merchantId);
      gw.clock.advance(29 * MINUTE);
      const third = await open(s, phone);
      await passOtp(s, third, phone);
      const stillLocked = await third.client.submit(`${third.url}/pin`, { csrf_token: third.csrf, pin: '123456' });
      assertResult(stillLocked, s, /Linking failed/, '01', 'PIN locked after too many wrong attempts');
      await callback(s, 3, phone, '01');

      await settledDeliveries(gw, s.merchant.merchantId);
      gw.clock.advance(2 * MINUTE);
      const fourth = await open(s, phone);
      await passOtp(s, fourth, phone);
      const linked = await fourth.client.submit(`${fourth.url}/pin`, { csrf_token: fourth.csrf, pin: '123456' });
      assertResult(linked, s, /Account linked/, '00');
      await callback(s, 4, phone, '00');
      assert.equal(await activeLinks(gw, s.merchant.merchantId), 1);
      const unlocked = await gw.database.db.selectFrom('wallets').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
      assert.equal(unlocked.pin_locked_until, null);
      assert.equal(Number(unlocked.pin_failures), 0);
    });

    await t.test('wrong PINs count across sessions: four in one session and one in the next lock the PIN', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000006';
      const o = await open(s, phone);
      await passOtp(s, o, phone);
      for (let i = 0; i < 4; i++) assert.equal((await o.client.post(`${o.url}/pin`, { csrf_token: o.csrf, pin: '111111' })).status, 422);
      const cancelled = await o.client.submit(`${o.url}/cancel`, { csrf_token: o.csrf });
      assertResult(cancelled, s, /Linking failed/, '01', 'Cancelled by customer');
      await callback(s, 1, phone, '01');
      const next = await open(s, phone);
      await passOtp(s, next, phone);
      const last = await next.client.submit(`${next.url}/pin`, { csrf_token: next.csrf, pin: '111111' });
      assertResult(last, s, /Linking failed/, '01', 'PIN locked after too many wrong attempts');
      await callback(s, 2, phone, '01');
    });

    await t.test('parallel guesses cannot beat the limits: at most 5 codes and 5 PINs are ever checked', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000011';
      const o = await open(s, phone);
      const wrong = otherCode(await readOtp(gw.url, phone));
      await Promise.all(Array.from({ length: 12 }, () => o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: wrong })));
      const afterOtp = await sessionRow(gw, o.url);
      assert.ok(Number(afterOtp.otp_attempts) <= 5, `otp attempts ${afterOtp.otp_attempts}`);

      const p = await open(s, '081300000012');
      await passOtp(s, p, '081300000012');
      const results = await Promise.all(Array.from({ length: 10 }, () => p.client.post(`${p.url}/pin`, { csrf_token: p.csrf, pin: '999999' })));
      assert.ok(results.every((r) => r.status === 422 || r.status === 303), results.map((r) => r.status).join(','));
      const wallet = await gw.database.db.selectFrom('wallets').selectAll().where('phone', '=', '081300000012').executeTakeFirstOrThrow();
      assert.equal(Number(wallet.pin_failures), 5, 'exactly five PIN checks were allowed');
      assert.ok(wallet.pin_locked_until !== null && Number(wallet.pin_locked_until) > gw.clock.now(), 'and the PIN is locked');
      assert.equal(await activeLinks(gw, s.merchant.merchantId), 0);
    });

    await t.test('a session left past 10 minutes fails with callback 01 and shows it expired', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000007';
      const o = await open(s, phone);
      gw.clock.advance(10 * MINUTE + 1_000);
      const page = await o.client.get(o.url);
      assertResult(page, s, /Linking failed/, '01', 'Activation session expired');
      assert.match(page.html, /Activation session expired/);
      await callback(s, 1, phone, '01');
      const late = await o.client.submit(`${o.url}/otp`, { csrf_token: o.csrf, otp: await readOtp(gw.url, phone) });
      assertResult(late, s, /Linking failed/, '01');
      await assertCallbackCount(s, 1);

      // A session nobody ever opened is expired by the sweep (the sandbox clock's, at once), and the merchant is told too.
      await activate(gw.url, s.merchant, '081300000008');
      await advanceSandboxClock(gw.url, 10 * 60 + 1);
      const swept = await callback(s, 2, '081300000008', '01');
      assert.equal(swept.response_desc, 'Activation session expired');
      await assertCallbackCount(s, 2);
      await resetSandboxClock(gw.url);
    });

    await t.test('a callback receiver that fails at first still gets the callback later, under the same X-Notification-Id', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000013';
      receiver.status = 503;
      try {
        const o = await open(s, phone);
        await passOtp(s, o, phone);
        assertResult(await o.client.submit(`${o.url}/pin`, { csrf_token: o.csrf, pin: '123456' }), s, /Account linked/, '00');
        await s.receiver.waitFor(s.callbackPath, 2);
      } finally {
        receiver.status = 200;
      }
      await advanceSandboxClock(gw.url, 60); // past the next retry, instead of waiting for it
      const attempts = await s.receiver.waitFor(s.callbackPath, 3).then(() => s.receiver.at(s.callbackPath));
      assert.equal(new Set(attempts.map((a) => a.headers['x-notification-id'])).size, 1, 'one notification id across retries');
      assert.equal(new Set(attempts.map((a) => a.query.toString())).size, 1, 'the same callback each time');
      await assertNothingMoreToSend(gw.gateway);
      await resetSandboxClock(gw.url);
      const row = await gw.database.db.selectFrom('outbox').selectAll().where('merchant_id', '=', s.merchant.merchantId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'delivered');
      assert.equal(s.receiver.at(s.callbackPath).length, attempts.length, 'nothing sent after the 2xx');
    });

    await t.test('the page sends security headers and a HttpOnly SameSite cookie scoped to the session', async () => {
      const s = await scenario(gw, receiver);
      const o = await open(s, '081300000009');
      const refusal = await new FormClient().get(o.url);
      const posted = await o.client.post(`${o.url}/otp`, { csrf_token: o.csrf, otp: 'abc' });
      const missing = await new FormClient().get(`${gw.url}/activation/none`);
      for (const [name, res] of [['page', o.page], ['403', refusal], ['422', posted], ['404', missing]] as const) {
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /frame-ancestors 'none'/, name);
        assert.match(csp, /default-src 'none'/, name);
        assert.match(csp, /form-action 'self'/, name);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, name);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', name);
        assert.equal(res.headers.get('cache-control'), 'no-store', name);
        assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', name);
      }
      assert.equal(o.client.setCookies.length, 1);
      const cookie = o.client.setCookies[0]!;
      const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
      assert.ok(attrs.includes('httponly'), cookie);
      assert.ok(attrs.some((a) => a === 'samesite=lax' || a === 'samesite=strict'), cookie);
      assert.ok(attrs.includes(`path=${new URL(o.url).pathname.toLowerCase()}`), cookie);
      assert.ok(!attrs.includes('secure'), 'no Secure flag over plain http');
    });

    await t.test('markup: labelled inputs, one submit button per form, OTP and PIN input attributes', async () => {
      const s = await scenario(gw, receiver);
      const phone = '081300000010';
      const o = await open(s, phone);
      checkForms(o.page.html, 'OTP page');
      const otpInput = inputNamed(o.page.html, 'otp');
      assert.equal(attr(otpInput, 'autocomplete'), 'one-time-code');
      assert.equal(attr(otpInput, 'inputmode'), 'numeric');
      await passOtp(s, o, phone);
      const pinPage = await o.client.get(o.url);
      checkForms(pinPage.html, 'PIN page');
      const pinInput = inputNamed(pinPage.html, 'pin');
      assert.equal(attr(pinInput, 'type'), 'password');
      assert.equal(attr(pinInput, 'inputmode'), 'numeric');
      const wrong = await o.client.post(`${o.url}/pin`, { csrf_token: o.csrf, pin: '999999' });
      checkForms(wrong.html, 'PIN page with an error');
    });
  });
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

function inputNamed(html: string, name: string): string {
  const tag = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]).find((t) => attr(t, 'name') === name);
  assert.ok(tag, `an input named ${name}`);
  return tag;
}

/** Every visible input has a <label for>; every form posts with the CSRF token and has exactly one submit button. */
function checkForms(html: string, where: string): void {
  const forms = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)];
  assert.ok(forms.length >= 2, `${where}: forms`);
  for (const [form, inner] of forms) {
    assert.match(form, /^<form method="post"/, where);
    const buttons = [...inner!.matchAll(/<button\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(buttons.filter((b) => attr(b, 'type') === 'submit').length, 1, `${where}: one submit button in ${form.slice(0, 90)}`);
    assert.equal(buttons.length, 1, `${where}: no other button`);
    assert.match(inner!, /<input type="hidden" name="csrf_token" value="[^"]+">/, where);
  }
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    if (attr(tag, 'type') === 'hidden') continue;
    const id = attr(tag, 'id');
    assert.ok(id, `${where}: input without id: ${tag}`);
    assert.match(html, new RegExp(`<label[^>]*\\sfor="${id}"[^>]*>[^<]+</label>`), `${where}: label for #${id}`);
  }
}
