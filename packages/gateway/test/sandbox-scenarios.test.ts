// Proves on SQLite and PostgreSQL, over real HTTP and the real CLI, that each sandbox scenario puts a test wallet into its state at once (balances through a balanced ledger, an expired or broken link, a new phone number, a locked PIN) or arms the next payments or calls, which then answer on the merchant's wire exactly as the real event does (01, 02, a FAILED or EXPIRED notification, a pending payment that expires, a chosen response code in JSON and XML); that the last armed use goes to exactly one of many concurrent calls; that scenarios are listed, disarmed and reset; that bad input is refused naming the field and changes nothing; and that outside sandbox mode /sandbox/scenarios does not exist and the CLI refuses clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationName, WireFormat } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { withScenarios } from '../src/api/sandbox/scenarios.ts';
import { OPERATIONS_BY_NAME } from '../src/api/operations/index.ts';
import { expirePayments } from '../src/services/payments.ts';
import { checkLedger } from '../src/store/ledger-check.ts';
import { findWallet, findWalletByPhone } from '../src/store/wallets.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { FormClient, callOperation, csrfTokenOf, decodeHtml, type Reply } from './support/gateway.ts';
import {
  countPayments, fundedWallet, inPool, linkThroughStore, reloadPayment, startNotificationReceiver, startPaymentsGateway, walletMoney,
  type NotificationReceiver, type PaymentsGateway,
} from './support/payments.ts';

const PIN = '123456';
let phoneSerial = 0;
/** A fresh phone per test, so tests never share a wallet. */
function nextPhone(): string {
  phoneSerial += 1;
  return `0812${String(70_000_000 + phoneSerial)}`;
}

interface Env {
  gw: PaymentsGateway;
  receiver: NotificationReceiver;
  /** PIN payments only (pinless limit 0), notified in JSON. */
  shop: Merchant;
  /** Pays up to Rp 100.000 without a PIN, notified in XML: armed outcomes must still take the hosted page. */
  pinless: Merchant;
}

async function startEnv(kind: 'sqlite' | 'postgres'): Promise<Env> {
  const receiver = await startNotificationReceiver();
  const notifyUrl = receiver.url;
  const gw = await startPaymentsGateway(kind, {
    merchants: [
      { merchantId: '71001', name: 'Scenario Shop', userId: 'bot71001', password: 'pw-71001', notifyUrl, notifyFormat: 'json' },
      { merchantId: '71002', name: 'Pinless Shop', userId: 'bot71002', password: 'pw-71002', notifyUrl, notifyFormat: 'xml', pinlessLimit: 100_000n },
    ],
    config: { api_rate_per_s: 0 },
  });
  return { gw, receiver, shop: gw.merchants[0]!, pinless: gw.merchants[1]! };
}

/** A funded wallet linked to both shops. */
async function customer(env: Env, cash = 500_000n, points = 10_000n): Promise<Wallet> {
  const wallet = await fundedWallet(env.gw.database, { phone: nextPhone(), cash, points });
  await linkThroughStore(env.gw.ctx, env.shop.merchantId, wallet);
  await linkThroughStore(env.gw.ctx, env.pinless.merchantId, wallet);
  return wallet;
}

