// Proves, over real HTTP on SQLite and PostgreSQL, that a customer authorises a payment on the hosted page (fetch-driven, no JavaScript): the page shows merchant, amount and the cash/points split; the right PIN pays exactly the split, a wrong PIN says how many attempts are left, the merchant's OTP step works, cancel and expiry release the hold, foreign browsers and missing CSRF tokens are refused, five wrong PINs fail the payment and lock the wallet everywhere — and the merchant's notify_url hears 2 / 8 / 3 / 7.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notificationSignature } from '@ovo-tokenize/protocol';
import { hashPin } from '../src/domain/pin.ts';
import type { Payment } from '../src/domain/payment.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import type { DatabaseKind } from '../src/store/database.ts';
import { settlementBalances } from '../src/store/settlement-shards.ts';
import { createLink } from '../src/store/links.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findMerchant } from '../src/store/merchants.ts';
import type { Challenge } from '../src/domain/challenge.ts';
import { findChallengeOf } from '../src/store/challenges.ts';
import { findPayment } from '../src/store/payments.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { findWallet, insertWallet, walletBalances } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, activate, assertNothingMoreToSend, callOperation, completeLink, csrfTokenOf, inbox, readOtp, startTestGateway, type PageResponse, type TestGateway,
} from './support/gateway.ts';

const PIN = '246810';
const WRONG_PIN = '111111';
const OPENING = { cash: 1_000_000n, points: 50_000n };
const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------
// The merchant's notify_url: a real HTTP server that acknowledges every notification with response_code 00.

interface Notification {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, string>;
}

interface NotifyReceiver {
  readonly url: string;
  readonly received: Notification[];
  /** Resolves with the first notification for `trxId`, or rejects after `timeoutMs`. */
  waitFor(trxId: string, timeoutMs?: number): Promise<Notification>;
  close(): Promise<void>;
}

async function startNotifyReceiver(): Promise<NotifyReceiver> {
  const received: Notification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        response: 'Payment Notification', trx_id: body.trx_id, merchant_id: body.merchant_id, bill_no: body.bill_no,
        response_code: '00', response_desc: 'Success', response_date: '2024-01-01 00:00:00',
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  after(close);
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    async waitFor(trxId, timeoutMs = 8_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find((n) => n.body.trx_id === trxId);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no notification for ${trxId} within ${timeoutMs} ms (got ${received.length} others)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close,
  };
}

// ---------------------------------------------------------------------------------------------------------
// One gateway per test: a PIN merchant, an OTP merchant, and customers linked to both.

interface Env {
  gw: TestGateway;
  notify: NotifyReceiver;
  shop: MerchantInput;
  otpShop: MerchantInput;
  customer(phone: string): Promise<Wallet>;
}

let phoneSerial = 0;
function nextPhone(): string {
  phoneSerial += 1;
  return `0812${String(process.pid % 10_000).padStart(4, '0')}${String(phoneSerial).padStart(4, '0')}`;
}

async function setup(kind: DatabaseKind): Promise<Env> {
  const notify = await startNotifyReceiver();
  const shop: MerchantInput = { merchantId: '31001', name: 'Kopi Senja', userId: 'bot31001', password: 'secret-31001', notifyUrl: notify.url };
  const otpShop: MerchantInput = {
    merchantId: '31002', name: 'Toko Buku Rapi', userId: 'bot31002', password: 'secret-31002', notifyUrl: notify.url, paymentOtp: true,
  };
  const gw = await startTestGateway(kind, { merchants: [shop, otpShop] });
  const pinHash = await hashPin(PIN, gw.gateway.ctx.config.pinPepper);
  const customer = async (phone: string) => inTransaction(gw.database, async (tx) => {
    const now = gw.clock.now();
    const wallet = await insertWallet(tx, { phone, name: 'Sari Dewi', pinHash, ...OPENING, sandbox: true }, now);
    for (const m of [shop, otpShop]) {
      await createLink(tx, { merchantId: m.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now, ttlS: 3600 });
    }
    return wallet;
  });
  return { gw, notify, shop, otpShop, customer };
}

let billSerial = 0;

