// Proves that a customer in a real Chromium pays through the hosted PIN page: it shows the cash/points split of a pay_type 2 payment, styled and without any CSP violation, a wrong PIN shows an error, the right PIN shows the receipt — and that a second payment cancelled with the Cancel button shows cancelled and gives the held balance back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPin } from '../src/domain/pin.ts';
import { createLink } from '../src/store/links.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findPayment } from '../src/store/payments.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { insertWallet, walletBalances } from '../src/store/wallets.ts';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { callOperation, startTestGateway } from './support/gateway.ts';

const PIN = '135790';
const PHONE = '081311112222';
const OPENING = { cash: 500_000n, points: 20_000n };
const PURPLE = 'rgb(76, 42, 134)';
/** Where the screenshots go, for a person to look at. */
const SHOT_DIR = process.env.OVO_SCREENSHOT_DIR ?? join(tmpdir(), 'ovo-screenshots');

const SHOP: MerchantInput = { merchantId: '32001', name: 'Warung Nasi Bu Tini', userId: 'bot32001', password: 'secret-32001' };

test('a real browser pays through the hosted PIN page (wrong PIN, right PIN, receipt) and cancels a second payment', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const gw = await startTestGateway('sqlite', { merchants: [SHOP] });
  const wallet = await inTransaction(gw.database, async (tx) => {
    const now = gw.clock.now();
    const w = await insertWallet(tx, { phone: PHONE, name: 'Budi', pinHash: await hashPin(PIN, gw.gateway.ctx.config.pinPepper), ...OPENING, sandbox: true }, now);
    await createLink(tx, { merchantId: SHOP.merchantId, walletId: w.id, phoneVersion: w.phoneVersion, now, ttlS: 3600 });
    return w;
  });
  let serial = 0;
  const pay = async (total: bigint) => {
    serial += 1;
    const reply = await callOperation(gw.url, 'payment', {
      merchant_id: SHOP.merchantId, bill_no: `ORDER-${serial}`, bill_desc: 'Nasi campur + es teh', bill_total: String(total),
      bill_currency: 'IDR', payment_channel: '720', phone_no: PHONE, cust_name: 'Budi', email: 'budi@example.com', pay_type: '2',
    }, 'json', SHOP);
    assert.equal(reply.body.response_code, '00', reply.raw);
    return { trxId: reply.body.trx_id as string, url: reply.body.redirectURL as string };
  };

  const first = await pay(65_000n);
  await withPage(browser, async (page) => {
    page.setDefaultTimeout(5_000);
    const problems = watchPageProblems(page);
    await page.goto(first.url);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Confirm your payment');
    const header = await page.locator('header.topbar').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(header, PURPLE, 'the stylesheet is applied');
    const details = await page.locator('table.table').innerText();
    assert.match(details, /Warung Nasi Bu Tini/);
    assert.match(details, /Rp 65\.000/);
    assert.match(details, /OVO Cash Rp 45\.000/, 'points first, the rest in cash');
    assert.match(details, /OVO Points 20\.000/);
    assert.match(details, /0813\*\*\*\*2222/);
    const pin = page.getByLabel('OVO PIN');
    assert.equal(await pin.getAttribute('type'), 'password');
    assert.equal(await pin.getAttribute('inputmode'), 'numeric');
    assert.ok(await pin.evaluate((el) => el === document.activeElement), 'the PIN field has focus');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, 'no horizontal scrolling on a phone');
    mkdirSync(SHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOT_DIR, 'payment-pin.png'), fullPage: true });

    await pin.fill('999999');
    await page.getByRole('button', { name: 'Pay Rp 65.000' }).click();
    await page.waitForLoadState();
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /Wrong PIN\. 4 attempts left/);
    assert.equal(await page.getByLabel('OVO PIN').inputValue(), '', 'a wrong PIN is not echoed back');
    await page.screenshot({ path: join(SHOT_DIR, 'payment-wrong-pin.png'), fullPage: true });

    await page.getByLabel('OVO PIN').fill(PIN);
    await page.getByRole('button', { name: 'Pay Rp 65.000' }).click();
    await page.waitForURL(first.url);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment successful');
    const receipt = await page.locator('table.table').innerText();
    assert.ok(receipt.includes(first.trxId), 'the receipt shows trx_id');
    assert.match(receipt, /OVO Cash Rp 45\.000/);
    assert.match(receipt, /OVO Points 20\.000/);
    assert.match(await page.locator('main').innerText(), /You can return to Warung Nasi Bu Tini\./);
    await page.screenshot({ path: join(SHOT_DIR, 'payment-receipt.png'), fullPage: true });
    // Reloading the receipt re-sends nothing.
    await page.reload();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment successful');
    // The wrong PIN's page is deliberately a 422 (Chromium logs the status); nothing else may go wrong.
    assert.deepEqual(problems, ['console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
  }, { viewport: { width: 390, height: 844 } });
  assert.equal((await findPayment(gw.database.db, first.trxId))!.status, 'SUCCESS');
  const afterFirst = await walletBalances(gw.database.db, wallet);
  assert.deepEqual(afterFirst, { cash: OPENING.cash - 45_000n, points: 0n });

  const second = await pay(30_000n);
  assert.deepEqual(await walletBalances(gw.database.db, wallet), { cash: afterFirst.cash - 30_000n, points: 0n }, 'held');
  await withPage(browser, async (page) => {
    page.setDefaultTimeout(5_000);
    const problems = watchPageProblems(page);
    await page.goto(second.url);
    assert.match(await page.locator('table.table').innerText(), /OVO Cash Rp 30\.000/);
    await page.getByRole('button', { name: 'Cancel payment' }).click();
    await page.waitForURL(second.url);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment cancelled');
    assert.match(await page.getByRole('status').first().innerText(), /No money was taken/);
    assert.equal(await page.locator('form').count(), 0);
    await page.screenshot({ path: join(SHOT_DIR, 'payment-cancelled.png'), fullPage: true });
    assert.deepEqual(problems, []);
  }, { viewport: { width: 390, height: 844 } });
  assert.equal((await findPayment(gw.database.db, second.trxId))!.status, 'CANCELLED');
  assert.deepEqual(await walletBalances(gw.database.db, wallet), afterFirst, 'the cancelled payment gave its hold back');
});
