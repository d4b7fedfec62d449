// Proves a real Chromium with JavaScript turned off can use the wallet app end to end — sign in, top up, unlink a shop, change the phone number, sign out — with every page styled and no CSP violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestSignature } from '@ovo-tokenize/protocol';
import { startGateway } from '../src/server.ts';
import { findOrCreateSandboxWallet } from '../src/services/sandbox-wallets.ts';
import { hold, voidHold } from '../src/store/ledger.ts';
import { createLink } from '../src/store/links.ts';
import { listSmsMessages } from '../src/store/sms-messages.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { findWallet } from '../src/store/wallets.ts';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { openTestDatabase } from './support/databases.ts';

test('a customer signs in, tops up, unlinks a shop and changes the phone number in Chromium without JavaScript', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const database = await openTestDatabase('sqlite');
  const gateway = await startGateway({ database, config: { port: 0, sandbox: true } });
  t.after(async () => {
    await gateway.close();
    await database.close();
  });
  const shop = gateway.demoMerchant!;
  const wallet = await findOrCreateSandboxWallet(gateway.ctx, '081234567890', 'Andrea Hinata');
  await inTransaction(database, async (tx) => {
    await createLink(tx, { merchantId: shop.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: Date.now(), ttlS: 3600 });
    // An earlier payment that was held, then cancelled, so the history shows more than opening balances.
    const held = await hold(tx, { debitAccountId: wallet.cashAccountId, creditAccountId: shop.settlementAccountId, amount: 35_000n, reference: 'payment:8800000000000001', now: Date.now() });
    await voidHold(tx, held, Date.now());
  });
  const latestCode = async (phone: string) => {
    const [sms] = await listSmsMessages(database.db, phone, 1);
    assert.ok(sms, `an SMS went to ${phone}`);
    return /\b([0-9]{6})\b/.exec(sms.text)![1]!;
  };

  await withPage(browser, async (page) => {
    const problems = watchPageProblems(page);
    await page.goto(`${gateway.url}/wallet`);
    assert.equal(await page.locator('h1').textContent(), 'Sign in to OVO');
    // The wallet stylesheet applies: the page is not unstyled HTML.
    assert.equal(await page.locator('.wallet-nav, .balance-card').count(), 0);
    await page.getByLabel('Phone number').fill('0812 3456 7890');
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Enter verification code');
    await page.getByLabel('Verification code').fill(await latestCode('081234567890'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByLabel('OVO PIN').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.locator('.field__error').textContent() ?? '', /Wrong PIN\. 4 attempts left/);
    await page.getByLabel('OVO PIN').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();

    assert.equal(await page.locator('h1').textContent(), 'Hi, Andrea');
    assert.equal(await page.getByTestId('cash-balance').textContent(), 'Rp 1.000.000');
    assert.equal(await page.getByTestId('points-balance').textContent(), '50.000');
    const card = page.locator('.balance-card');
    assert.equal(await card.evaluate((el) => getComputedStyle(el).color), 'rgb(255, 255, 255)', 'wallet.css is applied');
    const screenshot = await page.screenshot({ fullPage: true });
    assert.ok(screenshot.length > 10_000);
    if (process.env.OVO_SCREENSHOT_DIR) {
      mkdirSync(process.env.OVO_SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'wallet-home.png'), screenshot);
    }

    // Top up from the tab; a reload afterwards does not top up again.
    await page.getByRole('navigation', { name: 'OVO app' }).getByRole('link', { name: 'Top up' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Top up OVO Cash');
    await page.getByLabel('Amount (Rp)').fill('5000');
    await page.getByRole('button', { name: 'Top up', exact: true }).click();
    assert.match(await page.locator('.field__error').textContent() ?? '', /Rp 10\.000 to Rp 10\.000\.000/);
    await page.getByLabel('Amount (Rp)').fill('250.000');
    await page.getByRole('button', { name: 'Top up', exact: true }).click();
    assert.equal(new URL(page.url()).pathname, '/wallet');
    assert.match(await page.locator('.notice--success').textContent() ?? '', /Rp 250\.000 was added/);
    assert.equal(await page.getByTestId('cash-balance').textContent(), 'Rp 1.250.000');
    await page.reload();
    assert.equal(await page.getByTestId('cash-balance').textContent(), 'Rp 1.250.000');
    assert.equal(await page.locator('.tx__title').first().textContent(), 'Top up');
    if (process.env.OVO_SCREENSHOT_DIR) {
      writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'wallet-home-after-topup.png'), await page.screenshot({ fullPage: true }));
    }

    // Unlink the shop.
    await page.getByRole('link', { name: 'Linked shops' }).click();
    assert.equal(await page.locator('.merchant__name').first().textContent(), shop.name);
    if (process.env.OVO_SCREENSHOT_DIR) {
      writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'wallet-merchants.png'), await page.screenshot({ fullPage: true }));
    }
    await page.getByRole('button', { name: `Unlink ${shop.name}` }).click();
    assert.match(await page.locator('.notice--success').textContent() ?? '', /is unlinked/);
    assert.equal(await page.locator('.merchant').count(), 0);

    // Change the phone number: code to the new number, then the PIN.
    await page.getByRole('link', { name: 'Phone', exact: true }).click();
    await page.getByLabel('New phone number').fill('081399990000');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Verification code').fill(await latestCode('081399990000'));
    await page.getByRole('button', { name: 'Verify' }).click();
    if (process.env.OVO_SCREENSHOT_DIR) {
      writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'wallet-phone-pin.png'), await page.screenshot({ fullPage: true }));
    }
    await page.getByLabel('OVO PIN').fill('123456');
    await page.getByRole('button', { name: 'Change phone number' }).click();
    assert.match(await page.locator('.notice--success').textContent() ?? '', /Your OVO phone number is now 081399990000/);
    const changed = (await findWallet(database.db, wallet.id))!;
    assert.equal(changed.phone, '081399990000');
    assert.equal(changed.phoneVersion, wallet.phoneVersion + 1n);

    await page.getByRole('button', { name: 'Sign out' }).click();
    assert.match(await page.locator('.notice').first().textContent() ?? '', /You have signed out/);
    // Chromium reports the two re-rendered forms (422: wrong PIN, amount too small) as failed loads; nothing else may appear.
    assert.deepEqual(problems.filter((p) => !/status of 422/.test(p)), []);
    assert.equal(problems.length, 2, problems.join('\n'));
  }, { javaScriptEnabled: false, viewport: { width: 412, height: 915 } });

  // The shop was unlinked (and the number changed): its balance call asks to relink.
  const res = await fetch(`${gateway.url}/ovo/balance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchant_id: shop.merchantId, payment_channel: '720', phone_no: '081399990000', signature: requestSignature(shop.userId, shop.password, '081399990000') }),
  });
  const reply = (await res.json()) as Record<string, unknown>;
  assert.equal(reply.response_code, '02');
  assert.match(String(reply.url), /\/activation\//);
});
