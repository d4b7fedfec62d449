// Proves, on SQLite and PostgreSQL in a real Chromium, that the sandbox's delivery inspector page finds a failed payment notification by its bill, shows the attempt the merchant answered 500 with its headers and its (hostile, escaped) body, sends it again with the same X-Notification-Id from its "Send again" button and then shows it delivered; that a resend posted from another site's page (or with another Origin) is refused and changes nothing; and that outside sandbox mode neither page exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { startInspectedShop } from './support/deliveries.ts';
import { startPaymentsGateway } from './support/payments.ts';

/** What the merchant's server says while it is broken: markup that must show as text, never run. */
const BROKEN_BODY = '<script>document.title="pwned"</script><b>maintenance</b>';
/** One attempt, then nothing more is due within the horizon: a refused notification fails at once. */
const FAIL_FAST = { config: { delivery_horizon_s: 1 }, delivery: { backoffBaseMs: 60_000, backoffMaxMs: 60_000 } };

async function reloadUntil(page: Page, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`the page did not come to show ${what}`);
    await new Promise((r) => setTimeout(r, 100));
    await page.reload();
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: in Chromium a failed notification is found by its bill, inspected, sent again and seen delivered`, async (t) => {
    const browser = await launchBrowser(t);
    if (!browser) return;
    const shop = await startInspectedShop(kind, FAIL_FAST);
    const { gw, receiver } = shop;
    receiver.answer = () => ({ httpStatus: 500, body: BROKEN_BODY });
    await shop.pay('INSP-1');
    await shop.pay('INSP-2');
    const failed = await shop.waitForStatus('INSP-1', 'failed');
    const untouched = await shop.waitForStatus('INSP-2', 'failed');
    const first = receiver.received.find((n) => n.fields.bill_no === 'INSP-1')!;

    await withPage(browser, async (page) => {
      const problems = watchPageProblems(page);
      await page.goto(`${gw.url}/sandbox/deliveries`);
      assert.equal(await page.locator('h1').textContent(), 'Deliveries');
      assert.equal(await page.locator('[data-testid=deliveries] tbody tr').count(), 2);
      assert.equal(await page.locator('.page').evaluate((el) => getComputedStyle(el).maxWidth), '1280px', 'inspector.css is applied');

      await page.getByLabel('Bill no.').fill('INSP-1');
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Filter' }).click();
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('bill_no'), 'INSP-1');
      const rows = page.locator('[data-testid=deliveries] tbody tr');
      assert.equal(await rows.count(), 1);
      assert.equal(await rows.locator('.status-badge').textContent(), 'failed');
      assert.match(await rows.textContent() ?? '', /HTTP 500/);
      assert.equal(await page.getByLabel('Bill no.').inputValue(), 'INSP-1', 'the form keeps its filters');

      await rows.getByRole('link', { name: String(failed.id) }).click();
      assert.equal(new URL(page.url()).pathname, `/sandbox/deliveries/${failed.id}`);
      assert.equal(await page.locator('h1').textContent(), `Delivery ${failed.id}`);
      assert.match(await page.locator('[data-testid=delivery]').textContent() ?? '', new RegExp(failed.notification_id));
      const attempt = page.locator('section.card').first();
      assert.equal(await attempt.locator('h2').textContent(), 'Attempt 1');
      assert.equal(await attempt.getByTestId('attempt-status').textContent(), '500');
      assert.equal(await attempt.getByTestId('attempt-response').textContent(), BROKEN_BODY, 'the answer shows as text');
      assert.match(await attempt.textContent() ?? '', new RegExp(`X-Notification-Id${failed.notification_id}`));
      assert.ok((await attempt.textContent() ?? '').includes(first.raw), 'the body as sent');
      assert.equal(await page.locator('script, b').count(), 0, 'no markup of the merchant\'s made it into the page');
      assert.notEqual(await page.title(), 'pwned');

      // The merchant's server is fixed; the delivery goes again from its page.
      receiver.answer = () => ({ responseCode: '00' });
      await page.getByRole('button', { name: 'Send again' }).click();
      assert.equal(new URL(page.url()).pathname, `/sandbox/deliveries/${failed.id}`, 'back to the delivery');
      assert.match(await page.locator('.notice--success').textContent() ?? '', /same X-Notification-Id/);
      await receiver.waitUntil((r) => r.filter((n) => n.fields.bill_no === 'INSP-1').length === 2, 'the notification sent again');
      await reloadUntil(page, 'the delivery delivered', async () => (await page.locator('[data-testid=delivery] .status-badge').textContent()) === 'delivered');
      assert.equal(await page.locator('section.card').first().locator('h2').textContent(), 'Attempt 2');
      assert.equal(await page.locator('section.card').first().getByTestId('attempt-status').textContent(), '200');
      assert.equal(await page.locator('section.card').count(), 2, 'both attempts are shown');
      assert.equal(await page.locator('.notice--success').count(), 1, 'a reload does not send it again, it only says so');
      assert.deepEqual(problems, []);
      if (process.env.OVO_SCREENSHOT_DIR) {
        mkdirSync(process.env.OVO_SCREENSHOT_DIR, { recursive: true });
        writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'delivery-detail.png'), await page.screenshot({ fullPage: true }));
        await page.goto(`${gw.url}/sandbox/deliveries`);
        writeFileSync(join(process.env.OVO_SCREENSHOT_DIR, 'delivery-list.png'), await page.screenshot({ fullPage: true }));
      }
    });
    const sent = receiver.received.filter((n) => n.fields.bill_no === 'INSP-1');
    assert.deepEqual(sent.map((n) => n.notificationId), [failed.notification_id, failed.notification_id]);
    assert.equal(sent[1]!.raw, first.raw);
    assert.equal(receiver.acknowledged().length, 1);

    // Another site's page with the same button: the browser says where the form came from, and it is refused.
    const elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>Elsewhere</title><form method="post" action="${gw.url}/sandbox/deliveries/${untouched.id}/resend"><button>Win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', () => resolve()));
    t.after(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));
    await withPage(browser, async (page) => {
      await page.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      const [response] = await Promise.all([page.waitForResponse(`${gw.url}/sandbox/deliveries/${untouched.id}/resend`), page.getByRole('button').click()]);
      assert.equal(response.status(), 403);
      assert.equal(await page.locator('h1').textContent(), 'Request refused');
    });
    for (const accept of ['text/html', 'application/json']) {
      const res = await fetch(`${gw.url}/sandbox/deliveries/${untouched.id}/resend`, {
        method: 'POST', headers: { accept, origin: 'https://elsewhere.example', 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(res.status, 403, accept);
      const body = await res.text();
      if (accept === 'application/json') assert.deepEqual(Object.keys(JSON.parse(body)), ['error']);
      else assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
    const after = await shop.detail(untouched.id);
    assert.equal(after.status, 'failed', 'a refused resend changes nothing');
    assert.equal(after.attempts.length, 1);
    assert.equal(receiver.received.filter((n) => n.fields.bill_no === 'INSP-2').length, 1);
  });
}

test('the inspector pages answer a bad or unknown delivery and bad filters with a page, with the security headers', async () => {
  const shop = await startInspectedShop('sqlite');
  const page = (path: string) => fetch(`${shop.gw.url}/sandbox/deliveries${path}`, { headers: { accept: 'text/html' } });
  for (const [path, status, text] of [
    ['?status=lost', 400, 'status must be one of'], ['?colour=red', 400, 'unknown filter'], ['/0', 400, 'its number or its notification id'],
    ['/999999', 404, 'There is no delivery 999999'], ['/%3Cb%3E', 400, 'its number or its notification id'], ['/ntf_missing', 404, 'There is no delivery ntf_missing'],
  ] as const) {
    const res = await page(path);
    assert.equal(res.status, status, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
    assert.equal(res.headers.get('cache-control'), 'no-store', path);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src|default-src 'none'/, path);
    assert.ok((await res.text()).includes(text), path);
  }
  const resend = await fetch(`${shop.gw.url}/sandbox/deliveries/999999/resend`, { method: 'POST', headers: { accept: 'text/html', 'sec-fetch-site': 'same-origin' } });
  assert.equal(resend.status, 404);
  assert.match(await resend.text(), /There is no delivery 999999/);
});

test('outside sandbox mode neither inspector page nor the resend form exists', async () => {
  const gw = await startPaymentsGateway('sqlite', { config: { sandbox: false } });
  for (const [method, path] of [['GET', '/sandbox/deliveries'], ['GET', '/sandbox/deliveries/1'], ['POST', '/sandbox/deliveries/1/resend']] as const) {
    const res = await fetch(`${gw.url}${path}`, { method, headers: { accept: 'text/html', 'sec-fetch-site': 'same-origin' } });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.match(await res.text(), /Page not found/);
  }
});
