// Proves, on SQLite and PostgreSQL, that the hosted payment page hands the customer back to the merchant's payment return URL (PROTOCOL.md §4.11) once the payment ends — in Chromium after paying with the PIN (status 2, payment_reff set) and after Cancel (status 8, no payment_reff), over plain HTTP after a PIN lockout (3) and expiry (7) — with the merchant's own query kept, a signature that verifies, bill_total at the merchant's amount scale, the activation return URL as fallback, the sandbox demo return page reading it, and no hand-off at all for a merchant without a return URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAYMENT_RETURN, formatJakartaDateTime, paymentStatusSignature, type WireFormat } from '@ovo-tokenize/protocol';
import { toWireAmount } from '../src/domain/amount-scale.ts';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Payment } from '../src/domain/payment.ts';
import { RETURN_DELAY_S } from '../src/pages/layout.ts';
import { DEMO_RETURN_PATH } from '../src/services/demo-merchant.ts';
import { updateMerchant, type MerchantInput } from '../src/store/merchants.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { FormClient, callOperation, csrfTokenOf, refreshTarget, startReceiver, type PageResponse, type Receiver } from './support/gateway.ts';
import { TEST_PIN, fundedWallet, linkThroughStore, reloadPayment, startPaymentsGateway, type PaymentsGateway } from './support/payments.ts';

const WRONG_PIN = '000000';
const FUNDS = { cash: 20_000_000n, points: 0n };
const SHOP_RETURN_PATH = '/shop/payment-return';
const LINK_RETURN_PATH = '/shop/link-return';
/** Where the screenshots go, for a person to look at. */
const SHOT_DIR = process.env.OVO_SCREENSHOT_DIR ?? join(tmpdir(), 'ovo-screenshots');

/** The merchants of one scene: with a payment return URL, with only the activation one, with neither, with two implied decimals. */
function sceneMerchants(receiver: Receiver): Record<'shop' | 'fallback' | 'plain' | 'cents', MerchantInput> {
  return {
    shop: { merchantId: '51001', name: 'Toko Kembali & Co', userId: 'bot51001', password: 'pw-51001',
      returnUrl: `${receiver.url}${LINK_RETURN_PATH}`, paymentReturnUrl: `${receiver.url}${SHOP_RETURN_PATH}?source=ovo` },
    fallback: { merchantId: '51002', name: 'Warung Cadangan', userId: 'bot51002', password: 'pw-51002', returnUrl: `${receiver.url}${LINK_RETURN_PATH}` },
    plain: { merchantId: '51003', name: 'Toko Tanpa Alamat', userId: 'bot51003', password: 'pw-51003' },
    cents: { merchantId: '51004', name: 'Toko Sen', userId: 'bot51004', password: 'pw-51004', amountDecimals: 2,
      paymentReturnUrl: `${receiver.url}${SHOP_RETURN_PATH}` },
  };
}

interface Scene {
  readonly gw: PaymentsGateway;
  readonly receiver: Receiver;
  readonly merchants: Record<keyof ReturnType<typeof sceneMerchants>, Merchant>;
  /** A new customer (wallet) linked to every merchant of the scene. */
  customer(): Promise<string>;
  pay(merchant: Merchant, phone: string, total: bigint, format?: WireFormat): Promise<{ trxId: string; url: string }>;
}

let phoneSerial = 0;
let billSerial = 0;

async function startScene(kind: (typeof DATABASE_KINDS)[number]): Promise<Scene> {
  const receiver = await startReceiver();
  const inputs = sceneMerchants(receiver);
  const gw = await startPaymentsGateway(kind, { merchants: Object.values(inputs) });
  const byId = new Map(gw.merchants.map((m) => [m.merchantId, m]));
  const merchants = Object.fromEntries(Object.entries(inputs).map(([key, m]) => [key, byId.get(m.merchantId)!])) as Scene['merchants'];
  return {
    gw, receiver, merchants,
    async customer() {
      phoneSerial += 1;
      const phone = `0813${String(5_000_000 + phoneSerial).padStart(8, '0')}`;
      const wallet = await fundedWallet(gw.database, { phone, ...FUNDS });
      for (const m of gw.merchants) await linkThroughStore(gw.ctx, m.merchantId, wallet);
      return phone;
    },
    async pay(merchant, phone, total, format = 'json') {
      billSerial += 1;
      const reply = await callOperation(gw.url, 'payment', {
        merchant_id: merchant.merchantId, bill_no: `RET-${billSerial}`, bill_desc: 'Kopi tubruk', bill_total: String(total),
        bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'Sari Dewi', email: 'sari@example.com', pay_type: '0',
      }, format, merchant);
      assert.equal(reply.body.response_code, '00', reply.raw);
      return { trxId: reply.body.trx_id as string, url: reply.body.redirectURL as string };
    },
  };
}

