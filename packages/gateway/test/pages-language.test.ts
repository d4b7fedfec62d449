// Proves that the customer pages speak Bahasa Indonesia to an Indonesian browser (activation OTP and PIN steps, a wrong PIN, the payment page with its rupiah split, the wallet sign-in; also in Chromium), that ?lang=en switches and the ovo_lang cookie keeps the choice, and that without Accept-Language everything stays English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, withPage } from './support/browser.ts';
import {
  FormClient, activate, callOperation, csrfTokenOf, decodeHtml, provisionMerchant, readOtp, startTestGateway, type TestGateway,
} from './support/gateway.ts';

const ID = 'id-ID,id;q=0.9';

/** A no-JavaScript browser that sends a fixed Accept-Language (or none). */
function browserSpeaking(acceptLanguage?: string): FormClient {
  return new FormClient(acceptLanguage ? { headers: { 'accept-language': acceptLanguage } } : {});
}

let seq = 0;
const merchant = { merchantId: '88001', name: 'Toko Bahasa', userId: 'bahasa', password: 'pw-bahasa' };
const gw: TestGateway = await startTestGateway('sqlite', { merchants: [merchant] });

async function gateway(): Promise<TestGateway> {
  return gw;
}

function nextPhone(): string {
  return `08131888${String(seq++).padStart(4, '0')}`;
}

test('an Indonesian browser links its account in Indonesian; a wrong PIN says so in Indonesian', async () => {
  const g = await gateway();
  const phone = nextPhone();
  const url = await activate(g.url, merchant, phone);
  const client = browserSpeaking(ID);
  const otpPage = await client.get(url);
  assert.equal(otpPage.status, 200);
  assert.match(otpPage.html, /<html lang="id">/);
  assert.equal(otpPage.headers.get('content-language'), 'id');
  const html = decodeHtml(otpPage.html);
  assert.ok(html.includes('Tautkan akun OVO'), html);
  assert.ok(html.includes('Kode verifikasi'));
  assert.ok(html.includes('Batal'));
  assert.ok(!html.includes('Verify code'));
  const path = new URL(url).pathname;
  assert.ok(otpPage.html.includes(`href="${path}?lang=en" hreflang="en" lang="en">English</a>`), 'switch link to the same page in English');
  assert.ok(!client.setCookies.some((c) => c.startsWith('ovo_lang=')), 'no language cookie without a choice');

  const csrf = csrfTokenOf(otpPage.html);
  const pinPage = await client.submit(`${url}/otp`, { csrf_token: csrf, otp: await readOtp(g.url, phone) });
  assert.match(pinPage.html, /<html lang="id">/);
  assert.ok(decodeHtml(pinPage.html).includes('Masukkan PIN OVO kamu'));
  const wrong = await client.submit(`${url}/pin`, { csrf_token: csrf, pin: '000000' });
  assert.equal(wrong.status, 422);
  assert.ok(decodeHtml(wrong.html).includes('PIN salah. Sisa percobaan: 4'), wrong.html);
  assert.ok(wrong.html.includes(`href="${path}?lang=en"`), 'after a POST the switch link goes to the page itself');
  const done = await client.submit(`${url}/pin`, { csrf_token: csrf, pin: '123456' });
  assert.ok(decodeHtml(done.html).includes('Akun berhasil ditautkan'));
});

test('?lang=en switches to English and the ovo_lang cookie keeps it; without Accept-Language pages are English', async () => {
  const g = await gateway();
  const url = await activate(g.url, merchant, nextPhone());
  const client = browserSpeaking(ID);
  const en = await client.get(`${url}?lang=en`);
  assert.match(en.html, /<html lang="en">/);
  assert.ok(en.html.includes('Link your OVO account'));
  const cookie = client.setCookies.find((c) => c.startsWith('ovo_lang='));
  assert.equal(cookie, 'ovo_lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax');
  assert.ok(en.html.includes(`href="${new URL(url).pathname}?lang=id" hreflang="id" lang="id">Bahasa Indonesia</a>`));
  const again = await client.get(url);
  assert.match(again.html, /<html lang="en">/, 'the cookie outranks Accept-Language');
  assert.match((await client.get(`${g.url}/wallet`)).html, /<html lang="en">/, 'and holds on every page');

  const plain = browserSpeaking();
  const page = await plain.get(await activate(g.url, merchant, nextPhone()));
  assert.match(page.html, /<html lang="en">/);
  assert.ok(page.html.includes('Verify code'));
  const wallet = await plain.get(`${g.url}/wallet`);
  assert.match(wallet.html, /<html lang="en">/);
  assert.ok(wallet.html.includes('Sign in to OVO'));
  assert.match((await browserSpeaking('en-US,en;q=0.9,id;q=0.8').get(`${g.url}/wallet`)).html, /<html lang="en">/);
  assert.match((await browserSpeaking('fr-FR, in;q=0.5').get(`${g.url}/wallet`)).html, /<html lang="id">/);
});

test('the payment page and the wallet sign-in are in Indonesian, amounts in rupiah', async () => {
  const g = await gateway();
  const phone = nextPhone();
  const client = browserSpeaking(ID);
  const url = await activate(g.url, merchant, phone);
  const first = await client.get(url);
  const csrf = csrfTokenOf(first.html);
  await client.submit(`${url}/otp`, { csrf_token: csrf, otp: await readOtp(g.url, phone) });
  await client.submit(`${url}/pin`, { csrf_token: csrf, pin: '123456' });

  const reply = await callOperation(g.url, 'payment', {
    request: 'Payment OVO OpenAPI', merchant_id: merchant.merchantId, bill_no: `B${Date.now()}`, bill_desc: 'Kopi susu',
    bill_total: '150000', bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'Sari Dewi',
    email: 'sari@example.com', pay_type: '2',
  }, 'json', merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  const pay = await client.get(reply.body.redirectURL as string);
  assert.equal(pay.status, 200);
  assert.match(pay.html, /<html lang="id">/);
  const text = decodeHtml(pay.html);
  assert.ok(text.includes('Konfirmasi pembayaran'), text);
  assert.ok(text.includes('Rincian pembayaran'));
  assert.match(text, /<th scope="row">Bayar dengan<\/th><td>(OVO Cash Rp [0-9.]+|OVO Points [0-9.]+)/);
  assert.ok(text.includes('Bayar Rp 150.000'));
  assert.ok(text.includes('Batalkan pembayaran'));

  const wallet = await browserSpeaking(ID).get(`${g.url}/wallet`);
  assert.match(wallet.html, /<html lang="id">/);
  const w = decodeHtml(wallet.html);
  assert.ok(w.includes('Masuk ke OVO'));
  assert.ok(w.includes('Nomor ponsel'));
  assert.ok(wallet.html.includes('href="/wallet?lang=en"'));
});

test('Chromium with an Indonesian locale gets the activation page in Indonesian and its switch link leads to English', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const g = await gateway();
  const url = await activate(g.url, merchant, nextPhone());
  await withPage(browser, async (page) => {
    await page.goto(url);
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Tautkan akun OVO');
    await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Link your OVO account');
    await page.goto(url);
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the cookie keeps English');
  }, { locale: 'id-ID' });
});
