// Proves in a real Chromium that the example shop's whole story works against a real gateway (XML on the wire): a customer signs in, links OVO on the gateway's page and comes back linked with the balance shown, buys with points then cash on the gateway's PIN page, is handed back to the shop's payment return page ("we are confirming your payment", a forged return refused), sees the order wait until the notification marks it paid, unlinks, meets the relink path on the next purchase, links again and pays that same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startGateway } from '../../../packages/gateway/src/server.ts';
import { insertMerchant } from '../../../packages/gateway/src/store/merchants.ts';
import { inTransaction } from '../../../packages/gateway/src/store/transaction.ts';
import { launchBrowser, watchPageProblems, withPage } from '../../../packages/gateway/test/support/browser.ts';
import { startMerchantStore, type ShopEvent } from '../src/index.ts';
import { SANDBOX_PIN, clickAndWait, heading, linkOnGateway, waitForOrderStatus } from './shop-browser.ts';

const MERCHANT = { merchantId: '77101', name: 'Kedai Kopi Nusantara', userId: 'bot77101', password: 'kopi-77101' } as const;
const PHONE = '081234567890';
const SHOT_DIR = process.env.OVO_SCREENSHOT_DIR ?? join(tmpdir(), 'ovo-screenshots');

/** On the gateway's payment page: checks what is shown, enters the PIN, waits for the receipt. */
async function payOnGateway(page: Page, gatewayUrl: string, amount: string, split: RegExp): Promise<void> {
  assert.ok(page.url().startsWith(`${gatewayUrl}/pay/`), `on the gateway's payment page, not ${page.url()}`);
  assert.equal(await heading(page), 'Confirm your payment');
  assert.match(await page.locator('table.table').innerText(), split);
  await page.getByLabel('OVO PIN').fill(SANDBOX_PIN);
  await clickAndWait(page, `Pay ${amount}`);
  assert.equal(await heading(page), 'Payment successful');
}

