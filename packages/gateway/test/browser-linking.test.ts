// Proves in a real Chromium, on SQLite and PostgreSQL, that a customer links an OVO account through the hosted page (a wrong code and a wrong PIN are shown, the right ones link and the browser lands on the merchant's return URL with a verifiable result), that five wrong PINs lock the PIN across sessions, and that the page works with JavaScript disabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationCallbackSignature } from '@ovo-tokenize/protocol';
import type { Browser, Page } from 'playwright-core';
import type { MerchantInput } from '../src/store/merchants.ts';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { activate, provisionMerchant, readOtp, startReceiver, startTestGateway, type Receiver, type TestGateway } from './support/gateway.ts';

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** Submits the form holding `selector`'s button and waits for the next page. */
async function submit(page: Page, buttonText: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.getByRole('button', { name: buttonText }).click()]);
}

async function alertText(page: Page): Promise<string> {
  return (await page.getByRole('alert').first().textContent()) ?? '';
}

/** The markup contract, checked in the DOM: labelled inputs, one submit button per form. */
async function checkMarkup(page: Page): Promise<void> {
  const report = await page.evaluate(() => {
    const forms = Array.from(document.querySelectorAll('form')).map((f) => f.querySelectorAll('button[type=submit]').length);
    const unlabelled = Array.from(document.querySelectorAll('input:not([type=hidden])'))
      .filter((i) => ((i as HTMLInputElement).labels?.length ?? 0) === 0).map((i) => i.outerHTML);
    return { forms, unlabelled };
  });
  assert.ok(report.forms.length > 0);
  assert.deepEqual(report.forms, report.forms.map(() => 1), 'each form has exactly one submit button');
  assert.deepEqual(report.unlabelled, [], 'every input has a label');
}

interface Setup {
  gw: TestGateway;
  receiver: Receiver;
  browser: Browser;
}

let seq = 0;

async function merchantFor(s: Setup): Promise<MerchantInput & { merchantId: string }> {
  const id = String(81000 + seq++);
  const merchant = {
    merchantId: id, name: `Browser Shop ${id}`, userId: `bot${id}`, password: `pw-${id}`,
    callbackUrl: `${s.receiver.url}/cb/${id}`, returnUrl: `${s.receiver.url}/return/${id}`,
  };
  await provisionMerchant(s.gw.database, merchant);
  return merchant;
}

/** The whole happy path with one wrong code and one wrong PIN on the way; ends on the merchant's return page. */
async function linkInBrowser(s: Setup, page: Page, phone: string, javaScript: boolean): Promise<void> {
  const merchant = await merchantFor(s);
  const problems = watchPageProblems(page);
  const url = await activate(s.gw.url, merchant, phone);
  await page.goto(url);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Link your OVO account');
  assert.match(await page.locator('.lead').textContent() ?? '', new RegExp(`${merchant.name}.*${phone.slice(0, 4)}\\*{4}${phone.slice(-4)}`));
  await checkMarkup(page);

  const otp = await readOtp(s.gw.url, phone);
  await page.getByLabel('Verification code').fill(otherCode(otp));
  await submit(page, 'Verify code');
  assert.match(await alertText(page), /Wrong code\. 4 attempts left\./);
  await page.getByLabel('Verification code').fill(otp);
  await submit(page, 'Verify code');

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter your OVO PIN');
  const pin = page.getByLabel('OVO PIN');
  assert.equal(await pin.getAttribute('type'), 'password');
  assert.equal(await pin.getAttribute('inputmode'), 'numeric');
  await checkMarkup(page);
  await pin.fill('654321');
  await submit(page, 'Link account');
  assert.match(await alertText(page), /Wrong PIN\. 4 attempts left before your PIN is locked for 30 minutes\./);
  await page.getByLabel('OVO PIN').fill('123456');
  await submit(page, 'Link account');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Account linked');

  // The result page sends the browser on by itself (meta refresh: no script needed).
  const returnUrl = `${s.receiver.url}/return/${merchant.merchantId}`;
  await page.waitForURL((u) => u.href.startsWith(`${returnUrl}?`), { timeout: 10_000 });
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('response_code'), '00');
  assert.equal(landed.searchParams.get('phone_number'), phone);
  assert.equal(landed.searchParams.get('signature'), activationCallbackSignature(merchant.userId, merchant.password, phone, '00'));
  assert.equal(await page.locator('h1').textContent(), `merchant page /return/${merchant.merchantId}`);

  const callback = await s.receiver.waitFor(`/cb/${merchant.merchantId}`);
  assert.equal(callback.query.get('response_code'), '00');
  assert.equal(callback.query.get('signature'), landed.searchParams.get('signature'));
  // A wrong entry re-renders the step with 422, which Chromium logs for the document; nothing else may fail.
  const unexpected = problems.filter((p) => !p.includes(s.receiver.url) && !/Failed to load resource: the server responded with a status of 422/.test(p));
  assert.deepEqual(unexpected, [], `page problems (JavaScript ${javaScript ? 'on' : 'off'})`);
}

