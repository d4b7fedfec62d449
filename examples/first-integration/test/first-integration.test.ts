// Proves issue 4's first "Done when" with examples/first-integration/integration.ts, a file outside the packages
// that imports `@ovo-tokenize/client`: it type-checks with plain `tsc --strict` (and a copy that reads `trxId`
// without narrowing on `outcome` does not), and against a real gateway, with Chromium as the customer, it links,
// pays, reads the balance and the history, unlinks, and verifies the activation callback and the payment
// notification it receives — once in JSON and once in XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { WireFormat } from '@ovo-tokenize/client';
import {
  OVO_PAYMENT_CHANNEL, OVO_PAYMENT_CHANNEL_NAME, activationCallbackSignature, contentTypeOf, notificationSignature, serialize,
} from '@ovo-tokenize/protocol';
import { startGateway } from '../../../packages/gateway/src/server.ts';
import { listDeliveries } from '../../../packages/gateway/src/delivery/outbox.ts';
import { ACTIVATION_CALLBACK_RESPONSE } from '../../../packages/gateway/src/services/activation-result.ts';
import { insertMerchant } from '../../../packages/gateway/src/store/merchants.ts';
import { inTransaction } from '../../../packages/gateway/src/store/transaction.ts';
import { launchBrowser, watchPageProblems, withPage } from '../../../packages/gateway/test/support/browser.ts';
import { openTestDatabase } from '../../../packages/gateway/test/support/databases.ts';
import { runIntegration } from '../integration.ts';

const folder = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const SANDBOX_PIN = '123456';

function runTsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '--strict', '-p', project, '--noEmit'], { cwd: repo });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