/** A signed /ovo/payment; returns the created payment's trx_id and redirectURL (asserting 00 PENDING). */
async function createPayment(env: Env, merchant: MerchantInput, phone: string, total: bigint, payType: '0' | '1' | '2',
  desc = 'Kopi susu gula aren x3'): Promise<{ trxId: string; url: string; billNo: string }> {
  billSerial += 1;
  const billNo = `INV-${Date.now()}-${billSerial}`;
  const reply = await callOperation(env.gw.url, 'payment', {
    request: 'Payment OVO OpenAPI', merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: desc,
    bill_total: String(total), bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'Sari Dewi',
    email: 'sari@example.com', pay_type: payType,
  }, 'json', merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  assert.equal(reply.body.status, 'PENDING', reply.raw);
  const url = reply.body.redirectURL as string;
  assert.match(url, new RegExp(`^${env.gw.url.replace(/[.]/g, '\\.')}/pay/[A-Za-z0-9_-]{40,}$`));
  return { trxId: reply.body.trx_id as string, url, billNo };
}

async function paymentOf(env: Env, trxId: string): Promise<Payment> {
  return (await findPayment(env.gw.database.db, trxId))!;
}

/** The challenge of the payment's page. */
async function pageOf(env: Env, trxId: string): Promise<Challenge> {
  return (await findChallengeOf(env.gw.database.db, trxId, 'payment'))!;
}

async function balancesOf(env: Env, wallet: Wallet) {
  return walletBalances(env.gw.database.db, wallet);
}

/** Posted balances of a merchant's cash and points settlement accounts. */
async function settledOf(env: Env, merchantId: string): Promise<{ cash: bigint; points: bigint }> {
  const { cash, points } = await settlementBalances(env.gw.database.db, (await findMerchant(env.gw.database.db, merchantId))!);
  return { cash: cash.posted, points: points.posted };
}

/** What a reader sees: the page without tags, whitespace collapsed. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ')
    .replace(/&(lt|gt|quot|#39|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
}

function forms(html: string): string[] {
  return [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((m) => m[0]);
}

async function assertNotified(env: Env, trxId: string, billNo: string, merchant: MerchantInput, code: string, total: bigint): Promise<void> {
  const n = await env.notify.waitFor(trxId);
  assert.equal(n.body.request, 'Payment Notification');
  assert.equal(n.body.payment_status_code, code, JSON.stringify(n.body));
  assert.equal(n.body.bill_no, billNo);
  assert.equal(n.body.merchant_id, merchant.merchantId);
  assert.equal(n.body.bill_total, String(total));
  assert.equal(n.body.payment_total, code === '2' ? String(total) : '0');
  assert.equal(n.body.signature, notificationSignature(merchant.userId, merchant.password, billNo, code));
  assert.ok(n.headers['x-notification-id'], 'a stable notification id header');
}

function assertStepPage(page: PageResponse): void {
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(String(page.headers.get('content-security-policy')), /default-src 'none'/);
  assert.doesNotMatch(page.html, /<script|<style|\sstyle=|\son[a-z]+=/i, 'no inline script or style');
  for (const form of forms(page.html)) {
    assert.equal((form.match(/<button[^>]*type="submit"/g) ?? []).length, 1, `one submit button per form: ${form}`);
    assert.match(form, /<input type="hidden" name="csrf_token" value="[^"]+">/, 'every form carries the CSRF token');
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the PIN page shows the split; a wrong PIN says what is left; the right PIN pays exactly the split (notify 2)`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const { trxId, url, billNo } = await createPayment(env, env.shop, phone, 150_000n, '2', 'Kopi <susu> & roti');

    const client = new FormClient();
    const page = await client.get(url);
    assert.equal(page.status, 200);
    assertStepPage(page);
    const cookie = client.setCookies.find((c) => c.startsWith('ovo_payment='));
    assert.ok(cookie, 'the first browser is bound by a cookie');
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, new RegExp(`; Path=${new URL(url).pathname}(;|$)`));
    const text = visibleText(page.html);
    assert.match(text, /Kopi Senja/);
    assert.match(text, /Kopi <susu> & roti/, 'the bill description, escaped in the markup');
    assert.match(page.html, /Kopi &lt;susu&gt; &amp; roti/);
    assert.match(text, /Rp 150\.000/);
    assert.match(text, /OVO Cash Rp 100\.000/);
    assert.match(text, /OVO Points 50\.000/);
    assert.ok(text.includes(`${phone.slice(0, 4)}****${phone.slice(-4)}`), 'masked phone');
    assert.ok(!text.includes(phone), 'the full phone number is never shown');
    assert.match(text, /Confirm before \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB/);
    assert.match(page.html, /<label class="field__label" for="pin">OVO PIN<\/label>/);
    assert.match(page.html, /<input class="input input--pin" id="pin" name="pin" type="password"[^>]* inputmode="numeric"/);
    assert.equal(forms(page.html).length, 2, 'PIN form and cancel form');
    assert.match(page.html, /action="\/pay\/[^"]+\/cancel"[\s\S]*Cancel payment/);
    assert.doesNotMatch(page.html, /name="otp"/, 'no OTP step for this merchant');
    const held = await balancesOf(env, wallet);
    assert.deepEqual(held, { cash: OPENING.cash - 100_000n, points: 0n }, 'the split is held from the start');

    const csrf = csrfTokenOf(page.html);
    const wrong = await client.post(`${url}/pin`, { csrf_token: csrf, pin: WRONG_PIN });
    assert.equal(wrong.status, 422);
    assert.match(visibleText(wrong.html), /Wrong PIN\. 4 attempts left before your PIN is locked for 30 minutes\./);
    assert.match(wrong.html, /role="alert"/);
    const malformed = await client.post(`${url}/pin`, { csrf_token: csrf, pin: '12ab' });
    assert.equal(malformed.status, 422);
    assert.match(malformed.html, /Enter your 6-digit OVO PIN/);
    assert.equal((await findWallet(env.gw.database.db, wallet.id))!.pinFailures, 1, 'a malformed PIN is not an attempt');

    const settledBefore = await settledOf(env, env.shop.merchantId);
    const right = await client.post(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.equal(right.status, 303);
    assert.equal(right.location, url);
    const receipt = await client.get(url);
    assert.equal(receipt.status, 200);
    const receiptText = visibleText(receipt.html);
    assert.match(receiptText, /Payment successful/);
    assert.ok(receiptText.includes(trxId), 'the receipt shows trx_id');
    assert.match(receiptText, /OVO Cash Rp 100\.000/);
    assert.match(receiptText, /OVO Points 50\.000/);
    assert.match(receiptText, /You can return to Kopi Senja\./);
    assert.equal(forms(receipt.html).length, 0, 'nothing left to submit');

    const paid = await paymentOf(env, trxId);
    assert.equal(paid.status, 'SUCCESS');
    assert.equal((await pageOf(env, trxId)).step, 'done');
    assert.deepEqual(await balancesOf(env, wallet), { cash: OPENING.cash - 100_000n, points: 0n });
    const settledAfter = await settledOf(env, env.shop.merchantId);
    assert.equal(settledAfter.cash - settledBefore.cash, 100_000n, 'the merchant got exactly the cash part');
    assert.equal(settledAfter.points - settledBefore.points, 50_000n, 'and exactly the points part');
    assert.equal((await findWallet(env.gw.database.db, wallet.id))!.pinFailures, 0, 'the right PIN clears the failure count');
    await assertNotified(env, trxId, billNo, env.shop, '2', 150_000n);

    // A replayed PIN post changes nothing.
    const replay = await client.post(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.equal(replay.status, 303);
    assert.deepEqual(await balancesOf(env, wallet), { cash: OPENING.cash - 100_000n, points: 0n });
    assert.equal(env.notify.received.filter((n) => n.body.trx_id === trxId).length, 1);

    const missing = await new FormClient().get(`${env.gw.url}/pay/${'x'.repeat(43)}`);
    assert.equal(missing.status, 404);
    await env.gw.close();
  });

  test(`${kind}: a merchant with payment OTP: the SMS names merchant and amount, a wrong code is counted, the code is single use`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const { trxId, url, billNo } = await createPayment(env, env.otpShop, phone, 75_000n, '0', 'Novel');
    assert.equal((await inbox(env.gw.url, phone)).length, 0, 'no SMS before the customer opens the page');

    const client = new FormClient();
    const page = await client.get(url);
    assert.equal(page.status, 200);
    assertStepPage(page);
    assert.match(page.html, /name="otp"/);
    assert.doesNotMatch(page.html, /name="pin"/, 'the OTP step comes first');
    assert.match(visibleText(page.html), /OVO Cash Rp 75\.000/);
    assert.doesNotMatch(visibleText(page.html), /OVO Points/, 'a cash-only payment shows no points part');
    const messages = await inbox(env.gw.url, phone);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!.text, /^\d{6} is your OVO verification code for paying Toko Buku Rapi Rp 75\.000\./);
    // Reloading the page does not send another code.
    await client.get(url);
    assert.equal((await inbox(env.gw.url, phone)).length, 1);

    const csrf = csrfTokenOf(page.html);
    const otp = await readOtp(env.gw.url, phone);
    const wrongCode = otp === '000000' ? '000001' : '000000';
    // The PIN cannot skip the OTP step.
    const early = await client.post(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.equal(early.status, 303);
    assert.equal((await paymentOf(env, trxId)).status, 'PENDING');
    const wrong = await client.post(`${url}/otp`, { csrf_token: csrf, otp: wrongCode });
    assert.equal(wrong.status, 422);
    assert.match(visibleText(wrong.html), /Wrong code\. 4 attempts left\./);
    const resend = await client.post(`${url}/resend`, { csrf_token: csrf });
    assert.equal(resend.status, 422);
    assert.match(resend.html, /Please wait \d+ seconds/);

    const ok = await client.post(`${url}/otp`, { csrf_token: csrf, otp });
    assert.equal(ok.status, 303);
    const pinPage = await client.get(url);
    assertStepPage(pinPage);
    assert.match(pinPage.html, /name="pin"/);
    const stored = await pageOf(env, trxId);
    assert.equal(stored.step, 'pin');
    assert.equal(stored.otpHash, null, 'the code is gone once used');

    const paid = await client.submit(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.match(visibleText(paid.html), /Payment successful/);
    assert.equal((await paymentOf(env, trxId)).status, 'SUCCESS');
    assert.deepEqual(await balancesOf(env, wallet), { cash: OPENING.cash - 75_000n, points: OPENING.points });
    await assertNotified(env, trxId, billNo, env.otpShop, '2', 75_000n);

    // Five wrong codes fail a payment (notify 3) and release its hold.
    const second = await createPayment(env, env.otpShop, phone, 20_000n, '1', 'Bookmark');
    const c2 = new FormClient();
    const p2 = await c2.get(second.url);
    const otp2 = await readOtp(env.gw.url, phone);
    const bad = otp2 === '999999' ? '999998' : '999999';
    for (let i = 4; i >= 1; i--) {
      const r = await c2.post(`${second.url}/otp`, { csrf_token: csrfTokenOf(p2.html), otp: bad });
      assert.equal(r.status, 422);
      assert.match(r.html, new RegExp(`Wrong code\\. ${i} attempts? left\\.`));
    }
    const last = await c2.submit(`${second.url}/otp`, { csrf_token: csrfTokenOf(p2.html), otp: bad });
    assert.match(visibleText(last.html), /Payment failed/);
    assert.match(visibleText(last.html), /too many wrong verification codes/);
    const failed = await paymentOf(env, second.trxId);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.failureReason, 'Too many wrong verification codes');
    // The right code after that is useless.
    const late = await c2.submit(`${second.url}/otp`, { csrf_token: csrfTokenOf(p2.html), otp: otp2 });
    assert.match(visibleText(late.html), /Payment failed/);
    assert.deepEqual(await balancesOf(env, wallet), { cash: OPENING.cash - 75_000n, points: OPENING.points });
    await assertNotified(env, second.trxId, second.billNo, env.otpShop, '3', 20_000n);
    await env.gw.close();
  });

  test(`${kind}: Cancel cancels the payment and releases the hold (notify 8); later posts change nothing`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const { trxId, url, billNo } = await createPayment(env, env.shop, phone, 80_000n, '2');
    assert.deepEqual(await balancesOf(env, wallet), { cash: OPENING.cash - 30_000n, points: 0n });
    const client = new FormClient();
    const page = await client.get(url);
    const csrf = csrfTokenOf(page.html);
    const cancelled = await client.post(`${url}/cancel`, { csrf_token: csrf });
    assert.equal(cancelled.status, 303);
    const shown = await client.get(url);
    assert.equal(shown.status, 200);
    assert.match(visibleText(shown.html), /Payment cancelled/);
    assert.match(visibleText(shown.html), /No money was taken/);
    const p = await paymentOf(env, trxId);
    assert.equal(p.status, 'CANCELLED');
    assert.equal(p.cancelReason, 'Cancelled by customer');
    assert.deepEqual(await balancesOf(env, wallet), OPENING, 'the hold is released');
    await assertNotified(env, trxId, billNo, env.shop, '8', 80_000n);

    const afterwards = await client.post(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.equal(afterwards.status, 303);
    assert.equal((await paymentOf(env, trxId)).status, 'CANCELLED');
    assert.deepEqual(await balancesOf(env, wallet), OPENING);
    assert.equal((await findWallet(env.gw.database.db, wallet.id))!.pinFailures, 0, 'no PIN attempt on a finished payment');
    await env.gw.close();
  });

  test(`${kind}: past its 15 minutes a payment cannot be authorised, even before the sweeper runs (notify 7)`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const opened = await createPayment(env, env.shop, phone, 40_000n, '0');
    const unopened = await createPayment(env, env.shop, phone, 10_000n, '1');
    const client = new FormClient();
    const page = await client.get(opened.url);
    const csrf = csrfTokenOf(page.html);
    env.gw.clock.advance(15 * MINUTE_MS + 1_000);

    const late = await client.post(`${opened.url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.equal(late.status, 303);
    const shown = await client.get(opened.url);
    assert.match(visibleText(shown.html), /Payment expired/);
    assert.equal(forms(shown.html).length, 0);
    const p = await paymentOf(env, opened.trxId);
    assert.equal(p.status, 'EXPIRED');
    assert.equal((await findWallet(env.gw.database.db, wallet.id))!.pinFailures, 0, 'the PIN was never checked');

    const other = await new FormClient().get(unopened.url);
    assert.equal(other.status, 200);
    assert.match(visibleText(other.html), /Payment expired/);
    assert.equal((await paymentOf(env, unopened.trxId)).status, 'EXPIRED');
    assert.deepEqual(await balancesOf(env, wallet), OPENING, 'both holds released');
    await assertNotified(env, opened.trxId, opened.billNo, env.shop, '7', 40_000n);
    await assertNotified(env, unopened.trxId, unopened.billNo, env.shop, '7', 10_000n);
    await env.gw.close();
  });

  test(`${kind}: another browser, a missing or wrong CSRF token are refused and change nothing`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const { trxId, url } = await createPayment(env, env.shop, phone, 25_000n, '0');
    const owner = new FormClient();
    const page = await owner.get(url);
    const csrf = csrfTokenOf(page.html);

    const stranger = new FormClient();
    const elsewhere = await stranger.get(url);
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.html, /already open in another browser/);
    assert.equal(stranger.setCookies.length, 0, 'a second browser is not bound');
    for (const path of ['pin', 'cancel', 'otp', 'resend']) {
      const res = await stranger.post(`${url}/${path}`, { csrf_token: csrf, pin: PIN });
      assert.equal(res.status, 403, `stranger ${path}`);
    }
    const forged = new FormClient();
    forged.cookies.set('ovo_payment', 'not-the-key');
    assert.equal((await forged.post(`${url}/pin`, { csrf_token: csrf, pin: PIN })).status, 403);
    assert.equal((await owner.post(`${url}/pin`, { pin: PIN })).status, 403, 'no CSRF token');
    assert.equal((await owner.post(`${url}/pin`, { csrf_token: `${csrf}x`, pin: PIN })).status, 403, 'wrong CSRF token');
    assert.equal((await owner.post(`${url}/cancel`, { csrf_token: '' })).status, 403, 'empty CSRF token');
    assert.equal((await fetch(url, { method: 'HEAD' })).status, 404, 'HEAD binds nothing');

    assert.equal((await paymentOf(env, trxId)).status, 'PENDING');
    assert.equal((await findWallet(env.gw.database.db, wallet.id))!.pinFailures, 0);
    const ok = await owner.submit(`${url}/pin`, { csrf_token: csrf, pin: PIN });
    assert.match(visibleText(ok.html), /Payment successful/);
    await env.gw.close();
  });

  test(`${kind}: racing posts: parallel wrong PINs never get past the limit; a PIN racing Cancel ends one way, notified once`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const a = await createPayment(env, env.shop, phone, 10_000n, '0');
    const client = new FormClient();
    const csrf = csrfTokenOf((await client.get(a.url)).html);
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.post(`${a.url}/pin`, { csrf_token: csrf, pin: WRONG_PIN })));
    for (const r of answers) assert.ok(r.status === 422 || r.status === 303, `answered ${r.status}`);
    const locked = (await findWallet(env.gw.database.db, wallet.id))!;
    assert.equal(locked.pinFailures, 5, 'exactly the allowed number of PINs was checked');
    assert.notEqual(locked.pinLockedUntil, null);
    const failed = await paymentOf(env, a.trxId);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.failureReason, 'PIN locked');
    await assertNotified(env, a.trxId, a.billNo, env.shop, '3', 10_000n);

    const phone2 = nextPhone();
    const wallet2 = await env.customer(phone2);
    const b = await createPayment(env, env.shop, phone2, 70_000n, '2');
    const c2 = new FormClient();
    const csrf2 = csrfTokenOf((await c2.get(b.url)).html);
    const [pinPost, cancelPost] = await Promise.all([
      c2.post(`${b.url}/pin`, { csrf_token: csrf2, pin: PIN }),
      c2.post(`${b.url}/cancel`, { csrf_token: csrf2 }),
    ]);
    assert.equal(pinPost.status, 303);
    assert.equal(cancelPost.status, 303);
    const ended = await paymentOf(env, b.trxId);
    assert.ok(ended.status === 'SUCCESS' || ended.status === 'CANCELLED', ended.status);
    assert.deepEqual(await balancesOf(env, wallet2),
      ended.status === 'SUCCESS' ? { cash: OPENING.cash - 20_000n, points: 0n } : OPENING);
    await assertNotified(env, b.trxId, b.billNo, env.shop, ended.status === 'SUCCESS' ? '2' : '8', 70_000n);
    await assertNothingMoreToSend(env.gw.gateway);
    assert.equal(env.notify.received.filter((n) => n.body.trx_id === b.trxId).length, 1, 'one status change, one notification');
    await env.gw.close();
  });

  test(`${kind}: five wrong PINs fail the payment (notify 3) and lock the wallet's PIN for linking and paying alike`, async () => {
    const env = await setup(kind);
    const phone = nextPhone();
    const wallet = await env.customer(phone);
    const { trxId, url, billNo } = await createPayment(env, env.shop, phone, 60_000n, '2');
    const client = new FormClient();
    const page = await client.get(url);
    const csrf = csrfTokenOf(page.html);
    for (let left = 4; left >= 1; left--) {
      const r = await client.post(`${url}/pin`, { csrf_token: csrf, pin: WRONG_PIN });
      assert.equal(r.status, 422);
      assert.match(r.html, new RegExp(`Wrong PIN\\. ${left} attempts? left`));
    }
    const fifth = await client.submit(`${url}/pin`, { csrf_token: csrf, pin: WRONG_PIN });
    const text = visibleText(fifth.html);
    assert.match(text, /Payment failed/);
    assert.match(text, /PIN is locked/);
    const p = await paymentOf(env, trxId);
    assert.equal(p.status, 'FAILED');
    assert.equal(p.failureReason, 'PIN locked');
    const locked = (await findWallet(env.gw.database.db, wallet.id))!;
    assert.ok(locked.pinLockedUntil !== null && locked.pinLockedUntil > env.gw.clock.now() + 29 * MINUTE_MS, 'locked for 30 minutes');
    assert.deepEqual(await balancesOf(env, wallet), OPENING, 'the hold is released');
    await assertNotified(env, trxId, billNo, env.shop, '3', 60_000n);

    // The right PIN on a new payment is refused while locked: that payment fails too.
    const next = await createPayment(env, env.shop, phone, 5_000n, '0');
    const c2 = new FormClient();
    const p2 = await c2.get(next.url);
    const refused = await c2.submit(`${next.url}/pin`, { csrf_token: csrfTokenOf(p2.html), pin: PIN });
    assert.match(visibleText(refused.html), /Payment failed/);
    assert.equal((await paymentOf(env, next.trxId)).status, 'FAILED');
    // And so is the right PIN on the activation page.
    const activation = await activate(env.gw.url, env.shop, phone);
    const linked = await completeLink(env.gw.url, activation, phone, PIN);
    assert.doesNotMatch(linked.html, /Account linked/);
    assert.match(linked.html, /PIN locked/);
    assert.deepEqual(await balancesOf(env, wallet), OPENING);
    await env.gw.close();
  });
}
