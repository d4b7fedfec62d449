// Proves, over real HTTP on SQLite and PostgreSQL, that parallel posts from the bound browser never get an attempt counter past its limit: activation, payment-page, wallet sign-in and phone-change codes compare at most otp_attempts_max codes and then end their flow, "send a new code" sends at most one code per resend interval and never more than the flow's send limit, wrong PINs raced across every PIN page at once hash at most pin_attempts_max before the shared lock, and "send a new code" answers the same way on every page.
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { GatewayConfig } from '../src/config.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { WALLET_APP_LIMITS } from '../src/services/wallet-app-session.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { listSmsMessages } from '../src/store/sms-messages.ts';
import { findWallet } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  FormClient, activate, callOperation, csrfTokenOf, startReceiver, startTestGateway, type PageResponse, type TestGateway,
} from './support/gateway.ts';
import { TEST_PIN, fundedWallet, linkThroughStore, startNotificationReceiver, walletMoney } from './support/payments.ts';

/** Rounds per counter and database; OVO_RACE_ROUNDS raises it for a longer hunt. */
const RACE_ROUNDS = Number(process.env.OVO_RACE_ROUNDS ?? 10);
/** Each of the two resend rules races in rounds of its own: half the rounds each keeps the file within a minute. */
const RESEND_ROUNDS = Math.ceil(RACE_ROUNDS / 2);
const PARALLEL_POSTS = 40;
const SPREAD_MS = 40;
const WRONG_PIN = '000000';
/** The races are the point: the per-IP limit on page posts would refuse most of them first. */
const UNLIMITED_POSTS: Partial<GatewayConfig> = { page_post_rate_per_s: 0, page_post_burst: 0 };
const OPENING_CASH = 100_000n;

let phoneSerial = 0;
function nextPhone(): string {
  phoneSerial += 1;
  return `0857${String(phoneSerial).padStart(8, '0')}`;
}

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

async function smsCount(gw: TestGateway, phone: string): Promise<number> {
  return (await listSmsMessages(gw.database.db, phone, 1000)).length;
}

async function latestCode(gw: TestGateway, phone: string): Promise<string> {
  const [sms] = await listSmsMessages(gw.database.db, phone, 1);
  assert.ok(sms, `a code was sent to ${phone}`);
  return /\b([0-9]{6})\b/.exec(sms.text)![1]!;
}

/**
 * Fires PARALLEL_POSTS posts, their starts spread over SPREAD_MS: posts that all land in the same instant
 * read the same state, and a stale-read race needs some to land while others are writing (measured: over
 * 1–20 ms the old activation race hardly ever showed on PostgreSQL, over 40 ms in most runs of 30 rounds).
 */
function parallel(post: (i: number) => Promise<PageResponse>): Promise<PageResponse[]> {
  return Promise.all(Array.from({ length: PARALLEL_POSTS }, (_, i) => delay(i % SPREAD_MS).then(() => post(i))));
}

function assertAnswered(answers: readonly PageResponse[]): void {
  for (const a of answers) assert.ok([200, 303, 422].includes(a.status), `answered ${a.status}:\n${a.html.slice(0, 400)}`);
}

function countMatching(answers: readonly PageResponse[], pattern: RegExp): number {
  return answers.filter((a) => pattern.test(a.html)).length;
}

/** One flow waiting for a code, in the browser bound to it (cookie and CSRF token). */
interface CodeStep {
  /** Where its codes are sent. */
  readonly phone: string;
  submitCode(otp: string): Promise<PageResponse>;
  resend(): Promise<PageResponse>;
  /** The attempt and send counters as the database holds them. */
  counters(): Promise<{ attempts: number; sends: number }>;
  /** Asserts the flow ended the way too many wrong codes end it. */
  assertUsedUp(): Promise<void>;
  /** How many codes this flow may send in all. */
  readonly sendsMax: number;
}

interface Env {
  gw: TestGateway;
  shop: MerchantInput;
  otpShop: MerchantInput;
}

async function startEnv(kind: (typeof DATABASE_KINDS)[number], config: Partial<GatewayConfig>): Promise<Env> {
  const callbacks = await startReceiver();
  const notify = await startNotificationReceiver();
  const shop: MerchantInput = {
    merchantId: '41001', name: 'Kopi Senja', userId: 'bot41001', password: 'secret-41001',
    callbackUrl: `${callbacks.url}/cb`, notifyUrl: notify.url,
  };
  const otpShop: MerchantInput = { ...shop, merchantId: '41002', name: 'Toko Buku', userId: 'bot41002', password: 'secret-41002', paymentOtp: true };
  const gw = await startTestGateway(kind, { merchants: [shop, otpShop], config: { ...UNLIMITED_POSTS, ...config } });
  return { gw, shop, otpShop };
}

