// Proves in a real Chromium that the hard cases the shop's README sets up with the sandbox tools show what the
// README says, on the shop's own pages: a customer links through the shop, then the test arms scenarios over
// the gateway's real /sandbox API (as the README's curl lines do) and the customer sees an insufficient balance
// refusal, "Link again" after the link expired (and links again), and an order the gateway's advanced clock
// expired. SQLite and PostgreSQL, each with a real gateway and a real shop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startGateway } from '../../../packages/gateway/src/server.ts';
import { insertMerchant } from '../../../packages/gateway/src/store/merchants.ts';
import { inTransaction } from '../../../packages/gateway/src/store/transaction.ts';
import { launchBrowser, watchPageProblems, withPage } from '../../../packages/gateway/test/support/browser.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from '../../../packages/gateway/test/support/databases.ts';
import { startMerchantStore, type ShopEvent } from '../src/index.ts';
import { clickAndWait, heading, linkOnGateway, waitForOrderStatus } from './shop-browser.ts';

const MERCHANT = { merchantId: '77001', name: 'Kedai Kopi Nusantara', userId: 'bot77001', password: 'kopi-77001' } as const;
const PHONE = '081234567890';

/** What the README's curl lines do: a JSON POST to the gateway's sandbox API; answers the parsed body. */
async function sandboxPost(gatewayUrl: string, path: string, body: object, expectedStatus: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${gatewayUrl}/sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, expectedStatus, `POST /sandbox${path} answered ${JSON.stringify(answer)}`);
  return answer;
}

