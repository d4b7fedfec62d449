// Proves the customer wallet app over HTTP on both databases: sign-in by phone, SMS code and PIN (with the PIN lockout shared with account linking), balances and transactions, sandbox top-up, unlinking a shop and changing the phone number (both of which make the shop's balance call answer 02 with a relink url), session expiry, and refusal of forged or cookie-less forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestSignature } from '@ovo-tokenize/protocol';
import type { Clock } from '../src/domain/ports.ts';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { startGateway, type Gateway } from '../src/server.ts';
import { findOrCreateSandboxWallet } from '../src/services/sandbox-wallets.ts';
import { startActivation } from '../src/services/linking.ts';
import { fundingAccount, hold, transfer, voidHold } from '../src/store/ledger.ts';
import { createLink } from '../src/store/links.ts';
import { insertMerchant } from '../src/store/merchants.ts';
import { listSmsMessages } from '../src/store/sms-messages.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { findWallet, findWalletByPhone } from '../src/store/wallets.ts';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './support/databases.ts';
import { FormClient, csrfTokenOf } from './support/gateway.ts';

const PIN = '123456';
const WRONG_PIN = '654321';

/** Every form has exactly one submit button and a CSRF token, every visible input a label; no inline script or style. */
function assertPageConventions(body: string, what: string): void {
  assert.doesNotMatch(body, /<script|<style|\sstyle=|\son[a-z]+=/i, `${what}: no inline script or style`);
  for (const form of body.match(/<form[\s\S]*?<\/form>/g) ?? []) {
    assert.equal((form.match(/<button[^>]*type="submit"/g) ?? []).length, 1, `${what}: one submit button per form`);
    assert.match(form, /name="csrf_token"/, `${what}: every form carries a CSRF token`);
  }
  for (const input of body.match(/<input[^>]*>/g) ?? []) {
    if (/type="hidden"/.test(input)) continue;
    const id = /\sid="([^"]+)"/.exec(input)?.[1];
    assert.ok(id && body.includes(`<label class="field__label" for="${id}">`), `${what}: input ${input} has a label`);
  }
}

async function latestCode(gateway: Gateway, phone: string): Promise<string> {
  const [sms] = await listSmsMessages(gateway.ctx.database.db, phone, 1);
  assert.ok(sms, `an SMS was sent to ${phone}`);
  return /\b([0-9]{6})\b/.exec(sms.text)![1]!;
}

async function smsCount(gateway: Gateway, phone: string): Promise<number> {
  return (await listSmsMessages(gateway.ctx.database.db, phone, 100)).length;
}

async function startSignIn(client: FormClient, phone: string): Promise<void> {
  const form = await client.get('/wallet');
  assert.equal(form.status, 200);
  const res = await client.post('/wallet/sign-in', { csrf_token: csrfTokenOf(form.html), phone });
  assert.equal(res.status, 303, res.html);
  assert.equal(res.headers.get('location'), '/wallet');
}

async function signIn(gateway: Gateway, client: FormClient, phone: string): Promise<string> {
  await startSignIn(client, phone);
  const codePage = await client.get('/wallet');
  const code = await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(codePage.html), otp: await latestCode(gateway, phone) });
  assert.equal(code.status, 303);
  const pinPage = await client.get('/wallet');
  const pin = await client.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(pinPage.html), pin: PIN });
  assert.equal(pin.status, 303, pin.html);
  const home = await client.get('/wallet');
  assert.equal(home.status, 200);
  assert.match(home.html, /OVO Cash/);
  return home.html;
}