test('a customer in Chromium links OVO, pays with points and cash, sees the order paid on notification, unlinks and relinks', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const directory = mkdtempSync(join(tmpdir(), 'ovo-shop-test-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const gateway = await startGateway({
    config: { port: 0, host: '127.0.0.1', sandbox: true, databaseUrl: `sqlite:${join(directory, 'ovo.sqlite')}` },
    logger: false,
    delivery: { pollIntervalMs: 100, backoffBaseMs: 200 },
  });
  t.after(() => gateway.close());
  const events: ShopEvent[] = [];
  const shop = await startMerchantStore({
    gatewayUrl: gateway.url, merchantId: MERCHANT.merchantId, merchantName: MERCHANT.name, userId: MERCHANT.userId,
    password: MERCHANT.password, format: 'xml', port: 0, onEvent: (e) => events.push(e),
  });
  t.after(() => shop.close());
  await inTransaction(gateway.ctx.database, (tx) => insertMerchant(tx, { ...MERCHANT, ...shop.merchantUrls, notifyFormat: 'xml' }, Date.now()));
  mkdirSync(SHOT_DIR, { recursive: true });

  await withPage(browser, async (page) => {
    page.setDefaultTimeout(10_000);
    const problems = watchPageProblems(page);

    // Sign in with a number written the way people write it.
    await page.goto(shop.url);
    assert.equal(await heading(page), 'Good coffee, paid with OVO');
    const stylesheet = await page.locator('header.topbar').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(stylesheet, 'rgb(111, 63, 29)', 'the shop stylesheet is applied');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-sign-in.png'), fullPage: true });
    await page.getByLabel('Mobile number').fill('0812-3456-7890');
    await page.getByLabel('Your name').fill('Andrea Hinata');
    await page.getByLabel('Email').fill('andrea@example.com');
    await clickAndWait(page, 'Continue');
    const ovoPanel = page.locator('section.ovo');
    assert.match(await ovoPanel.innerText(), /Not linked/);
    assert.match(await page.locator('.who').innerText(), /Andrea Hinata\s+0812\*\*\*\*7890/);

    // Link: to the gateway and back.
    await clickAndWait(page, 'Link OVO');
    await linkOnGateway(page, gateway.url, shop.url, PHONE);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.getByRole('status').first().innerText(), /Your OVO account is linked/);
    assert.match(await ovoPanel.innerText(), /Linked · 0812\*\*\*\*7890/);
    assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 1.000.000');
    assert.equal(await page.locator('[data-balance=points]').innerText(), '50.000');
    assert.ok(events.some((e) => e.kind === 'activation' && e.via === 'callback' && e.linked), 'the server-to-server callback arrived and verified');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-linked.png'), fullPage: true });

    // Buy Kopi Gayo (Rp 65.000) with points first, then cash.
    const card = page.getByRole('article', { name: 'Kopi Gayo 250 g' });
    await card.getByLabel('Points first, then Cash').check();
    await Promise.all([page.waitForURL(`${gateway.url}/pay/**`), card.getByRole('button', { name: 'Pay with OVO' }).click()]);
    const order = shop.state.ordersOf(PHONE)[0]!;
    assert.equal(order.payType, 'pointsThenCash');
    const orderUrl = `${shop.url}/orders/${order.billNo}`;

    // Accepted by the gateway is not paid: the shop waits for the notification.
    const peek = await page.context().newPage();
    await peek.goto(orderUrl);
    assert.equal(await peek.locator('.details [data-status]').innerText(), 'Waiting for payment');
    assert.match(await peek.getByRole('status').innerText(), /turns Paid as soon as OVO notifies us/);
    assert.equal(await peek.getByRole('link', { name: 'Open the OVO payment page' }).getAttribute('href'), page.url());
    await peek.screenshot({ path: join(SHOT_DIR, 'shop-order-waiting.png'), fullPage: true });
    // A forged return saying "paid" is refused and marks nothing.
    const forged = new URLSearchParams({ trx_id: '1', merchant_id: MERCHANT.merchantId, merchant: MERCHANT.name, bill_no: order.billNo,
      bill_reff: order.billNo, bill_total: '65000', payment_reff: '1', payment_date: '2025-01-01 00:00:00', status: '2', signature: '0'.repeat(40) });
    const refused = await peek.goto(`${shop.url}/ovo/payment-return?${forged}`);
    assert.equal(refused?.status(), 400);
    assert.equal(order.status, 'awaiting_payment');
    await peek.close();

    await payOnGateway(page, gateway.url, 'Rp 65.000', /OVO Cash Rp 15\.000\s+OVO Points 50\.000/);
    // The gateway's page hands the customer back to the shop's payment return URL by itself (meta refresh);
    // the shop verifies it and shows the order, which only the notification marks paid.
    await page.waitForURL(orderUrl, { timeout: 10_000 });
    assert.match(await page.locator('.flash').first().innerText(), /^Thanks — we are confirming your payment\. OVO's payment page says: Paid \(status 2\)\.$/);
    const returned = events.find((e) => e.kind === 'paymentReturn' && e.billNo === order.billNo);
    assert.ok(returned && returned.kind === 'paymentReturn' && returned.status === '2', 'the shop verified the payment return');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-payment-return.png'), fullPage: true });
    await waitForOrderStatus(page, orderUrl, 'paid');
    assert.match(await page.getByRole('status').innerText(), /^Paid at .*Thank you/);
    const notified = events.find((e) => e.kind === 'notification' && e.billNo === order.billNo);
    assert.ok(notified && notified.kind === 'notification' && notified.orderStatus === 'paid', 'the verified notification marked it paid');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-order-paid.png'), fullPage: true });

    await page.goto(shop.url);
    assert.equal(await page.locator(`tr[data-bill-no="${order.billNo}"] [data-status]`).innerText(), 'Paid');
    assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 985.000');
    assert.equal(await page.locator('[data-balance=points]').innerText(), '0');

    // Unlink.
    await clickAndWait(page, 'Unlink OVO');
    assert.match(await page.getByRole('status').first().innerText(), /no longer linked/);
    assert.match(await ovoPanel.innerText(), /Not linked/);
    assert.equal(await page.locator('[data-balance]').count(), 0, 'no balance without a link');

    // The next purchase meets 02: nothing charged, "Link again" to the gateway.
    const roti = page.getByRole('article', { name: 'Roti Bakar Keju' });
    await Promise.all([page.waitForURL(`${shop.url}/orders/**`), roti.getByRole('button', { name: 'Pay with OVO' }).click()]);
    assert.match(await page.getByRole('alert').innerText(), /link between your OVO account and this shop has ended\. Nothing was charged/);
    assert.equal(await page.locator('.details [data-status]').innerText(), 'Link OVO to pay');
    const linkAgain = page.getByRole('link', { name: 'Link again' });
    assert.ok((await linkAgain.getAttribute('href'))?.startsWith(`${gateway.url}/activation/`), 'Link again goes to the gateway');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-relink.png'), fullPage: true });
    const rotiOrder = shop.state.ordersOf(PHONE)[0]!;
    assert.equal(rotiOrder.status, 'link_required');

    // Relink, come back to the same order, pay it.
    await Promise.all([page.waitForURL(`${gateway.url}/activation/**`), linkAgain.click()]);
    await linkOnGateway(page, gateway.url, shop.url, PHONE);
    assert.equal(page.url(), `${shop.url}/orders/${rotiOrder.billNo}`, 'back at the order that needed the link');
    await clickAndWait(page, 'Pay Rp 18.000 with OVO');
    await payOnGateway(page, gateway.url, 'Rp 18.000', /OVO Cash Rp 18\.000/);
    await waitForOrderStatus(page, `${shop.url}/orders/${rotiOrder.billNo}`, 'paid');

    await page.goto(shop.url);
    assert.deepEqual(await page.locator('table.orders [data-status]').allInnerTexts(), ['Paid', 'Paid']);
    assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 967.000');
    await page.screenshot({ path: join(SHOT_DIR, 'shop-home.png'), fullPage: true });

    // The same page on a phone: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (${overflow}px)`);
    await page.screenshot({ path: join(SHOT_DIR, 'shop-home-phone.png'), fullPage: true });

    assert.deepEqual(problems, []);
  }, { viewport: { width: 1280, height: 900 } });

  assert.deepEqual(events.filter((e) => e.kind === 'rejected').map((e) => e.summary), ['payment return refused: payment return signature does not match (wrong user id or password, or altered)'],
    'nothing forged or unreadable got past the shop, and only the test\'s forgery was refused');
});