/** The query the return URL must carry for this ended payment, computed here from the spec (not by the gateway's code). */
function expectedReturn(merchant: Merchant, payment: Payment, status: string): Record<string, string> {
  return {
    trx_id: payment.trxId, merchant_id: merchant.merchantId, merchant: merchant.name, bill_no: payment.billNo, bill_reff: payment.billNo,
    bill_total: toWireAmount(merchant, payment.amount).toString(), payment_reff: status === '2' ? payment.paymentReff : '',
    payment_date: formatJakartaDateTime(new Date(payment.finishedAt!)), status,
    signature: paymentStatusSignature(merchant.userId, merchant.password, payment.billNo, status),
  };
}

/** Asserts that `url` is the merchant's `base` (path and own query kept) plus exactly the §4.11 parameters for `payment`. */
function assertReturnUrl(url: string, base: string, merchant: Merchant, payment: Payment, status: string): URL {
  const landed = new URL(url);
  const expectedBase = new URL(base);
  assert.equal(`${landed.origin}${landed.pathname}`, `${expectedBase.origin}${expectedBase.pathname}`);
  const own = [...expectedBase.searchParams];
  const params = [...landed.searchParams];
  assert.deepEqual(params.slice(0, own.length), own, "the merchant's own query is kept, first");
  assert.deepEqual(Object.fromEntries(params.slice(own.length)), expectedReturn(merchant, payment, status));
  assert.deepEqual(params.slice(own.length).map(([k]) => k), [...PAYMENT_RETURN.fields], 'every parameter once, in catalogue order');
  return landed;
}

/** The outcome page's hand-off: the meta refresh and the "Back to …" button must name the same URL. */
function handOff(page: PageResponse, merchant: Merchant): string {
  const refresh = refreshTarget(page.html);
  assert.ok(refresh, `the outcome page sends the browser back:\n${page.html.slice(0, 600)}`);
  assert.equal(refresh.seconds, RETURN_DELAY_S);
  const button = new RegExp(`<a class="button button--primary" href="([^"]+)">Back to ${merchant.name.replace('&', '&amp;')}</a>`).exec(page.html);
  assert.ok(button, 'a "Back to <merchant>" button');
  assert.equal(button[1]!.replaceAll('&amp;', '&'), refresh.url);
  return refresh.url;
}