/** Buys a product paid with OVO Cash; answers once the browser has landed wherever the shop sent it. */
async function buy(page: Page, shopUrl: string, product: string): Promise<void> {
  await page.goto(shopUrl);
  const card = page.getByRole('article', { name: product });
  await card.getByLabel('OVO Cash').check();
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), card.getByRole('button', { name: 'Pay with OVO' }).click()]);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the README's sandbox scenarios show on the shop: insufficient balance, Link again after expire_link, an order expired by the test clock`, async (t) => {
    const browser = await launchBrowser(t);
    if (browser === undefined) return;
    const { url: databaseUrl, drop } = await createTestDatabaseUrl(kind);
    t.after(drop);
    const gateway = await startGateway({
      config: { port: 0, host: '127.0.0.1', sandbox: true, databaseUrl },
      logger: false,
      delivery: { pollIntervalMs: 100, backoffBaseMs: 200 },
    });
    t.after(() => gateway.close());
    const events: ShopEvent[] = [];
    const shop = await startMerchantStore({
      gatewayUrl: gateway.url, merchantId: MERCHANT.merchantId, merchantName: MERCHANT.name, userId: MERCHANT.userId,
      password: MERCHANT.password, port: 0, onEvent: (e) => events.push(e),
    });
    t.after(() => shop.close());
    await inTransaction(gateway.ctx.database, (tx) => insertMerchant(tx, { ...MERCHANT, ...shop.merchantUrls }, Date.now()));

    let expiredBillNo: string | undefined;
    await withPage(browser, async (page) => {
      page.setDefaultTimeout(10_000);
      const problems = watchPageProblems(page);
      const ovoPanel = page.locator('section.ovo');

      // Sign in and link through the shop, as the README's "Run it" says.
      await page.goto(shop.url);
      await page.getByLabel('Mobile number').fill(PHONE);
      await page.getByLabel('Your name').fill('Sari Wulandari');
      await page.getByLabel('Email').fill('sari@example.com');
      await clickAndWait(page, 'Continue');
      await clickAndWait(page, 'Link OVO');
      await linkOnGateway(page, gateway.url, shop.url, PHONE);
      assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 1.000.000');

      // (a) set_balance: cash Rp 5.000, so Es Kopi Susu (Rp 25.000) is refused with the insufficient balance message.
      const low = await sandboxPost(gateway.url, '/scenarios', { type: 'set_balance', phone_no: PHONE, cash: 5000, points: 0 }, 201);
      assert.equal((low.scenario as { state: string }).state, 'applied');
      await page.goto(shop.url);
      assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 5.000');
      await buy(page, shop.url, 'Es Kopi Susu');
      assert.match(new URL(page.url()).pathname, /^\/orders\//, 'refused at once: back on the shop\'s order page, no PIN page');
      assert.equal(await page.locator('.details [data-status]').innerText(), 'Refused by OVO');
      assert.match(await page.getByRole('alert').innerText(),
        /Insufficient balance: the payment needs Rp 25000, the customer has cash balance Rp 5000\. Nothing was charged/);
      await sandboxPost(gateway.url, '/scenarios', { type: 'set_balance', phone_no: PHONE, cash: 1_000_000, points: 50_000 }, 201);

      // (b) expire_link: the shop's next balance call answers 02, and the panel offers Link again; linking again works.
      await sandboxPost(gateway.url, '/scenarios', { type: 'expire_link', phone_no: PHONE, merchant_id: MERCHANT.merchantId }, 201);
      await page.goto(shop.url);
      assert.match(await ovoPanel.innerText(), /Link ended/);
      const linkAgain = page.getByRole('link', { name: 'Link again' });
      assert.ok((await linkAgain.getAttribute('href'))?.startsWith(`${gateway.url}/activation/`), 'Link again goes to the gateway');
      assert.equal(await page.locator('[data-balance]').count(), 0, 'no balance while the link has ended');
      await Promise.all([page.waitForURL(`${gateway.url}/activation/**`), linkAgain.click()]);
      await linkOnGateway(page, gateway.url, shop.url, PHONE);
      assert.match(await ovoPanel.innerText(), /Linked · 0812\*\*\*\*7890/);
      assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 1.000.000');

      // (c) payment_outcome pending: the PIN page waits; nobody enters the PIN; advancing the gateway's clock past the
      // payment's 15 minutes expires it, and the notification (status 7) turns the order Expired.
      const pending = await sandboxPost(gateway.url, '/scenarios', { type: 'payment_outcome', phone_no: PHONE, outcome: 'pending', count: 1 }, 201);
      assert.equal((pending.scenario as { state: string }).state, 'armed');
      await buy(page, shop.url, 'Roti Bakar Keju');
      assert.ok(page.url().startsWith(`${gateway.url}/pay/`), `on the gateway's PIN page, not ${page.url()}`);
      assert.equal(await heading(page), 'Confirm your payment');
      const order = shop.state.ordersOf(PHONE)[0]!;
      expiredBillNo = order.billNo;
      const orderUrl = `${shop.url}/orders/${order.billNo}`;
      await page.goto(orderUrl);
      assert.equal(await page.locator('.details [data-status]').innerText(), 'Waiting for payment');
      const advanced = await sandboxPost(gateway.url, '/clock/advance', { seconds: 900 }, 200);
      assert.equal(advanced.offset_seconds, 900);
      await waitForOrderStatus(page, orderUrl, 'expired');
      assert.equal(await page.locator('.details [data-status]').innerText(), 'Expired');
      assert.match(await page.getByRole('alert').innerText(), /^Expired: Payment Expired\. Nothing was charged for this order\.$/);
      await page.goto(shop.url);
      assert.equal(await page.locator(`tr[data-bill-no="${order.billNo}"] [data-status]`).innerText(), 'Expired');
      assert.equal(await page.locator('[data-balance=cash]').innerText(), 'Rp 1.000.000', 'the expired payment\'s hold was released');

      assert.deepEqual(problems, []);
    });

    assert.ok(events.some((e) => e.kind === 'notification' && e.billNo === expiredBillNo && e.orderStatus === 'expired'),
      'the shop verified the status 7 notification that expired the order');
    assert.deepEqual(events.filter((e) => e.kind === 'rejected'), [], 'the shop refused nothing the gateway sent');
  });
}