async function outboxRowsMentioning(gw: TestGateway, text: string): Promise<number> {
  const rows = await gw.database.db.selectFrom('outbox').select(['url', 'body']).execute();
  return rows.filter((r) => r.url.includes(text) || (r.body ?? '').includes(text)).length;
}

// ——— the four flows that take codes ———

async function activationStep(env: Env, phone = nextPhone()): Promise<CodeStep & { url: string; client: FormClient; csrf: string }> {
  const { gw } = env;
  const url = await activate(gw.url, env.shop, phone);
  const client = new FormClient();
  const csrf = csrfTokenOf((await client.get(url)).html);
  const row = () => gw.database.db.selectFrom('link_sessions').selectAll()
    .where('id', '=', decodeURIComponent(new URL(url).pathname.split('/')[2]!)).executeTakeFirstOrThrow();
  return {
    phone, url, client, csrf, sendsMax: gw.gateway.ctx.config.otp_sends_max,
    submitCode: (otp) => client.post(`${url}/otp`, { csrf_token: csrf, otp }),
    resend: () => client.post(`${url}/resend`, { csrf_token: csrf }),
    counters: async () => codeCounters(gw, (await row()).id ?? ''),
    async assertUsedUp() {
      const r = await row();
      assert.equal(r.state, 'failed');
      assert.equal(r.result_desc, 'Too many wrong verification codes');
      assert.equal(await outboxRowsMentioning(gw, `phone_number=${phone}`), 1, 'one callback for one ended session');
    },
  };
}

