// Proves migration 009 on both databases: a database written by the schema before it (link sessions,
// payments and wallet sessions each with their own code columns), holding sessions in every state, is
// upgraded, and every open session then completes through the real pages with the code, cookie and form
// token it had before: an activation at the code step and at the PIN step, payments at both steps, a
// wallet sign-in at the code step, and phone-number changes at both steps. Finished ones stay finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { DEVELOPMENT_PIN_PEPPER } from '../src/config.ts';
import { hashOtp } from '../src/domain/pin.ts';
import { secretHash } from '../src/domain/secrets.ts';
import { startGateway } from '../src/server.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { hold } from '../src/store/ledger.ts';
import { migrateTo, missingMigrations } from '../src/store/migrate.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { findWallet } from '../src/store/wallets.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from './support/databases.ts';
import { FormClient, csrfTokenOf, provisionMerchant, type PageResponse } from './support/gateway.ts';
import { TEST_PIN, fundedWallet, linkThroughStore } from './support/payments.ts';

const CODE = '246802';
const MINUTE = 60_000;

/** A secret of the shape the pages accept (43 base64url characters), recognisable by its label. */
function token(label: string): string {
  return `${label}${'0'.repeat(43)}`.slice(0, 43);
}

interface Old {
  db: Kysely<any>;
  now: number;
}