test('integration.ts type-checks with plain tsc --strict; a copy that reads trxId without narrowing on outcome does not', async (t) => {
  // The copy lives outside the repository with the same tsconfig, seeing the same node_modules.
  const copy = mkdtempSync(join(tmpdir(), 'ovo-first-integration-'));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  writeFileSync(join(copy, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  copyFileSync(join(folder, 'tsconfig.json'), join(copy, 'tsconfig.json'));
  const source = readFileSync(join(folder, 'integration.ts'), 'utf8');
  const narrowing = /\n *if \(paid\.outcome === 'relinkRequired'\)[^\n]*\n *if \(paid\.outcome === 'failed'\)[^\n]*\n/;
  assert.match(source, narrowing, 'integration.ts narrows the pay result before reading it');
  const misuse = source.replace(narrowing, '\n');
  writeFileSync(join(copy, 'integration.ts'), misuse);

  const [original, broken] = await Promise.all([runTsc(join(folder, 'tsconfig.json')), runTsc(join(copy, 'tsconfig.json'))]);
  assert.equal(original.code, 0, original.output);
  assert.equal(original.output, '');
  assert.notEqual(broken.code, 0, 'the misuse must not compile');
  const line = misuse.slice(0, misuse.indexOf('paid.trxId')).split('\n').length;
  assert.match(broken.output, new RegExp(`integration\\.ts\\(${line},\\d+\\): error TS2339: Property 'trxId' does not exist on type 'PayResult'`));
  assert.doesNotMatch(broken.output, /node_modules|packages\//, 'every error is in the copy, none in the package');
});

/** A failed-payment notification for `billNo`, well formed but signed with the wrong password: the receiver's HTTP status. */
async function forgeNotification(notifyUrl: string, format: WireFormat, merchant: { merchantId: string; userId: string }, billNo: string): Promise<number> {
  const body = serialize(format, {
    request: 'Payment Notification', trx_id: '1', merchant_id: merchant.merchantId, merchant: 'x', bill_no: billNo, payment_reff: '1',
    payment_date: '2025-01-01 00:00:00', payment_status_code: '3', payment_status_desc: 'Payment Failed', bill_total: 65_000n,
    payment_total: 0n, payment_channel_uid: OVO_PAYMENT_CHANNEL, payment_channel: OVO_PAYMENT_CHANNEL_NAME,
    signature: notificationSignature(merchant.userId, 'not-the-password', billNo, '3'),
  });
  const res = await fetch(notifyUrl, { method: 'POST', headers: { 'content-type': contentTypeOf(format) }, body });
  return res.status;
}

/** A "linked" activation callback for `phone` signed with the wrong password: the receiver's HTTP status. */
async function forgeCallback(callbackUrl: string, merchant: { merchantId: string; userId: string }, phone: string): Promise<number> {
  const query = new URLSearchParams({ response: ACTIVATION_CALLBACK_RESPONSE, phone_number: phone, response_code: '00', response_desc: 'Success',
    merchant_id: merchant.merchantId, signature: activationCallbackSignature(merchant.userId, 'not-the-password', phone, '00') });
  return (await fetch(`${callbackUrl}?${query}`)).status;
}

/** On the gateway's activation page: the SMS code from the sandbox inbox, the PIN, then back to the receiver. */
async function linkInBrowser(page: Page, url: string, gatewayUrl: string, phone: string, returnUrl: string): Promise<void> {
  assert.ok(url.startsWith(`${gatewayUrl}/activation/`), url);
  await page.goto(url);
  const inbox = await fetch(`${gatewayUrl}/sandbox/inbox?phone_no=${phone}`);
  const { messages } = (await inbox.json()) as { messages: Array<{ text: string }> };
  const otp = /\b([0-9]{6})\b/.exec(messages[0]?.text ?? '')?.[1];
  assert.ok(otp, `an OTP in the sandbox inbox of ${phone}`);
  await page.getByLabel('Verification code').fill(otp);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verify code' }).click()]);
  await page.getByLabel('OVO PIN').fill(SANDBOX_PIN);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Link account' }).click()]);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Account linked');
  // The result page sends the browser on to the merchant's return URL, where the receiver verifies it too.
  await page.waitForURL((u) => u.href.startsWith(returnUrl), { timeout: 10_000 });
  assert.equal(await page.locator('body').innerText(), 'OVO linked. You can close this tab.');
}

/** On the gateway's payment page: what is charged (points first, then cash), the PIN, the receipt. */
async function payInBrowser(page: Page, url: string, gatewayUrl: string): Promise<void> {
  assert.ok(url.startsWith(`${gatewayUrl}/pay/`), url);
  await page.goto(url);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Confirm your payment');
  assert.match(await page.locator('table.table').innerText(), /OVO Cash Rp 15\.000\s+OVO Points 50\.000/);
  await page.getByLabel('OVO PIN').fill(SANDBOX_PIN);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Pay Rp 65.000' }).click()]);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Payment successful');
}

test('against a running gateway, with Chromium as the customer: link, pay, balance, history, unlink and verified callback and notification, in JSON and in XML', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const database = await openTestDatabase('sqlite');
  const gateway = await startGateway({ database, config: { port: 0, host: '127.0.0.1', sandbox: true }, logger: false });
  t.after(async () => {
    await gateway.close();
    await database.close();
  });

  const runs: ReadonlyArray<{ format: WireFormat; merchantId: string; phone: string }> = [
    { format: 'json', merchantId: '77201', phone: '081234567801' },
    { format: 'xml', merchantId: '77202', phone: '081234567802' },
  ];
  for (const { format, merchantId, phone } of runs) {
    await t.test(format, async () => {
      const merchant = { merchantId, name: `First Integration ${format}`, userId: `bot${merchantId}`, password: `first-${merchantId}` };
      const log: string[] = [];
      const steps: string[] = [];
      let receiver = { callbackUrl: '', returnUrl: '', paymentReturnUrl: '', notifyUrl: '' };
      const report = await withPage(browser, async (page) => {
        page.setDefaultTimeout(10_000);
        const problems = watchPageProblems(page);
        const result = await runIntegration({
          gatewayUrl: gateway.url, merchantId, merchantName: merchant.name, userId: merchant.userId, password: merchant.password,
          format, phone, receiverPort: 0, waitMs: 15_000,
        }, {
          log: (line) => log.push(line),
          // What a merchant does once, with the gateway's operator: register where callbacks and notifications go.
          onListening: async (urls) => {
            receiver = urls;
            await inTransaction(database, (tx) => insertMerchant(tx, { ...merchant, ...urls, notifyFormat: format }, Date.now()));
          },
          onRedirect: async (url, step) => {
            steps.push(step);
            // First a forger: the receiver must refuse what is not signed with the merchant's credentials.
            if (step === 'link') {
              assert.equal(await forgeCallback(receiver.callbackUrl, merchant, phone), 401, 'a forged activation callback is refused');
              await linkInBrowser(page, url, gateway.url, phone, receiver.returnUrl);
            } else {
              const billNo = /bill (FI-\d+)/.exec(log.at(-1) ?? '')?.[1];
              assert.ok(billNo, `the pay step logged its bill_no (${log.at(-1)})`);
              assert.equal(await forgeNotification(receiver.notifyUrl, format, merchant, billNo), 401, 'a forged notification is refused');
              await payInBrowser(page, url, gateway.url);
            }
          },
        });
        assert.deepEqual(problems, []);
        return result;
      });

      assert.deepEqual(steps, ['link', 'pay'], 'the customer was sent to the browser twice');
      assert.deepEqual({ linked: report.linked.linked, phone: report.linked.phone, merchantId: report.linked.merchantId, code: report.linked.responseCode },
        { linked: true, phone, merchantId, code: '00' });

      const { payment, notification } = report;
      assert.equal(payment.outcome, 'ok');
      assert.equal(payment.amount, 65_000n);
      assert.match(payment.billNo, /^FI-\d+$/);
      assert.match(payment.trxId, /^\d+$/);
      assert.deepEqual(
        { format: notification.format, trxId: notification.trxId, billNo: notification.billNo, merchantId: notification.merchantId,
          code: notification.paymentStatusCode, amount: notification.amount, paid: notification.paymentTotal },
        { format, trxId: payment.trxId, billNo: payment.billNo, merchantId, code: '2', amount: 65_000n, paid: 65_000n },
        `a verified ${format.toUpperCase()} notification of the payment's success`,
      );

      assert.ok(report.balance.outcome === 'ok', `balance: ${report.balance.outcome}`);
      assert.deepEqual({ cash: report.balance.cash, points: report.balance.points }, { cash: 985_000n, points: 0n }, '50.000 points first, then Rp 15.000 cash');
      assert.ok(report.history.outcome === 'ok', `history: ${report.history.outcome}`);
      assert.equal(report.history.total, 1);
      assert.deepEqual(report.history.transactions.map((x) => ({ trxId: x.trxId, amount: x.amount, cash: x.cash, points: x.points })),
        [{ trxId: payment.trxId, amount: 65_000n, cash: 15_000n, points: 50_000n }]);
      assert.ok(report.afterUnlink.outcome === 'relinkRequired', `balance after unlink: ${report.afterUnlink.outcome}`);
      assert.ok(report.afterUnlink.relinkUrl.startsWith(`${gateway.url}/activation/`), report.afterUnlink.relinkUrl);

      assert.deepEqual(log.map((l) => l.replace(/\d{6,}/g, 'N').replace(/FI-N/, 'FI-…').replace(/activation\/\S+/, 'activation/…')), [
        '← activation callback (signature verified): ' + phone + ' linked',
        '→ pay: bill FI-…, trx N, Rp 65000 accepted, waiting for the PIN',
        '✗ refused a notification: notification signature does not match (wrong user id or password, or altered)',
        `← notification (${format}, signature verified): bill FI-… status 2 Payment Success`,
        '→ balance: Rp 985000 cash, 0 points',
        '→ history: N Rp 15000 cash + 50000 points',
        '→ unlink: ok',
        `→ balance: relinkRequired, link again at ${gateway.url}/activation/…`,
      ].map((l) => l.replace(/\d{6,}/g, 'N')));

      // The gateway took the receiver's answers as acknowledgements: nothing is left to deliver again. (It records
      // them just after the answer arrives, so give it a moment.)
      let deliveries: string[] = [];
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        deliveries = (await listDeliveries(database.db, { merchantId, limit: 10 })).map((d) => `${d.kind} ${d.status}`).sort();
        if (deliveries.every((d) => d.endsWith(' delivered'))) break;
      }
      assert.deepEqual(deliveries, ['activation_callback delivered', 'payment_notification delivered']);
    });
  }
});