async function balanceCall(gateway: Gateway, merchant: Merchant, phone: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${gateway.url}/ovo/balance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchant_id: merchant.merchantId, payment_channel: '720', phone_no: phone, signature: requestSignature(merchant.userId, merchant.password, phone) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

interface Setup {
  database: TestDatabase;
  gateway: Gateway;
  clock: { now: number };
  wallet(phone: string, name?: string): Promise<Wallet>;
  merchant(id: string, name: string): Promise<Merchant>;
  link(merchant: Merchant, wallet: Wallet): Promise<void>;
}

async function withGateway(kind: (typeof DATABASE_KINDS)[number], run: (s: Setup) => Promise<void>): Promise<void> {
  const database = await openTestDatabase(kind);
  const clock = { now: Date.UTC(2025, 2, 12, 7, 0, 0) };
  const clockPort: Clock = { now: () => clock.now };
  const gateway = await startGateway({ database, config: { port: 0, sandbox: true }, clock: clockPort, sweepIntervalMs: 60_000 });
  const { ctx } = gateway;
  try {
    await run({
      database, gateway, clock,
      wallet: (phone, name = 'Andrea Hinata') => findOrCreateSandboxWallet(ctx, phone, name),
      merchant: (id, name) => inTransaction(database, (tx) => insertMerchant(tx, { merchantId: id, name, userId: `bot${id}`, password: `pw-${id}` }, clock.now)),
      link: async (merchant, wallet) => {
        await inTransaction(database, (tx) => createLink(tx, { merchantId: merchant.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: clock.now, ttlS: ctx.config.link_ttl_s }));
      },
    });
  } finally {
    await gateway.close();
    await database.close();
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: sign in with phone, SMS code and PIN; wrong entries are counted; the cookie is HttpOnly and renewed`, async () => {
    await withGateway(kind, async ({ gateway, wallet }) => {
      await wallet('081200000001');
      const client = new FormClient({ baseUrl: gateway.url });
      const form = await client.get('/wallet');
      assert.match(form.html, /Sign in to OVO/);
      assertPageConventions(form.html, 'sign-in');
      assert.equal(form.html.includes('type="password"'), false);

      // A number that is not a mobile number is refused with a clear message, nothing is sent.
      const bad = await client.post('/wallet/sign-in', { csrf_token: csrfTokenOf(form.html), phone: '12345' });
      assert.equal(bad.status, 422);
      assert.match(bad.html, /Enter an Indonesian mobile number/);

      await startSignIn(client, '+62 812-0000-0001');
      const sessionCookie = client.setCookies.find((c) => c.startsWith('ovo_wallet='))!;
      assert.match(sessionCookie, /; Path=\/wallet; Max-Age=\d+; HttpOnly; SameSite=Lax/);
      const preToken = client.cookies.get('ovo_wallet')!;
      const codePage = await client.get('/wallet');
      assert.match(codePage.html, /0812\*+0001/);
      assertPageConventions(codePage.html, 'code step');
      assert.equal(await smsCount(gateway, '081200000001'), 1);
      const code = await latestCode(gateway, '081200000001');

      const wrong = await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(codePage.html), otp: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 422);
      assert.match(wrong.html, /Wrong code\. 4 attempts left\./);
      assert.equal((await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(codePage.html), otp: code })).status, 303);
      // Single use: the same code cannot be replayed (the session moved on to the PIN).
      const pinPage = await client.get('/wallet');
      assert.match(pinPage.html, /Enter your OVO PIN/);
      assertPageConventions(pinPage.html, 'PIN step');

      const wrongPin = await client.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(pinPage.html), pin: WRONG_PIN });
      assert.equal(wrongPin.status, 422);
      assert.match(wrongPin.html, /Wrong PIN\. 4 attempts left/);
      const ok = await client.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(pinPage.html), pin: PIN });
      assert.equal(ok.status, 303);
      assert.notEqual(client.cookies.get('ovo_wallet'), preToken, 'the session token is renewed at sign-in');
      assert.equal((await findWalletByPhone(gateway.ctx.database.db, '081200000001'))!.pinFailures, 0, 'a right PIN clears the failures');

      const home = await client.get('/wallet');
      assert.match(home.html, /Hi, Andrea/);
      assert.match(home.html, /Rp 1\.000\.000/);
      assert.match(home.html, /<strong data-testid="points-balance">50\.000<\/strong>/);
      assert.match(home.html, /Opening balance/);
      assertPageConventions(home.html, 'home');

      // The token from before sign-in is worthless now.
      const stale = new FormClient({ baseUrl: gateway.url });
      stale.cookies.set('ovo_wallet', preToken);
      assert.match((await stale.get('/wallet')).html, /Sign in to OVO/);

      // Signing out ends the session; its cookie no longer opens the app.
      const signedIn = client.cookies.get('ovo_wallet')!;
      const out = await client.post('/wallet/sign-out', { csrf_token: csrfTokenOf(home.html) });
      assert.equal(out.status, 303);
      const after = await client.get('/wallet');
      assert.match(after.html, /You have signed out/);
      const replay = new FormClient({ baseUrl: gateway.url });
      replay.cookies.set('ovo_wallet', signedIn);
      assert.match((await replay.get('/wallet')).html, /Sign in to OVO/);
    });
  });

  test(`${kind}: an unknown phone gets the same code page but no SMS; five wrong codes start over`, async () => {
    await withGateway(kind, async ({ gateway }) => {
      const client = new FormClient({ baseUrl: gateway.url });
      await startSignIn(client, '081299999999');
      const page = await client.get('/wallet');
      assert.match(page.html, /If <strong>0812\*+9999<\/strong> is registered with OVO, we have sent a 6-digit code/);
      assert.equal(await smsCount(gateway, '081299999999'), 0);
      for (let left = 4; left >= 1; left--) {
        const res = await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(page.html), otp: '123456' });
        assert.equal(res.status, 422);
        assert.match(res.html, new RegExp(`Wrong code\\. ${left} attempts? left`));
      }
      const last = await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(page.html), otp: '123456' });
      assert.equal(last.status, 303);
      const restart = await client.get('/wallet');
      assert.match(restart.html, /Too many wrong codes\. Please start again\./);
      assert.match(restart.html, /Sign in to OVO/);
      assert.equal(await findWalletByPhone(gateway.ctx.database.db, '081299999999'), undefined, 'signing in creates no wallet');
    });
  });

  test(`${kind}: five wrong PINs in the app lock the PIN for linking too`, async () => {
    await withGateway(kind, async ({ gateway, wallet, merchant }) => {
      const w = await wallet('081200000002');
      const shop = await merchant('12001', 'Toko Maju');
      const client = new FormClient({ baseUrl: gateway.url });
      await startSignIn(client, w.phone);
      const codePage = await client.get('/wallet');
      await client.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(codePage.html), otp: await latestCode(gateway, w.phone) });
      const pinPage = await client.get('/wallet');
      for (let i = 1; i <= 4; i++) {
        assert.equal((await client.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(pinPage.html), pin: WRONG_PIN })).status, 422);
      }
      const fifth = await client.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(pinPage.html), pin: WRONG_PIN });
      assert.equal(fifth.status, 303);
      assert.match((await client.get('/wallet')).html, /Your OVO PIN is locked after 5 wrong attempts\. Try again in 30 minutes\./);
      const locked = (await findWallet(gateway.ctx.database.db, w.id))!;
      assert.ok(locked.pinLockedUntil !== null && locked.pinLockedUntil > gateway.ctx.clock.now());

      // Account linking honours the same lock: the right PIN is refused there now.
      const url = await startActivation(gateway.ctx, shop, w.phone, w.name);
      const browser = new FormClient({ baseUrl: gateway.url });
      const path = new URL(url).pathname;
      const otpPage = await browser.get(path);
      await browser.post(`${path}/otp`, { csrf_token: csrfTokenOf(otpPage.html), otp: await latestCode(gateway, w.phone) });
      const linkPin = await browser.get(path);
      assert.match(linkPin.html, /Enter your OVO PIN/);
      await browser.post(`${path}/pin`, { csrf_token: csrfTokenOf(linkPin.html), pin: PIN });
      assert.match((await browser.get(path)).html, /PIN locked after too many wrong attempts/);

      // And the app refuses the right PIN while the lock lasts.
      const again = new FormClient({ baseUrl: gateway.url });
      await startSignIn(again, w.phone);
      const again1 = await again.get('/wallet');
      await again.post('/wallet/sign-in/code', { csrf_token: csrfTokenOf(again1.html), otp: await latestCode(gateway, w.phone) });
      const again2 = await again.get('/wallet');
      assert.equal((await again.post('/wallet/sign-in/pin', { csrf_token: csrfTokenOf(again2.html), pin: PIN })).status, 303);
      assert.match((await again.get('/wallet')).html, /Your OVO PIN is locked/);
    });
  });

  test(`${kind}: balances, transactions with descriptions, older pages, and the sandbox top-up`, async () => {
    await withGateway(kind, async ({ gateway, wallet, merchant, clock }) => {
      const w = await wallet('081200000003');
      const shop = await merchant('12002', 'Kopi Kenangan');
      const { database } = gateway.ctx;
      // A payment hold that is released, and 12 top-ups: 2 opening + 2 payment entries + 12 = 16 entries.
      await inTransaction(database, async (tx) => {
        const id = await hold(tx, { debitAccountId: w.cashAccountId, creditAccountId: shop.settlementAccountId, amount: 25_000n, reference: 'payment:1234567890123456', now: clock.now });
        await voidHold(tx, id, clock.now + 1000);
        const source = await fundingAccount(tx, 'funding_cash', clock.now);
        for (let i = 1; i <= 12; i++) {
          await transfer(tx, { debitAccountId: source, creditAccountId: w.cashAccountId, amount: BigInt(i) * 1000n, reference: 'topup:sandbox', now: clock.now + 2000 + i });
        }
      });
      const client = new FormClient({ baseUrl: gateway.url });
      const home = await signIn(gateway, client, w.phone);
      assert.match(home, /Rp 1\.078\.000/, 'cash = 1,000,000 + 78,000 of top-ups');
      assert.equal((home.match(/<li class="tx">/g) ?? []).length, 10);
      assert.match(home, /\+Rp 12\.000/);
      const olderHref = /href="(\/wallet\?before=[0-9]+)" rel="next"/.exec(home)![1]!;
      const older = await client.get(olderHref);
      assert.equal((older.html.match(/<li class="tx">/g) ?? []).length, 6);
      assert.match(older.html, /Payment to Kopi Kenangan/);
      assert.match(older.html, /On hold/);
      assert.match(older.html, /Released/);
      assert.match(older.html, /Transaction 1234567890123456/);
      assert.match(older.html, /Opening balance/);
      assert.doesNotMatch(older.html, /rel="next"/, 'the last page has no older link');
      assert.match(older.html, /12 Mar 2025, 14:00 WIB/);

      // Top-up: amounts outside 10,000 – 10,000,000 are refused with a message; a good one moves money.
      const topUpPage = await client.get('/wallet/top-up');
      assertPageConventions(topUpPage.html, 'top-up');
      const csrf = csrfTokenOf(topUpPage.html);
      for (const amount of ['5000', '10000001', 'ten', '']) {
        const res = await client.post('/wallet/top-up', { csrf_token: csrf, amount });
        assert.equal(res.status, 422, amount);
        assert.match(res.html, /Rp 10\.000 to Rp 10\.000\.000/);
      }
      const done = await client.post('/wallet/top-up', { csrf_token: csrf, amount: 'Rp 250.000' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), '/wallet');
      const after = await client.get('/wallet');
      assert.match(after.html, /Rp 250\.000 was added to your OVO Cash/);
      assert.match(after.html, /Rp 1\.328\.000/);
      // The message is shown once: a reload does not repeat it (or the top-up).
      const reload = await client.get('/wallet');
      assert.doesNotMatch(reload.html, /was added/);
      assert.match(reload.html, /Rp 1\.328\.000/);

      const shopLink = await merchant('12003', 'Balance Shop');
      await inTransaction(database, (tx) => createLink(tx, { merchantId: shopLink.merchantId, walletId: w.id, phoneVersion: w.phoneVersion, now: clock.now, ttlS: 3600 }));
      const balance = await balanceCall(gateway, shopLink, w.phone);
      assert.equal(balance.response_code, '00');
      assert.deepEqual(balance.detail, { cash: { balance: '1328000' }, points: { balance: '50000' } });
    });
  });

  test(`${kind}: a real payment appears in the app as a payment to the shop, with its description and split`, async () => {
    await withGateway(kind, async ({ gateway, wallet, database, clock, link }) => {
      const w = await wallet('081200000010');
      const shop = await inTransaction(database, (tx) => insertMerchant(tx, {
        merchantId: '12010', name: 'Warung Pinless', userId: 'bot12010', password: 'pw-12010', pinlessLimit: 100_000n,
      }, clock.now));
      await link(shop, w);
      const res = await fetch(`${gateway.url}/ovo/payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          merchant_id: shop.merchantId, bill_no: 'INV-1', bill_desc: 'Nasi goreng', bill_total: '60000', bill_currency: 'IDR',
          payment_channel: '720', phone_no: w.phone, cust_name: w.name, email: 'a@example.com', pay_type: '2',
          signature: requestSignature(shop.userId, shop.password, w.phone),
        }),
      });
      const reply = (await res.json()) as Record<string, string>;
      assert.equal(reply.response_code, '00', JSON.stringify(reply));
      const client = new FormClient({ baseUrl: gateway.url });
      const home = await signIn(gateway, client, w.phone);
      // Points first: 50,000 points and Rp 10,000 cash, paid at once (pinless: one posted transfer each).
      assert.match(home, /Rp 990\.000/);
      assert.match(home, /<strong data-testid="points-balance">0<\/strong>/);
      assert.equal((home.match(/Payment to Warung Pinless/g) ?? []).length, 2);
      assert.match(home, new RegExp(`Nasi goreng · Transaction ${reply.trx_id}`));
      assert.match(home, /−Rp 10\.000<span class="tx__status">Paid<\/span>/);
      assert.match(home, /−50\.000 points<span class="tx__status">Paid<\/span>/);
      assert.doesNotMatch(home, /On hold/);
    });
  });

  test(`${kind}: unlinking a shop in the app makes its balance call answer 02 with a relink url; others keep working`, async () => {
    await withGateway(kind, async ({ gateway, wallet, merchant, link }) => {
      const w = await wallet('081200000004');
      const a = await merchant('12004', 'Toko <Satu> & Co');
      const b = await merchant('12005', 'Toko Dua');
      await link(a, w);
      await link(b, w);
      assert.equal((await balanceCall(gateway, a, w.phone)).response_code, '00');
      const client = new FormClient({ baseUrl: gateway.url });
      await signIn(gateway, client, w.phone);
      const list = await client.get('/wallet/merchants');
      assertPageConventions(list.html, 'linked shops');
      assert.match(list.html, /Toko &lt;Satu&gt; &amp; Co/, 'names are escaped');
      assert.match(list.html, /Toko Dua/);
      assert.match(list.html, /Linked since 12 Mar 2025/);
      const res = await client.post('/wallet/merchants/unlink', { csrf_token: csrfTokenOf(list.html), merchant_id: a.merchantId });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/wallet/merchants');
      const after = await client.get('/wallet/merchants');
      assert.match(after.html, /Toko &lt;Satu&gt; &amp; Co is unlinked/);
      assert.doesNotMatch(after.html, /Unlink Toko &lt;Satu/);
      assert.match(after.html, /Unlink Toko Dua/);

      const endedBy = await gateway.ctx.database.db.selectFrom('links').select('ended_by')
        .where('merchant_id', '=', a.merchantId).where('wallet_id', '=', w.id).executeTakeFirstOrThrow();
      assert.equal(endedBy.ended_by, 'customer');
      const relink = await balanceCall(gateway, a, w.phone);
      assert.equal(relink.response_code, '02');
      assert.equal(relink.response_desc, 'Failed, please regenerate payment token');
      assert.match(String(relink.url), /\/activation\//);
      assert.equal((await balanceCall(gateway, b, w.phone)).response_code, '00');

      // Unlinking again is harmless and says so.
      await client.post('/wallet/merchants/unlink', { csrf_token: csrfTokenOf(list.html), merchant_id: a.merchantId });
      assert.match((await client.get('/wallet/merchants')).html, /was not linked/);
    });
  });

  test(`${kind}: a phone change needs a code sent to the new number and the PIN, invalidates every link and other sessions`, async () => {
    await withGateway(kind, async ({ gateway, wallet, merchant, link }) => {
      const w = await wallet('081200000005');
      await wallet('081200000006', 'Someone Else');
      const shop = await merchant('12006', 'Toko Tiga');
      await link(shop, w);
      const other = new FormClient({ baseUrl: gateway.url });
      await signIn(gateway, other, w.phone);
      const client = new FormClient({ baseUrl: gateway.url });
      await signIn(gateway, client, w.phone);

      const form = await client.get('/wallet/phone');
      assertPageConventions(form.html, 'phone form');
      const csrf = csrfTokenOf(form.html);
      const taken = await client.post('/wallet/phone', { csrf_token: csrf, phone: '081200000006' });
      assert.equal(taken.status, 422);
      assert.match(taken.html, /already registered to another OVO account/);
      const same = await client.post('/wallet/phone', { csrf_token: csrf, phone: '6281200000005' });
      assert.equal(same.status, 422);
      assert.match(same.html, /already the phone number of your OVO account/);

      const started = await client.post('/wallet/phone', { csrf_token: csrf, phone: '+6281377777777' });
      assert.equal(started.status, 303);
      const codePage = await client.get('/wallet/phone');
      assert.match(codePage.html, /new number <strong>0813\*+7777<\/strong>/);
      assertPageConventions(codePage.html, 'phone code');
      const code = await latestCode(gateway, '081377777777');
      const wrong = await client.post('/wallet/phone/code', { csrf_token: csrf, otp: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 422);
      assert.match(wrong.html, /Wrong code\. 4 attempts left/);
      assert.equal((await client.post('/wallet/phone/code', { csrf_token: csrf, otp: code })).status, 303);
      const pinPage = await client.get('/wallet/phone');
      assert.match(pinPage.html, /Confirm with your PIN/);
      const wrongPin = await client.post('/wallet/phone/pin', { csrf_token: csrf, pin: WRONG_PIN });
      assert.equal(wrongPin.status, 422);
      assert.match(wrongPin.html, /Wrong PIN\. 4 attempts left/);
      const done = await client.post('/wallet/phone/pin', { csrf_token: csrf, pin: PIN });
      assert.equal(done.status, 303);
      const confirmed = await client.get('/wallet/phone');
      assert.match(confirmed.html, /Your OVO phone number is now 081377777777/);

      const changed = (await findWallet(gateway.ctx.database.db, w.id))!;
      assert.equal(changed.phone, '081377777777');
      assert.equal(changed.phoneVersion, w.phoneVersion + 1n);
      assert.equal(changed.pinFailures, 0);
      // The app stays signed in here; the other session was signed out.
      assert.match((await client.get('/wallet')).html, /0813\*+7777/);
      assert.match((await other.get('/wallet')).html, /phone number of this OVO account was changed/);

      // The old number no longer signs in: no code is sent to it.
      const before = await smsCount(gateway, '081200000005');
      await startSignIn(new FormClient({ baseUrl: gateway.url }), '081200000005');
      assert.equal(await smsCount(gateway, '081200000005'), before);
      // The new number does.
      await signIn(gateway, new FormClient({ baseUrl: gateway.url }), '081377777777');

      // The shop's link predates the change: its balance call for the new number asks to relink.
      const relink = await balanceCall(gateway, shop, '081377777777');
      assert.equal(relink.response_code, '02');
      assert.match(String(relink.url), /\/activation\//);
      assert.match((await client.get('/wallet/merchants')).html, /Needs relinking/);
    });
  });

  test(`${kind}: forms without the session's CSRF token or cookie are refused and change nothing; idle sessions end`, async () => {
    await withGateway(kind, async ({ gateway, wallet, clock }) => {
      const w = await wallet('081200000007');
      const client = new FormClient({ baseUrl: gateway.url });
      const home = await signIn(gateway, client, w.phone);
      const csrf = csrfTokenOf(home);
      const balance = async () => (await gateway.ctx.database.db.selectFrom('accounts').select('credits_posted').where('id', '=', w.cashAccountId).executeTakeFirstOrThrow()).credits_posted;
      const start = await balance();

      assert.equal((await client.post('/wallet/top-up', { amount: '100000' })).status, 403);
      assert.equal((await client.post('/wallet/top-up', { csrf_token: 'forged', amount: '100000' })).status, 403);
      const noCookie = new FormClient({ baseUrl: gateway.url });
      assert.equal((await noCookie.post('/wallet/top-up', { csrf_token: csrf, amount: '100000' })).status, 403);
      // Another signed-in customer's cookie with this form's token: refused too.
      const mallory = new FormClient({ baseUrl: gateway.url });
      await signIn(gateway, mallory, (await wallet('081200000008', 'Mallory')).phone);
      assert.equal((await mallory.post('/wallet/top-up', { csrf_token: csrf, amount: '100000' })).status, 403);
      assert.equal((await mallory.post('/wallet/sign-out', { csrf_token: csrf })).status, 403);
      assert.equal(await balance(), start);
      // The phone form needs the token from the sign-in cookie.
      assert.equal((await new FormClient({ baseUrl: gateway.url }).post('/wallet/sign-in', { csrf_token: 'x', phone: w.phone })).status, 403);
      // A JSON body is not a form.
      const json = await fetch(`${gateway.url}/wallet/top-up`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `ovo_wallet=${client.cookies.get('ovo_wallet')}` }, body: JSON.stringify({ csrf_token: csrf, amount: '100000' }) });
      assert.equal(json.status, 403);
      assert.equal(await balance(), start);
      // Pages of the signed-in app send a stranger to the sign-in page.
      for (const path of ['/wallet/merchants', '/wallet/phone', '/wallet/top-up']) {
        const res = await noCookie.get(path);
        assert.equal(res.status, 303, path);
        assert.equal(res.headers.get('location'), '/wallet');
      }

      // 14 minutes idle is fine; then 16 more minutes without a request ends the session.
      clock.now += 14 * 60_000;
      assert.match((await client.get('/wallet')).html, /OVO Cash/);
      clock.now += 16 * 60_000;
      const expired = await client.get('/wallet');
      assert.match(expired.html, /signed out after a period of inactivity/);
      assert.equal((await client.post('/wallet/top-up', { csrf_token: csrf, amount: '100000' })).status, 403);
      assert.equal(await balance(), start);
    });
  });
}