async function paymentPage(env: Env, merchant: MerchantInput, wallet: Wallet): Promise<{ url: string; trxId: string; client: FormClient; csrf: string }> {
  const { gw } = env;
  await linkThroughStore(gw.gateway.ctx, merchant.merchantId, wallet);
  const reply = await callOperation(gw.url, 'payment', {
    request: 'Payment OVO OpenAPI', merchant_id: merchant.merchantId, bill_no: `RACE-${wallet.phone}-${merchant.merchantId}`,
    bill_desc: 'Kopi susu', bill_total: '25000', bill_currency: 'IDR', payment_channel: '720', phone_no: wallet.phone,
    cust_name: 'Sari Dewi', email: 'sari@example.com', pay_type: '0',
  }, 'json', merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  const url = reply.body.redirectURL as string;
  const client = new FormClient();
  const csrf = csrfTokenOf((await client.get(url)).html);
  return { url, trxId: reply.body.trx_id as string, client, csrf };
}

async function paymentStep(env: Env): Promise<CodeStep> {
  const { gw } = env;
  const phone = nextPhone();
  const wallet = await fundedWallet(gw.database, { phone, cash: OPENING_CASH, points: 0n }, gw.clock.now());
  const { url, trxId, client, csrf } = await paymentPage(env, env.otpShop, wallet);
  const row = () => gw.database.db.selectFrom('payments').selectAll().where('trx_id', '=', trxId).executeTakeFirstOrThrow();
  return {
    phone, sendsMax: gw.gateway.ctx.config.otp_sends_max,
    submitCode: (otp) => client.post(`${url}/otp`, { csrf_token: csrf, otp }),
    resend: () => client.post(`${url}/resend`, { csrf_token: csrf }),
    counters: () => codeCounters(gw, trxId),
    async assertUsedUp() {
      const r = await row();
      assert.equal(r.status, 'FAILED');
      assert.equal(r.failure_reason, 'Too many wrong verification codes');
      const money = await walletMoney(gw.database, wallet);
      assert.equal(money.cashHeld, 0n, 'the hold is released');
      assert.equal(money.cashAvailable, OPENING_CASH);
      assert.equal(await outboxRowsMentioning(gw, trxId), 1, 'one notification for one ended payment');
    },
  };
}

/** A wallet-app browser that has asked to sign in with `phone` and is on the code step. */
async function startWalletSignIn(gw: TestGateway, phone: string): Promise<{ client: FormClient; csrf: string }> {
  const client = new FormClient();
  const form = await client.get(`${gw.url}/wallet`);
  const started = await client.post(`${gw.url}/wallet/sign-in`, { csrf_token: csrfTokenOf(form.html), phone });
  assert.equal(started.status, 303, started.html);
  return { client, csrf: csrfTokenOf((await client.get(`${gw.url}/wallet`)).html) };
}

function walletSessionOf(gw: TestGateway, phone: string) {
  return gw.database.db.selectFrom('wallet_sessions').selectAll().where('phone', '=', phone).orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
}

async function signInStep(env: Env): Promise<CodeStep> {
  const { gw } = env;
  const phone = nextPhone();
  await fundedWallet(gw.database, { phone, cash: OPENING_CASH, points: 0n }, gw.clock.now());
  const { client, csrf } = await startWalletSignIn(gw, phone);
  return {
    phone, sendsMax: gw.gateway.ctx.config.otp_sends_max,
    submitCode: (otp) => client.post(`${gw.url}/wallet/sign-in/code`, { csrf_token: csrf, otp }),
    resend: () => client.post(`${gw.url}/wallet/sign-in/resend`, { csrf_token: csrf }),
    counters: async () => codeCounters(gw, (await walletSessionOf(gw, phone)).id),
    async assertUsedUp() {
      const r = await walletSessionOf(gw, phone);
      assert.equal(r.state, 'ended');
      assert.equal(r.end_reason, 'otp_attempts');
    },
  };
}

/** A signed-in wallet-app browser (code, then PIN). */
async function signedIn(gw: TestGateway, phone: string): Promise<FormClient> {
  const { client, csrf } = await startWalletSignIn(gw, phone);
  const code = await client.post(`${gw.url}/wallet/sign-in/code`, { csrf_token: csrf, otp: await latestCode(gw, phone) });
  assert.equal(code.status, 303, code.html);
  const pinPage = await client.get(`${gw.url}/wallet`);
  const pin = await client.post(`${gw.url}/wallet/sign-in/pin`, { csrf_token: csrfTokenOf(pinPage.html), pin: TEST_PIN });
  assert.equal(pin.status, 303, pin.html);
  return client;
}

async function phoneChangeStep(env: Env): Promise<CodeStep> {
  const { gw } = env;
  const phone = nextPhone();
  const newPhone = nextPhone();
  const wallet = await fundedWallet(gw.database, { phone, cash: OPENING_CASH, points: 0n }, gw.clock.now());
  const client = await signedIn(gw, phone);
  const csrf = csrfTokenOf((await client.get(`${gw.url}/wallet/phone`)).html);
  const started = await client.post(`${gw.url}/wallet/phone`, { csrf_token: csrf, phone: newPhone });
  assert.equal(started.status, 303, started.html);
  return {
    phone: newPhone, sendsMax: WALLET_APP_LIMITS.phone_change_codes_max,
    submitCode: (otp) => client.post(`${gw.url}/wallet/phone/code`, { csrf_token: csrf, otp }),
    resend: () => client.post(`${gw.url}/wallet/phone/resend`, { csrf_token: csrf }),
    counters: async () => codeCounters(gw, (await walletSessionOf(gw, phone)).id),
    async assertUsedUp() {
      const r = await walletSessionOf(gw, phone);
      assert.equal(r.state, 'active', 'still signed in');
      assert.equal((await challengeOf(gw, r.id)).step, 'done', 'the change is given up');
      assert.equal((await findWallet(gw.database.db, wallet.id))!.phone, phone, 'the number did not change');
    },
  };
}

const CODE_FLOWS: ReadonlyArray<{ name: string; start: (env: Env) => Promise<CodeStep> }> = [
  { name: 'activation code', start: (env) => activationStep(env) },
  { name: 'payment-page code', start: paymentStep },
  { name: 'wallet sign-in code', start: signInStep },
  { name: 'phone-change code', start: phoneChangeStep },
];

// ——— the races ———

/** After max−1 wrong codes, many parallel wrong codes: one more is compared, and it ends the flow. */
async function raceLastCode(env: Env, step: CodeStep): Promise<void> {
  const max = env.gw.gateway.ctx.config.otp_attempts_max;
  const wrong = otherCode(await latestCode(env.gw, step.phone));
  for (let left = max - 1; left >= 1; left--) {
    const res = await step.submitCode(wrong);
    assert.match(res.html, new RegExp(`Wrong code\\. ${left} attempts? left\\.`), 'the wrong codes before the race are counted one by one');
  }
  const answers = await parallel(() => step.submitCode(wrong));
  assertAnswered(answers);
  const { attempts } = await step.counters();
  assert.ok(attempts <= max, `${attempts} attempts recorded, at most ${max} allowed`);
  assert.equal(attempts, max, 'the last allowed attempt was taken');
  assert.equal(countMatching(answers, /Wrong code\./), 0, 'no answer reports a compared code after the last one');
  await step.assertUsedUp();
}

/** After the resend interval, many parallel resends: exactly one new code. */
async function raceResendInterval(env: Env, step: CodeStep): Promise<void> {
  const before = await smsCount(env.gw, step.phone);
  env.gw.clock.advance((env.gw.gateway.ctx.config.otp_resend_interval_s + 1) * 1000);
  const answers = await parallel(() => step.resend());
  assertAnswered(answers);
  assert.equal(await smsCount(env.gw, step.phone) - before, 1, 'one new code per resend interval');
  assert.equal(countMatching(answers, /A new code is on its way/), 1, 'only the request that sent it says so');
}

/** With no resend interval, many parallel resends: the flow's send limit holds. */
async function raceSendLimit(env: Env, step: CodeStep): Promise<void> {
  const before = await smsCount(env.gw, step.phone);
  const answers = await parallel(() => step.resend());
  assertAnswered(answers);
  const sent = await smsCount(env.gw, step.phone);
  assert.ok(sent <= step.sendsMax, `${sent} codes sent, at most ${step.sendsMax} allowed`);
  assert.equal(sent, step.sendsMax, 'every allowed code was sent');
  assert.equal((await step.counters()).sends, step.sendsMax);
  assert.equal(countMatching(answers, /A new code is on its way/), sent - before, 'only the requests that sent one say so');
}

/**
 * One wallet waiting for its PIN on every PIN page at once: an activation, a payment, a wallet sign-in and a
 * phone-number change. After `prior` wrong PINs, many parallel wrong PINs spread over the four pages.
 */
async function racePins(env: Env, prior: number): Promise<void> {
  const { gw } = env;
  const { pin_attempts_max: max } = gw.gateway.ctx.config;
  const phone = nextPhone();
  const wallet = await fundedWallet(gw.database, { phone, cash: OPENING_CASH, points: 0n }, gw.clock.now());
  const phoneClient = await signedIn(gw, phone);
  const phoneCsrf = csrfTokenOf((await phoneClient.get(`${gw.url}/wallet/phone`)).html);
  const newPhone = nextPhone();
  assert.equal((await phoneClient.post(`${gw.url}/wallet/phone`, { csrf_token: phoneCsrf, phone: newPhone })).status, 303);
  assert.equal((await phoneClient.post(`${gw.url}/wallet/phone/code`, { csrf_token: phoneCsrf, otp: await latestCode(gw, newPhone) })).status, 303);

  const activation = await activationStep(env, phone);
  assert.equal((await activation.submitCode(await latestCode(gw, phone))).status, 303);
  const payment = await paymentPage(env, env.shop, wallet);
  const signIn = await startWalletSignIn(gw, phone);
  assert.equal((await signIn.client.post(`${gw.url}/wallet/sign-in/code`, { csrf_token: signIn.csrf, otp: await latestCode(gw, phone) })).status, 303);

  const pages = [
    () => activation.client.post(`${activation.url}/pin`, { csrf_token: activation.csrf, pin: WRONG_PIN }),
    () => payment.client.post(`${payment.url}/pin`, { csrf_token: payment.csrf, pin: WRONG_PIN }),
    () => signIn.client.post(`${gw.url}/wallet/sign-in/pin`, { csrf_token: signIn.csrf, pin: WRONG_PIN }),
    () => phoneClient.post(`${gw.url}/wallet/phone/pin`, { csrf_token: phoneCsrf, pin: WRONG_PIN }),
  ];
  for (let i = 0; i < prior; i++) {
    const res = await pages[i % pages.length]!();
    assert.match(res.html, /Wrong PIN\./, 'the wrong PINs before the race are counted one by one');
  }
  const answers = await parallel((i) => pages[i % pages.length]!());
  assertAnswered(answers);
  const locked = (await findWallet(gw.database.db, wallet.id))!;
  assert.ok(locked.pinFailures <= max, `${locked.pinFailures} PINs counted, at most ${max} allowed`);
  assert.equal(locked.pinFailures, max, 'every allowed PIN was checked');
  assert.ok(locked.pinLockedUntil !== null && locked.pinLockedUntil > gw.clock.now(), 'the wallet is locked');
  const wrongAnswers = countMatching(answers, /Wrong PIN\./);
  assert.ok(wrongAnswers <= max - 1 - prior, `${wrongAnswers} wrong-PIN answers after ${prior}: the last allowed PIN locks instead`);

  // Every page now ends as a locked PIN ends it, without hashing anything more.
  for (const page of pages) assertAnswered([await page()]);
  assert.equal((await findWallet(gw.database.db, wallet.id))!.pinFailures, max, 'nothing more was counted');
  const session = await gw.database.db.selectFrom('link_sessions').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
  assert.equal(session.state, 'failed');
  assert.equal(session.result_desc, 'PIN locked after too many wrong attempts');
  const paid = await gw.database.db.selectFrom('payments').selectAll().where('trx_id', '=', payment.trxId).executeTakeFirstOrThrow();
  assert.equal(paid.status, 'FAILED');
  assert.equal(paid.failure_reason, 'PIN locked');
  const sessions = await gw.database.db.selectFrom('wallet_sessions').selectAll().where('phone', '=', phone).execute();
  assert.deepEqual(sessions.map((s) => [s.state, s.end_reason ?? s.new_phone]).sort(), [['active', null], ['ended', 'pin_locked']]);
  assert.equal(locked.phone, phone, 'the number did not change');
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: parallel wrong codes never get past otp_attempts_max (${RACE_ROUNDS} rounds per flow)`, async (t) => {
    const env = await startEnv(kind, {});
    for (const flow of CODE_FLOWS) {
      await t.test(flow.name, async () => {
        for (let round = 0; round < RACE_ROUNDS; round++) await raceLastCode(env, await flow.start(env));
      });
    }
  });

  test(`${kind}: "send a new code" answers alike on every page: 200 with the notice when a code went out, 422 when it must wait`, async () => {
    const env = await startEnv(kind, {});
    for (const flow of CODE_FLOWS) {
      const step = await flow.start(env);
      const early = await step.resend();
      assert.equal(early.status, 422, `${flow.name}: too soon:\n${early.html.slice(0, 300)}`);
      env.gw.clock.advance((env.gw.gateway.ctx.config.otp_resend_interval_s + 1) * 1000);
      const sent = await step.resend();
      assert.equal(sent.status, 200, `${flow.name}: sent:\n${sent.html.slice(0, 300)}`);
      assert.match(sent.html, /A new code is on its way/, flow.name);
    }
  });

  test(`${kind}: parallel resends send one code per resend interval (${RESEND_ROUNDS} rounds per flow)`, async (t) => {
    const env = await startEnv(kind, {});
    for (const flow of CODE_FLOWS) {
      await t.test(flow.name, async () => {
        for (let round = 0; round < RESEND_ROUNDS; round++) await raceResendInterval(env, await flow.start(env));
      });
    }
  });

  test(`${kind}: parallel resends never send more codes than the flow's limit (${RESEND_ROUNDS} rounds per flow)`, async (t) => {
    const env = await startEnv(kind, { otp_resend_interval_s: 0 });
    for (const flow of CODE_FLOWS) {
      await t.test(flow.name, async () => {
        for (let round = 0; round < RESEND_ROUNDS; round++) await raceSendLimit(env, await flow.start(env));
      });
    }
  });

  test(`${kind}: parallel wrong PINs on four pages at once never hash more than pin_attempts_max (${RACE_ROUNDS} rounds)`, async () => {
    const env = await startEnv(kind, {});
    const max = env.gw.gateway.ctx.config.pin_attempts_max;
    for (let round = 0; round < RACE_ROUNDS; round++) await racePins(env, round % max);
  });
}

/** The code counters of the challenge guarding `subject` (a link session, a payment, a wallet session). */
async function codeCounters(gw: TestGateway, subject: string): Promise<{ attempts: number; sends: number }> {
  const c = await challengeOf(gw, subject);
  return { attempts: Number(c.otp_attempts), sends: Number(c.otp_sends) };
}

function challengeOf(gw: TestGateway, subject: string) {
  return gw.database.db.selectFrom('challenges').selectAll().where('subject', '=', subject).executeTakeFirstOrThrow();
}
