// What a customer does in Chromium on the shop and on the gateway's pages, shared by the shop's browser tests.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export const SANDBOX_PIN = '123456';

export async function readOtp(gatewayUrl: string, phone: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/sandbox/inbox?phone_no=${phone}`);
  const { messages } = (await res.json()) as { messages: Array<{ text: string }> };
  const code = messages[0] && /\b([0-9]{6})\b/.exec(messages[0].text)?.[1];
  assert.ok(code, `an OTP in the sandbox inbox of ${phone}`);
  return code;
}

export async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).first().textContent())?.trim() ?? '';
}

export async function clickAndWait(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.getByRole('button', { name, exact: true }).click()]);
}

/** On the gateway's activation page: the SMS code from the sandbox inbox, then the PIN; ends back at the shop. */
export async function linkOnGateway(page: Page, gatewayUrl: string, shopUrl: string, phone: string): Promise<void> {
  assert.ok(page.url().startsWith(`${gatewayUrl}/activation/`), `on the gateway's activation page, not ${page.url()}`);
  assert.equal(await heading(page), 'Link your OVO account');
  await page.getByLabel('Verification code').fill(await readOtp(gatewayUrl, phone));
  await clickAndWait(page, 'Verify code');
  assert.equal(await heading(page), 'Enter your OVO PIN');
  await page.getByLabel('OVO PIN').fill(SANDBOX_PIN);
  await clickAndWait(page, 'Link account');
  assert.equal(await heading(page), 'Account linked');
  // The result page sends the browser to the shop's return URL by itself (meta refresh after 3 s); the shop
  // verifies it and redirects on.
  await page.waitForURL((u) => u.href.startsWith(shopUrl) && !u.pathname.startsWith('/ovo/'), { timeout: 10_000 });
}

/** Reloads the shop's order page until a notification has given the order this status. */
export async function waitForOrderStatus(page: Page, orderUrl: string, status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await page.goto(orderUrl);
    if ((await page.locator('.details [data-status]').getAttribute('data-status')) === status) return;
    assert.ok(Date.now() < deadline, `the order turned ${status} within 10 s`);
    await page.waitForTimeout(200);
  }
}