/** Opens the payment page, enters the PIN, and answers the outcome page it lands on. */
async function payWithPin(client: FormClient, url: string, pin = TEST_PIN): Promise<PageResponse> {
  const page = await client.get(url);
  return client.submit(`${url}/pin`, { csrf_token: csrfTokenOf(page.html), pin });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: in Chromium, paying with the PIN and cancelling each end at the merchant's payment return URL, signed, with status 2 / 8`, async (t) => {
    const browser = await launchBrowser(t);
    if (browser === undefined) return;
    const scene = await startScene(kind);
    const { shop } = scene.merchants;
    const phone = await scene.customer();

    const paid = await scene.pay(shop, phone, 65_000n, 'xml');
    await withPage(browser, async (page) => {
      page.setDefaultTimeout(10_000);
      const problems = watchPageProblems(page);
      await page.goto(paid.url);
      await page.getByLabel('OVO PIN').fill(TEST_PIN);
      await Promise.all([page.waitForURL(paid.url), page.getByRole('button', { name: 'Pay Rp 65.000' }).click()]);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment successful');
      const back = page.getByRole('link', { name: `Back to ${shop.name}` });
      assert.ok((await back.getAttribute('href'))?.startsWith(`${scene.receiver.url}${SHOP_RETURN_PATH}?source=ovo&trx_id=`));
      mkdirSync(SHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SHOT_DIR, `payment-return-${kind}.png`), fullPage: true });
      // Nobody clicks: the page hands the customer back by itself.
      await page.waitForURL((u) => u.pathname === SHOP_RETURN_PATH, { timeout: (RETURN_DELAY_S + 7) * 1000 });
      const payment = await reloadPayment(scene.gw.database, paid.trxId);
      assert.equal(payment.status, 'SUCCESS');
      const landed = assertReturnUrl(page.url(), shop.paymentReturnUrl!, shop, payment, '2');
      assert.notEqual(landed.searchParams.get('payment_reff'), '');
      assert.deepEqual(problems, []);
    }, { viewport: { width: 390, height: 844 } });
    assert.equal(scene.receiver.at(SHOP_RETURN_PATH).length, 1, 'the merchant saw the customer come back once');

    const cancelled = await scene.pay(shop, phone, 30_000n);
    await withPage(browser, async (page) => {
      page.setDefaultTimeout(10_000);
      const problems = watchPageProblems(page);
      await page.goto(cancelled.url);
      await Promise.all([page.waitForURL(cancelled.url), page.getByRole('button', { name: 'Cancel payment' }).click()]);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment cancelled');
      // This time the customer does not wait.
      await Promise.all([page.waitForURL((u) => u.pathname === SHOP_RETURN_PATH), page.getByRole('link', { name: `Back to ${shop.name}` }).click()]);
      const payment = await reloadPayment(scene.gw.database, cancelled.trxId);
      assert.equal(payment.status, 'CANCELLED');
      const landed = assertReturnUrl(page.url(), shop.paymentReturnUrl!, shop, payment, '8');
      assert.equal(landed.searchParams.get('payment_reff'), '');
      assert.deepEqual(problems, []);
    });
  });

  test(`${kind}: over HTTP, a PIN lockout (3) and expiry (7) hand off too; the activation return URL is the fallback; no URL, no hand-off`, async () => {
    const scene = await startScene(kind);
    const { shop, fallback, plain } = scene.merchants;

    const lockedPhone = await scene.customer();
    const failing = await scene.pay(shop, lockedPhone, 40_000n);
    const client = new FormClient();
    let page = await client.get(failing.url);
    const csrf = csrfTokenOf(page.html);
    for (let i = 0; i < scene.gw.ctx.config.pin_attempts_max && !refreshTarget(page.html); i++) {
      page = await client.submit(`${failing.url}/pin`, { csrf_token: csrf, pin: WRONG_PIN });
    }
    const failed = await reloadPayment(scene.gw.database, failing.trxId);
    assert.equal(failed.status, 'FAILED');
    assert.equal(page.headers.get('content-security-policy')?.includes("form-action 'self'"), true, 'the security headers stay');
    assertReturnUrl(handOff(page, shop), shop.paymentReturnUrl!, shop, failed, '3');

    const phone = await scene.customer();
    const expiring = await scene.pay(shop, phone, 15_000n, 'xml');
    scene.gw.clock.advance(scene.gw.ctx.config.payment_ttl_s * 1000 + 1_000);
    page = await new FormClient().get(expiring.url);
    const expired = await reloadPayment(scene.gw.database, expiring.trxId);
    assert.equal(expired.status, 'EXPIRED');
    assertReturnUrl(handOff(page, shop), shop.paymentReturnUrl!, shop, expired, '7');
    scene.gw.clock.advance(-(scene.gw.ctx.config.payment_ttl_s * 1000 + 1_000));

    const viaFallback = await scene.pay(fallback, phone, 20_000n);
    page = await payWithPin(new FormClient(), viaFallback.url);
    assertReturnUrl(handOff(page, fallback), fallback.returnUrl!, fallback, await reloadPayment(scene.gw.database, viaFallback.trxId), '2');

    const nowhere = await scene.pay(plain, phone, 10_000n);
    page = await payWithPin(new FormClient(), nowhere.url);
    assert.equal((await reloadPayment(scene.gw.database, nowhere.trxId)).status, 'SUCCESS');
    assert.match(page.html, /Payment successful/);
    assert.equal(refreshTarget(page.html), undefined, 'no automatic hand-off');
    assert.doesNotMatch(page.html, /Back to /);
    assert.match(page.html, /You can return to Toko Tanpa Alamat\./);
  });

  test(`${kind}: bill_total in the return URL is at the merchant's amount scale; the button speaks Indonesian; the sandbox demo page checks the signature`, async () => {
    const scene = await startScene(kind);
    const { cents, shop } = scene.merchants;
    const phone = await scene.customer();

    const payment = await scene.pay(cents, phone, 6_500_000n);
    const client = new FormClient();
    const opened = await client.get(`${payment.url}?lang=id`);
    const page = await client.submit(`${payment.url}/pin`, { csrf_token: csrfTokenOf(opened.html), pin: TEST_PIN });
    assert.match(page.html, /Pembayaran berhasil/);
    const url = refreshTarget(page.html)!.url;
    assert.match(page.html, new RegExp(`>Kembali ke ${cents.name}</a>`));
    const paid = await reloadPayment(scene.gw.database, payment.trxId);
    const landed = assertReturnUrl(url, cents.paymentReturnUrl!, cents, paid, '2');
    assert.equal(landed.searchParams.get('bill_total'), (paid.amount * 100n).toString(), 'two implied decimals');

    // A developer without a shop: the sandbox's demo return page reads the payment return and checks it.
    const sandboxReturn = `${scene.gw.url}${DEMO_RETURN_PATH}`;
    const moved = await inTransaction(scene.gw.database, (tx) => updateMerchant(tx, shop.merchantId, { paymentReturnUrl: sandboxReturn }));
    const demo = await scene.pay(moved!, phone, 12_000n);
    const back = handOff(await payWithPin(new FormClient(), demo.url), moved!);
    assert.ok(back.startsWith(`${sandboxReturn}?trx_id=`));
    const shown = await (await fetch(back)).text();
    assert.match(shown, /Demo shop: payment result/);
    assert.match(shown, new RegExp(`<th scope="row">trx_id</th><td>${demo.trxId}</td>`));
    assert.match(shown, /The signature is valid\./);
    const forged = new URL(back);
    forged.searchParams.set('status', '8');
    assert.match(await (await fetch(forged)).text(), /The signature does not match\./);
  });
}