/** What a browser of the old release kept: its cookie and the page's form token. */
interface Browser {
  cookie: [string, string];
  csrf: string;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a database of the schema before challenges upgrades, and its open sessions complete`, async () => {
    const { url, drop } = await createTestDatabaseUrl(kind);
    const database = openDatabase(url, { poolSize: 5 });
    try {
      await migrateTo(database, '008-outbox-request-id');
      const old: Old = { db: database.db as Kysely<any>, now: Date.now() };
      const shop = await provisionMerchant(database, {
        merchantId: '49001', name: 'Toko Lama', userId: 'bot49001', password: 'secret-49001', paymentOtp: true,
      }, { settlementShards: 1 });
      const wallet = await fundedWallet(database, { phone: '081349000001', cash: 500_000n, points: 0n });
      const changer = await fundedWallet(database, { phone: '081349000002', cash: 0n, points: 0n });
      const pinChanger = await fundedWallet(database, { phone: '081349000003', cash: 0n, points: 0n });

      const linkAtCode = await oldLinkSession(old, token('linkAtCode'), wallet.id, 'otp');
      const linkAtPin = await oldLinkSession(old, token('linkAtPin'), wallet.id, 'pin');
      const linkFailed = await oldLinkSession(old, token('linkFailed'), wallet.id, 'failed');
      const payAtCode = await oldPayment(database, old, shop, wallet, 'P-CODE', 'otp');
      const payAtPin = await oldPayment(database, old, shop, wallet, 'P-PIN', 'pin');
      const signInAtCode = await oldWalletSession(old, token('signIn'), wallet.phone, wallet.id, { state: 'otp' });
      const changeAtCode = await oldWalletSession(old, token('changeAtCode'), changer.phone, changer.id,
        { state: 'active', change: 'otp', newPhone: '081349000012' });
      const changeAtPin = await oldWalletSession(old, token('changeAtPin'), pinChanger.phone, pinChanger.id,
        { state: 'active', change: 'pin', newPhone: '081349000013' });

      const gateway = await startGateway({
        database, config: { port: 0, host: '127.0.0.1', sandbox: true, pinPepper: DEVELOPMENT_PIN_PEPPER },
      });
      try {
        assert.deepEqual(await missingMigrations(database), []);
        const base = gateway.url;
        await linkThroughStore(gateway.ctx, shop.merchantId, wallet);

        // Activations: the old code still opens the PIN step; the PIN links.
        await answer(base, `/activation/${linkAtCode.id}`, linkAtCode.browser, 'otp', { otp: CODE }, /name="pin"/);
        await answer(base, `/activation/${linkAtCode.id}`, linkAtCode.browser, 'pin', { pin: TEST_PIN }, /Account linked/);
        await answer(base, `/activation/${linkAtPin.id}`, linkAtPin.browser, 'pin', { pin: TEST_PIN }, /Account linked/);
        const failed = await clientWith(linkFailed.browser.cookie).get(`${base}/activation/${linkFailed.id}`);
        assert.match(failed.html, /Linking failed/);

        // Payments: held funds are paid on the PIN.
        await answer(base, `/pay/${payAtCode.token}`, payAtCode.browser, 'otp', { otp: CODE }, /name="pin"/);
        await answer(base, `/pay/${payAtCode.token}`, payAtCode.browser, 'pin', { pin: TEST_PIN }, /Payment successful/);
        await answer(base, `/pay/${payAtPin.token}`, payAtPin.browser, 'pin', { pin: TEST_PIN }, /Payment successful/);
        const statuses = await database.db.selectFrom('payments').select(['bill_no', 'status']).orderBy('bill_no').execute();
        assert.deepEqual(statuses, [{ bill_no: 'P-CODE', status: 'SUCCESS' }, { bill_no: 'P-PIN', status: 'SUCCESS' }]);

        // Wallet app: the sign-in goes on to the PIN and signs in; the phone changes complete.
        await answer(base, '/wallet/sign-in', signInAtCode, 'code', { otp: CODE }, /name="pin"/, '/wallet');
        await answer(base, '/wallet/sign-in', signInAtCode, 'pin', { pin: TEST_PIN }, /OVO Cash/, '/wallet');
        await answer(base, '/wallet/phone', changeAtCode, 'code', { otp: CODE }, /name="pin"/);
        await answer(base, '/wallet/phone', changeAtCode, 'pin', { pin: TEST_PIN }, /081349000012/);
        assert.equal((await findWallet(database.db, changer.id))!.phone, '081349000012');
        await answer(base, '/wallet/phone', changeAtPin, 'pin', { pin: TEST_PIN }, /081349000013/);
        assert.equal((await findWallet(database.db, pinChanger.id))!.phone, '081349000013');
      } finally {
        await gateway.close();
      }
    } finally {
      await database.close();
      await drop();
    }
  });
}

/** POSTs one step's form as the old browser would, follows the 303, and expects `shows` on the page it lands on. */
async function answer(base: string, path: string, browser: Browser, step: string, fields: Record<string, string>, shows: RegExp,
  page = path): Promise<PageResponse> {
  const client = clientWith(browser.cookie);
  const posted = await client.post(`${base}${path}/${step}`, { csrf_token: browser.csrf, ...fields });
  assert.equal(posted.status, 303, `${path}/${step}: ${posted.html.slice(0, 300)}`);
  const after = await client.get(`${base}${page}`);
  assert.match(after.html, shows, `${path}/${step} then ${page}`);
  if (/csrf_token/.test(after.html)) browser.csrf = csrfTokenOf(after.html);
  browser.cookie[1] = client.cookies.get(browser.cookie[0]) ?? browser.cookie[1];
  return after;
}

function clientWith([name, value]: [string, string]): FormClient {
  const client = new FormClient();
  client.cookies.set(name, value);
  return client;
}

/** The code columns as the old release wrote them after sending CODE for `key`. */
function sentCode(old: Old, key: string) {
  return {
    otp_hash: hashOtp(key, CODE, DEVELOPMENT_PIN_PEPPER), otp_expires_at: old.now + 5 * MINUTE, otp_attempts: 0, otp_sends: 1,
    otp_sent_at: old.now - MINUTE,
  };
}

const NO_CODE = { otp_hash: null, otp_expires_at: null, otp_attempts: 0, otp_sends: 1, otp_sent_at: null };

async function oldLinkSession(old: Old, id: string, walletId: bigint, state: 'otp' | 'pin' | 'failed') {
  const browser: Browser = { cookie: ['ovo_activation', token(`key${id}`)], csrf: token(`csrf${id}`) };
  await old.db.insertInto('link_sessions').values({
    id, merchant_id: '49001', phone: '081349000001', cust_name: 'Andrea', wallet_id: walletId, state,
    browser_key_hash: secretHash(browser.cookie[1]), csrf_token: browser.csrf,
    ...(state === 'otp' ? sentCode(old, id) : NO_CODE),
    result_code: state === 'failed' ? '01' : null, result_desc: state === 'failed' ? 'Cancelled by customer' : null,
    expires_at: old.now + 10 * MINUTE, created_at: old.now - MINUTE, finished_at: state === 'failed' ? old.now : null,
  }).execute();
  return { id, browser };
}

async function oldPayment(database: Database, old: Old, shop: { merchantId: string; settlementAccountId: bigint },
  wallet: { id: bigint; cashAccountId: bigint; phone: string }, billNo: string, step: 'otp' | 'pin') {
  const trxId = `90000000000000${billNo === 'P-CODE' ? '01' : '02'}`;
  const page = token(`page${billNo}`);
  const browser: Browser = { cookie: ['ovo_payment', token(`key${billNo}`)], csrf: token(`csrf${billNo}`) };
  await inTransaction(database, async (tx) => {
    const holdId = await hold(tx, {
      debitAccountId: wallet.cashAccountId, creditAccountId: shop.settlementAccountId, amount: 100_000n, reference: `payment:${trxId}`, now: old.now,
    });
    await (tx as unknown as Kysely<any>).insertInto('payments').values({
      trx_id: trxId, merchant_id: shop.merchantId, bill_no: billNo, fingerprint: 'fp', wallet_id: wallet.id, phone: wallet.phone,
      cust_name: 'Andrea', email: 'a@example.com', bill_desc: 'Old order', amount: 100_000, pay_type: '0', cash_amount: 100_000,
      points_amount: 0, cash_hold_id: holdId, points_hold_id: null, status: 'PENDING', payment_reff: '', page_token: page, needs_otp: 1,
      auth_step: step, browser_key_hash: secretHash(browser.cookie[1]), csrf_token: browser.csrf,
      ...(step === 'otp' ? sentCode(old, `payment:${trxId}`) : NO_CODE),
      failure_reason: null, cancel_reason: null, created_at: old.now - MINUTE, expires_at: old.now + 10 * MINUTE, finished_at: null,
    }).execute();
  });
  return { token: page, browser };
}

async function oldWalletSession(old: Old, cookie: string, phone: string, walletId: bigint,
  at: { state: 'otp' } | { state: 'active'; change: 'otp' | 'pin'; newPhone: string }): Promise<Browser> {
  const id = secretHash(cookie);
  const csrf = token(`csrf${cookie}`);
  const key = at.state === 'otp' ? `wallet:${id}:sign_in:${phone}` : `wallet:${id}:change_phone:${at.newPhone}`;
  const codeSent = at.state === 'otp' || at.change === 'otp';
  await old.db.insertInto('wallet_sessions').values({
    id, phone, wallet_id: walletId, state: at.state, csrf_token: csrf, ...(codeSent ? sentCode(old, key) : NO_CODE),
    new_phone: at.state === 'active' ? at.newPhone : null, change_state: at.state === 'active' ? at.change : null,
    flash: null, flash_kind: null, end_reason: null, created_at: old.now - MINUTE,
    idle_expires_at: old.now + 10 * MINUTE, expires_at: old.now + 60 * MINUTE, ended_at: null,
  }).execute();
  return { cookie: ['ovo_wallet', cookie], csrf };
}