async function sandbox(env: Env, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any; raw: string }> {
  const res = await fetch(`${env.gw.url}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, raw };
}

async function addScenario(env: Env, body: Record<string, unknown>): Promise<any> {
  const r = await sandbox(env, 'POST', '/sandbox/scenarios', body);
  assert.equal(r.status, 201, r.raw);
  return r.body.scenario;
}

function call(env: Env, merchant: Merchant, op: OperationName, fields: Record<string, string>, format: WireFormat = 'json'): Promise<Reply> {
  return callOperation(env.gw.url, op, { merchant_id: merchant.merchantId, payment_channel: '720', ...fields }, format, merchant);
}

let billSerial = 0;
function pay(env: Env, merchant: Merchant, phone: string, total: bigint, format: WireFormat = 'json'): Promise<Reply> {
  billSerial += 1;
  return call(env, merchant, 'payment', {
    request: 'Payment OVO Open API', bill_no: `SCN-${billSerial}`, bill_desc: 'Kopi susu', bill_total: String(total), bill_currency: 'IDR',
    phone_no: phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: '0',
  }, format);
}

function balance(env: Env, merchant: Merchant, phone: string, format: WireFormat = 'json'): Promise<Reply> {
  return call(env, merchant, 'balance', { phone_no: phone }, format);
}

async function assertLedgerBalanced(env: Env): Promise<void> {
  assert.deepEqual((await checkLedger(env.gw.database.db)).violations, [], 'ledger check holds');
}

for (const kind of DATABASE_KINDS) {
  test(`sandbox scenarios (${kind})`, async (t) => {
    const env = await startEnv(kind);

    await t.test('set_balance sets both balances through the ledger, up and down, and the merchant sees them', async () => {
      const wallet = await customer(env, 500_000n, 10_000n);
      const up = await addScenario(env, { type: 'set_balance', phone_no: wallet.phone, cash: 2_500_000, points: '0' });
      assert.deepEqual({ ...up, id: undefined, created_at: undefined }, {
        id: undefined, type: 'set_balance', phone_no: wallet.phone, cash: '2500000', points: '0', state: 'applied', remaining: null, created_at: undefined,
      });
      let reply = await balance(env, env.shop, wallet.phone);
      assert.equal(reply.body.detail.cash.balance, '2500000', reply.raw);
      assert.equal(reply.body.detail.points.balance, '0', reply.raw);
      await addScenario(env, { type: 'set_balance', phone_no: wallet.phone, cash: '1000' });
      reply = await balance(env, env.shop, wallet.phone, 'xml');
      assert.equal(reply.body.detail.cash.balance, '1000', reply.raw);
      assert.equal(reply.body.detail.points.balance, '0', 'points left as they were');
      await assertLedgerBalanced(env);
      // The real insufficient-balance refusal follows from it.
      const refused = await pay(env, env.shop, wallet.phone, 5_000n);
      assert.equal(refused.body.response_code, '01', refused.raw);
      assert.match(refused.body.response_desc, /^Failed: Insufficient balance/);
    });

    await t.test('expire_link: the next payment answers 02 with a relink url; an unknown link is 404', async () => {
      const wallet = await customer(env);
      const other = await fundedWallet(env.gw.database, { phone: nextPhone(), cash: 1n, points: 0n });
      const missing = await sandbox(env, 'POST', '/sandbox/scenarios', { type: 'expire_link', phone_no: other.phone, merchant_id: env.shop.merchantId });
      assert.equal(missing.status, 404, missing.raw);
      assert.match(missing.body.error, /no live link with merchant 71001/);
      await addScenario(env, { type: 'expire_link', phone_no: wallet.phone, merchant_id: env.shop.merchantId });
      const reply = await pay(env, env.shop, wallet.phone, 10_000n);
      assert.equal(reply.body.response_code, '02', reply.raw);
      assert.equal(reply.body.response_desc, 'Failed, please regenerate payment token');
      assert.match(reply.body.url, /\/activation\//);
      assert.equal((await balance(env, env.pinless, wallet.phone)).body.response_code, '00', 'the other shop\'s link still works');
    });

    await t.test('break_link: the customer\'s unlink; balance answers 02', async () => {
      const wallet = await customer(env);
      await addScenario(env, { type: 'break_link', phone_no: wallet.phone, merchant_id: env.pinless.merchantId });
      const reply = await balance(env, env.pinless, wallet.phone, 'xml');
      assert.equal(reply.body.response_code, '02', reply.raw);
      assert.match(reply.body.url, /\/activation\//);
      const link = await env.gw.database.db.selectFrom('links').select(['status', 'ended_by'])
        .where('wallet_id', '=', wallet.id).where('merchant_id', '=', env.pinless.merchantId).executeTakeFirstOrThrow();
      assert.deepEqual(link, { status: 'ended', ended_by: 'customer' });
      const again = await sandbox(env, 'POST', '/sandbox/scenarios', { type: 'break_link', phone_no: wallet.phone, merchant_id: env.pinless.merchantId });
      assert.equal(again.status, 404, 'no live link is left to break');
    });

    await t.test('change_phone: every link stops working; a taken number is refused', async () => {
      const wallet = await customer(env);
      const neighbour = await customer(env);
      const taken = await sandbox(env, 'POST', '/sandbox/scenarios', { type: 'change_phone', phone_no: wallet.phone, new_phone_no: neighbour.phone });
      assert.equal(taken.status, 409, taken.raw);
      assert.match(taken.body.error, /new_phone_no/);
      const newPhone = nextPhone();
      await addScenario(env, { type: 'change_phone', phone_no: wallet.phone, new_phone_no: newPhone.replace(/^0/, '+62') });
      const moved = (await findWallet(env.gw.database.db, wallet.id))!;
      assert.equal(moved.phone, newPhone);
      assert.equal(moved.phoneVersion, wallet.phoneVersion + 1n);
      for (const merchant of [env.shop, env.pinless]) {
        const reply = await pay(env, merchant, newPhone, 10_000n);
        assert.equal(reply.body.response_code, '02', `links made under the old number are dead: ${reply.raw}`);
      }
      assert.equal(await findWalletByPhone(env.gw.database.db, wallet.phone), undefined, 'the old number has no wallet');
    });

    await t.test('lock_pin: the PIN is locked; a payment authorised with the right PIN fails (3)', async () => {
      const wallet = await customer(env);
      const scenario = await addScenario(env, { type: 'lock_pin', phone_no: wallet.phone });
      const locked = (await findWallet(env.gw.database.db, wallet.id))!;
      assert.ok(locked.pinLockedUntil !== null && locked.pinLockedUntil > env.gw.clock.now() + (env.gw.ctx.config.pin_lock_s - 60) * 1000);
      assert.match(scenario.locked_until, /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/);
      const reply = await pay(env, env.shop, wallet.phone, 20_000n);
      assert.equal(reply.body.status, 'PENDING', reply.raw);
      const client = new FormClient();
      const page = await client.get(reply.body.redirectURL);
      const after = await client.submit(`${reply.body.redirectURL}/pin`, { csrf_token: csrfTokenOf(page.html), pin: PIN });
      assert.match(decodeHtml(after.html), /PIN is locked/);
      assert.equal((await reloadPayment(env.gw.database, reply.body.trx_id)).failureReason, 'PIN locked');
      await env.receiver.waitFor(reply.body.trx_id, '3');
    });

    await t.test('payment_outcome insufficient_funds: the next N payments answer 01 and hold nothing', async () => {
      const wallet = await customer(env);
      const armed = await addScenario(env, { type: 'payment_outcome', phone_no: wallet.phone, outcome: 'insufficient_funds', count: 2 });
      assert.equal(armed.state, 'armed');
      assert.equal(armed.remaining, 2);
      const before = await walletMoney(env.gw.database, wallet);
      const payments = await countPayments(env.gw.database);
      for (const format of ['json', 'xml'] as const) {
        const reply = await pay(env, env.shop, wallet.phone, 10_000n, format);
        assert.equal(reply.status, 200);
        assert.equal(reply.body.response_code, '01', reply.raw);
        assert.match(reply.body.response_desc, /^Failed: Insufficient balance: the payment needs Rp 10000/);
        assert.equal(reply.body.trx_id, '');
      }
      assert.deepEqual(await walletMoney(env.gw.database, wallet), before, 'nothing held or moved');
      assert.equal(await countPayments(env.gw.database), payments, 'no payment recorded');
      const third = await pay(env, env.shop, wallet.phone, 10_000n);
      assert.equal(third.body.response_code, '00', `the count is used up: ${third.raw}`);
      const listed = (await sandbox(env, 'GET', '/sandbox/scenarios')).body.scenarios.find((s: any) => s.id === armed.id);
      assert.equal(listed.state, 'used');
      assert.equal(listed.remaining, 0);
    });

    for (const [outcome, status, code] of [['failed', 'FAILED', '3'], ['expired', 'EXPIRED', '7']] as const) {
      await t.test(`payment_outcome ${outcome}: accepted pending (even under the pinless limit), then ${status} with notification ${code}`, async () => {
        const wallet = await customer(env);
        const before = await walletMoney(env.gw.database, wallet);
        await addScenario(env, { type: 'payment_outcome', phone_no: wallet.phone, outcome });
        const reply = await pay(env, env.pinless, wallet.phone, 30_000n, 'xml');
        assert.equal(reply.body.response_code, '00', reply.raw);
        assert.equal(reply.body.status, 'PENDING', 'as a PIN payment answers before the customer acts');
        const notification = await env.receiver.waitFor(reply.body.trx_id, code);
        assert.equal(notification.fields.payment_status_code, code);
        assert.ok(notification.contentType.startsWith('application/xml'));
        const payment = await reloadPayment(env.gw.database, reply.body.trx_id);
        assert.equal(payment.status, status);
        if (outcome === 'expired') assert.equal(payment.failureReason, 'Payment expired');
        assert.deepEqual(await walletMoney(env.gw.database, wallet), before, 'the hold is released');
        const inquiry = await callOperation(env.gw.url, 'payment-status', {
          request: 'Inquiry Payment Status', trx_id: payment.trxId, merchant_id: env.pinless.merchantId, bill_no: payment.billNo,
        }, 'json', env.pinless);
        assert.equal(inquiry.body.payment_status_code, code, inquiry.raw);
        // The customer who opens the page sees the outcome.
        const page = await new FormClient().get(reply.body.redirectURL);
        assert.match(decodeHtml(page.html), outcome === 'failed' ? /Payment failed/ : /expired/i);
        const next = await pay(env, env.pinless, wallet.phone, 30_000n);
        assert.equal(next.body.status, 'SUCCESS', 'used up: the next one is pinless again');
      });
    }

    await t.test('payment_outcome pending: pinless payment stays pending, then expires normally (7)', async () => {
      const wallet = await customer(env);
      await addScenario(env, { type: 'payment_outcome', phone_no: wallet.phone, outcome: 'pending' });
      const reply = await pay(env, env.pinless, wallet.phone, 15_000n);
      assert.equal(reply.body.status, 'PENDING', reply.raw);
      assert.equal((await reloadPayment(env.gw.database, reply.body.trx_id)).status, 'PENDING');
      env.gw.clock.advance((env.gw.ctx.config.payment_ttl_s + 1) * 1000);
      try {
        await expirePayments(env.gw.ctx);
        await env.receiver.waitFor(reply.body.trx_id, '7');
        assert.equal((await reloadPayment(env.gw.database, reply.body.trx_id)).status, 'EXPIRED');
      } finally {
        env.gw.clock.advance(-(env.gw.ctx.config.payment_ttl_s + 1) * 1000);
      }
    });

    await t.test('response_code: the operation answers the code (JSON and XML, every reply field), does nothing, N times', async () => {
      const wallet = await customer(env);
      await addScenario(env, { type: 'response_code', operation: 'balance', response_code: '96', count: 2 });
      const json = await balance(env, env.shop, wallet.phone);
      assert.equal(json.status, 500, 'as the gateway\'s own failure answers (PROTOCOL §3)');
      assert.deepEqual(Object.keys(json.body), ['response', 'phone_no', 'payment_channel', 'merchant_id', 'detail', 'response_code', 'response_desc', 'url']);
      assert.equal(json.body.response_code, '96');
      assert.equal(json.body.response_desc, 'System Malfunction');
      assert.equal(json.body.phone_no, wallet.phone);
      const xml = await balance(env, env.pinless, wallet.phone, 'xml');
      assert.ok(xml.raw.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
      assert.equal(xml.body.response_code, '96', xml.raw);
      assert.equal((await balance(env, env.shop, wallet.phone)).body.response_code, '00', 'used up');

      // Limited to one merchant, on payment: no payment is made, the other merchant is unaffected.
      await addScenario(env, { type: 'response_code', operation: 'payment', response_code: 63, merchant_id: env.shop.merchantId });
      const payments = await countPayments(env.gw.database);
      const other = await pay(env, env.pinless, wallet.phone, 5_000n, 'xml');
      assert.equal(other.body.response_code, '00', other.raw);
      const forced = await pay(env, env.shop, wallet.phone, 5_000n, 'xml');
      assert.equal(forced.status, 200);
      assert.equal(forced.body.response_code, '63', forced.raw);
      assert.equal(forced.body.response_desc, 'Not Active / Suspended');
      assert.equal(forced.body.trx_id, '');
      assert.equal(await countPayments(env.gw.database), payments + 1, 'only the other merchant\'s payment was made');
      // A call that fails authentication does not use it up.
      await addScenario(env, { type: 'response_code', operation: 'balance', response_code: '01' });
      const badSignature = await callOperation(env.gw.url, 'balance', {
        merchant_id: env.shop.merchantId, payment_channel: '720', phone_no: wallet.phone, signature: 'f'.repeat(40),
      }, 'json', env.shop, { keepSignature: true });
      assert.equal(badSignature.body.response_code, '55');
      assert.equal((await balance(env, env.shop, wallet.phone)).body.response_code, '01');
    });

    await t.test('the last armed use goes to exactly one of many concurrent calls', async () => {
      const wallet = await customer(env, 10_000_000n);
      await addScenario(env, { type: 'payment_outcome', phone_no: wallet.phone, outcome: 'insufficient_funds', count: 3 });
      const replies = await inPool(Array.from({ length: 16 }, (_, i) => i), 16, () => pay(env, env.pinless, wallet.phone, 1_000n));
      const codes = replies.map((r) => r.body.response_code as string).sort();
      assert.deepEqual(codes, [...Array(13).fill('00'), '01', '01', '01'], 'exactly the armed count was refused');
      await addScenario(env, { type: 'response_code', operation: 'balance', response_code: '96', count: 1 });
      const balances = await inPool(Array.from({ length: 12 }, (_, i) => i), 12, () => balance(env, env.shop, wallet.phone));
      assert.equal(balances.filter((r) => r.body.response_code === '96').length, 1);
      assert.equal(balances.filter((r) => r.body.response_code === '00').length, 11);
      await assertLedgerBalanced(env);
    });

    await t.test('scenarios are listed, disarmed one by one and reset', async () => {
      const wallet = await customer(env);
      const armed = await addScenario(env, { type: 'payment_outcome', phone_no: wallet.phone, outcome: 'failed', count: 5 });
      const listed = await sandbox(env, 'GET', '/sandbox/scenarios');
      assert.equal(listed.status, 200);
      assert.ok(listed.body.scenarios.some((s: any) => s.id === armed.id && s.state === 'armed' && s.remaining === 5));
      const removed = await sandbox(env, 'DELETE', `/sandbox/scenarios/${armed.id}`);
      assert.equal(removed.status, 200, removed.raw);
      assert.equal(removed.body.scenario.state, 'disarmed');
      assert.equal((await pay(env, env.pinless, wallet.phone, 1_000n)).body.status, 'SUCCESS', 'a disarmed scenario does nothing');
      assert.equal((await sandbox(env, 'DELETE', '/sandbox/scenarios/987654')).status, 404);
      assert.equal((await sandbox(env, 'DELETE', '/sandbox/scenarios/abc')).status, 400);

      await addScenario(env, { type: 'response_code', operation: 'balance', response_code: '96', count: 3 });
      const reset = await sandbox(env, 'POST', '/sandbox/scenarios/reset');
      assert.equal(reset.status, 200, reset.raw);
      assert.ok(reset.body.removed >= 2);
      assert.deepEqual((await sandbox(env, 'GET', '/sandbox/scenarios')).body, { scenarios: [] });
      assert.equal((await balance(env, env.shop, wallet.phone)).body.response_code, '00', 'reset disarms');
    });

    await t.test('bad input answers 400 naming the field and records nothing; unknown wallet or merchant 404', async () => {
      const wallet = await customer(env);
      await sandbox(env, 'POST', '/sandbox/scenarios/reset');
      const cases: Array<[unknown, number, RegExp]> = [
        ['not json', 400, /JSON object/],
        ['[1,2]', 400, /JSON object/],
        [{}, 400, /^type must be one of/],
        [{ type: 'explode' }, 400, /^type must be one of/],
        [{ type: 'set_balance', phone_no: wallet.phone }, 400, /cash, points or both/],
        [{ type: 'set_balance', phone_no: wallet.phone, cash: -1 }, 400, /^cash must be/],
        [{ type: 'set_balance', phone_no: wallet.phone, points: 1.5 }, 400, /^points must be/],
        [{ type: 'set_balance', phone_no: wallet.phone, cash: '99999999999999999' }, 400, /^cash must be/],
        [{ type: 'set_balance', phone_no: '12345', cash: 1 }, 400, /^phone_no must be/],
        [{ type: 'lock_pin' }, 400, /^phone_no must be/],
        [{ type: 'expire_link', phone_no: wallet.phone }, 400, /^merchant_id is required/],
        [{ type: 'break_link', phone_no: wallet.phone, merchant_id: 'abc' }, 400, /^merchant_id must be/],
        [{ type: 'change_phone', phone_no: wallet.phone, new_phone_no: 'x' }, 400, /^new_phone_no must be/],
        [{ type: 'change_phone', phone_no: wallet.phone, new_phone_no: wallet.phone }, 400, /^new_phone_no is/],
        [{ type: 'payment_outcome', phone_no: wallet.phone, outcome: 'lost' }, 400, /^outcome must be one of/],
        [{ type: 'payment_outcome', phone_no: wallet.phone, outcome: 'failed', count: 0 }, 400, /^count must be/],
        [{ type: 'payment_outcome', phone_no: wallet.phone, outcome: 'failed', count: 1001 }, 400, /^count must be/],
        [{ type: 'response_code', operation: 'refund', response_code: '96' }, 400, /^operation must be one of/],
        [{ type: 'response_code', operation: 'balance', response_code: '00' }, 400, /^response_code must be one of/],
        [{ type: 'response_code', operation: 'balance', response_code: '42' }, 400, /^response_code must be one of/],
        [{ type: 'response_code', operation: 'balance', response_code: '96', merchant_id: '55555' }, 404, /no merchant 55555/],
        [{ type: 'lock_pin', phone_no: '081299999999' }, 404, /no OVO wallet with phone_no 081299999999/],
        [{ type: 'payment_outcome', phone_no: '081299999999', outcome: 'failed' }, 404, /no OVO wallet/],
      ];
      const walletBefore = await findWallet(env.gw.database.db, wallet.id);
      const moneyBefore = await walletMoney(env.gw.database, wallet);
      for (const [body, status, message] of cases) {
        const r = await sandbox(env, 'POST', '/sandbox/scenarios', body);
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.raw}`);
        assert.deepEqual(Object.keys(r.body), ['error'], r.raw);
        assert.match(r.body.error, message, JSON.stringify(body));
      }
      assert.deepEqual((await sandbox(env, 'GET', '/sandbox/scenarios')).body, { scenarios: [] }, 'nothing recorded');
      assert.deepEqual(await findWallet(env.gw.database.db, wallet.id), walletBefore, 'the wallet is unchanged');
      assert.deepEqual(await walletMoney(env.gw.database, wallet), moneyBefore);
    });

    await t.test('the CLI adds, lists, removes and resets through the running gateway', async () => {
      const wallet = await customer(env);
      const gateway = ['--gateway', env.gw.url];
      const added = await runCommand(['sandbox', 'scenario', 'add', 'set_balance', '--phone', wallet.phone, '--cash', '12345', '--points', '7', ...gateway]);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /^scenario [0-9]+ applied: phone_no=0812[0-9]+ cash=12345 points=7$/m);
      assert.equal((await balance(env, env.shop, wallet.phone)).body.detail.cash.balance, '12345');
      const armed = await runCommand(['sandbox', 'scenario', 'add', 'payment_outcome', '--phone', wallet.phone, '--outcome', 'expired', '--count', '2', ...gateway]);
      assert.equal(armed.code, 0, armed.stderr);
      const id = /^scenario ([0-9]+) armed/m.exec(armed.stdout)?.[1];
      assert.ok(id, armed.stdout);
      const list = await runCommand(['sandbox', 'scenario', 'list', ...gateway]);
      assert.match(list.stdout, /^id\s+type\s+state\s+remaining\s+details\s+created$/m);
      assert.match(list.stdout, new RegExp(`^${id}\\s+payment_outcome\\s+armed\\s+2\\s+phone_no=${wallet.phone} outcome=expired`, 'm'));
      const removed = await runCommand(['sandbox', 'scenario', 'remove', id, ...gateway]);
      assert.match(removed.stdout, new RegExp(`scenario ${id} is disarmed`));
      const refused = await runCommand(['sandbox', 'scenario', 'add', 'lock_pin', '--phone', '0812', ...gateway]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refused \(400\): phone_no must be an Indonesian mobile number/);
      const help = await runCommand(['sandbox', 'scenario', 'add', '--help']);
      for (const type of ['set_balance', 'expire_link', 'break_link', 'change_phone', 'lock_pin', 'payment_outcome', 'response_code']) {
        assert.match(help.stdout, new RegExp(`^  ${type} `, 'm'), `help shows ${type}`);
      }
      const reset = await runCommand(['sandbox', 'scenario', 'reset', ...gateway]);
      assert.match(reset.stdout, /^[0-9]+ scenarios? removed$/m);
      assert.match((await runCommand(['sandbox', 'scenario', 'list', ...gateway])).stdout, /^\(none\)$/m);
    });
  });

  test(`outside sandbox mode /sandbox/scenarios does not exist and the CLI refuses (${kind})`, async () => {
    const gw = await startPaymentsGateway(kind, { config: { sandbox: false } });
    for (const [method, path] of [['GET', '/sandbox/scenarios'], ['POST', '/sandbox/scenarios'], ['POST', '/sandbox/scenarios/reset'], ['DELETE', '/sandbox/scenarios/1']] as const) {
      const res = await fetch(`${gw.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{"type":"lock_pin","phone_no":"081234567890"}' : undefined });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.doesNotMatch(await res.text(), /"error"/, 'the gateway\'s own 404 page');
    }
    for (const args of [['list'], ['add', 'lock_pin', '--phone', '081234567890'], ['remove', '1'], ['reset']]) {
      const run = await runCommand(['sandbox', 'scenario', ...args, '--gateway', gw.url]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, /is not in sandbox mode: sandbox commands work only against a gateway started without --no-sandbox/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'a clear message, not a stack trace');
    }
    // The operation routes carry no scenario hook at all outside sandbox mode.
    for (const operation of Object.values(OPERATIONS_BY_NAME)) assert.equal(withScenarios(gw.ctx, operation), operation);
    const empty = await gw.database.db.selectFrom('sandbox_scenarios').select('id').execute();
    assert.deepEqual(empty, []);
  });
}