test('sqlite: sign-ins for one number are rate limited, whether or not it has a wallet', async () => {
  await withGateway('sqlite', async ({ gateway, wallet }) => {
    await wallet('081200000009');
    for (const phone of ['081200000009', '081288888888']) {
      for (let i = 0; i < 5; i++) await startSignIn(new FormClient({ baseUrl: gateway.url }), phone);
      const client = new FormClient({ baseUrl: gateway.url });
      const form = await client.get('/wallet');
      const sixth = await client.post('/wallet/sign-in', { csrf_token: csrfTokenOf(form.html), phone });
      assert.equal(sixth.status, 422, phone);
      assert.match(sixth.html, /Too many sign-in attempts for this number/);
    }
    assert.equal(await smsCount(gateway, '081200000009'), 5);
  });
});

test('amounts are written and read the Indonesian way', async () => {
  const { formatRupiah, formatPoints, parseRupiahInput, formatJakartaTime } = await import('../src/services/wallet-app-format.ts');
  assert.equal(formatRupiah(1_000_000n), 'Rp 1.000.000');
  assert.equal(formatRupiah(0n), 'Rp 0');
  assert.equal(formatRupiah(999n), 'Rp 999');
  assert.equal(formatRupiah(-25_000n), '−Rp 25.000');
  assert.equal(formatPoints(50_000n), '50.000');
  for (const [text, value] of [['100000', 100_000n], ['100.000', 100_000n], ['Rp 100.000', 100_000n], ['rp100,000', 100_000n], [' 10 000 ', 10_000n]] as const) {
    assert.equal(parseRupiahInput(text), value, text);
  }
  for (const text of ['', 'ten', '100.00', '1.00', '-5000', '1e6', '100.0000', '12345678901234']) assert.equal(parseRupiahInput(text), null, text);
  assert.equal(formatJakartaTime(Date.UTC(2025, 11, 31, 17, 30)), '1 Jan 2026, 00:30 WIB');
});