// One browser; the databases and the flows run side by side in their own contexts (each flow mostly waits
// on the result page's 3-second refresh).
test('linking in Chromium', { concurrency: true }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  await Promise.all(DATABASE_KINDS.map((kind) => t.test(kind, { concurrency: true }, async (t) => {
    const s: Setup = { gw: await startTestGateway(kind), receiver: await startReceiver(), browser };

    await Promise.all([t.test('the whole flow, with a wrong code and a wrong PIN on the way, lands on the return URL', async () => {
      await withPage(browser, (page) => linkInBrowser(s, page, '081400000001', true));
    }),

    t.test('the same flow works with JavaScript disabled', async () => {
      await withPage(browser, async (page) => {
        await page.setContent('<title>before</title><script>document.title = "script ran"</script>');
        assert.equal(await page.title(), 'before', 'JavaScript is really off');
        await linkInBrowser(s, page, '081400000002', false);
      }, { javaScriptEnabled: false });
    }),

    t.test('five wrong PINs lock the PIN; a new session is refused even with the right PIN', async () => {
      const merchant = await merchantFor(s);
      const phone = '081400000003';
      const enterOtp = async (page: Page) => {
        await page.getByLabel('Verification code').fill(await readOtp(s.gw.url, phone));
        await submit(page, 'Verify code');
      };
      await withPage(browser, async (page) => {
        await page.goto(await activate(s.gw.url, merchant, phone));
        await enterOtp(page);
        for (const left of [4, 3, 2, 1]) {
          await page.getByLabel('OVO PIN').fill('000000');
          await submit(page, 'Link account');
          assert.match(await alertText(page), new RegExp(`Wrong PIN\\. ${left} attempts? left`));
        }
        await page.getByLabel('OVO PIN').fill('000000');
        await submit(page, 'Link account');
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Linking failed');
        assert.match(await alertText(page), /PIN locked after too many wrong attempts/);
        assert.equal(await page.locator('form').count(), 0);
      });
      await withPage(browser, async (page) => {
        await page.goto(await activate(s.gw.url, merchant, phone));
        await enterOtp(page);
        await page.getByLabel('OVO PIN').fill('123456');
        await submit(page, 'Link account');
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Linking failed');
        assert.match(await alertText(page), /PIN locked after too many wrong attempts/);
        await page.waitForURL((u) => u.href.startsWith(`${s.receiver.url}/return/${merchant.merchantId}?`), { timeout: 10_000 });
        assert.equal(new URL(page.url()).searchParams.get('response_code'), '01');
      });
      const callbacks = await Promise.all([1, 2].map((n) => s.receiver.waitFor(`/cb/${merchant.merchantId}`, n)));
      assert.deepEqual(callbacks.map((c) => c.query.get('response_code')), ['01', '01']);
      const links = await s.gw.database.db.selectFrom('links').select('id').where('merchant_id', '=', merchant.merchantId).execute();
      assert.equal(links.length, 0);
    })]);
  })));
});
