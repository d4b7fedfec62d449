// Proves, on SQLite and PostgreSQL, that no hostile input to any hosted page — malformed percent-escapes, NUL and control characters, 10 kB values, huge numbers, unicode, duplicate parameters, wrong body types or other sessions' tokens, in a path token, any cookie the gateway reads, a query parameter or a form field — gets a 5xx, a page without its security headers, a framework error or internals in the body, or changes anything (sessions, bindings, attempt counters, links, balances).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { activationCallbackSignature, normalizePhone } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import { randomToken } from '../src/domain/random.ts';
import { startActivation } from '../src/services/linking.ts';
import { signInCsrfToken } from '../src/services/wallet-app-session.ts';
import { parseRupiahInput } from '../src/services/wallet-app-format.ts';
import type { Database, DatabaseKind } from '../src/store/database.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { INT64_MAX, cursorOrUndefined, isToken } from '../src/pages/input-shapes.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { FormClient, callOperation, csrfTokenOf, readOtp } from './support/gateway.ts';
import { TEST_PIN, fundedWallet, linkThroughStore, startPaymentsGateway, type PaymentsGateway } from './support/payments.ts';
import { snapshotDatabase, type DatabaseSnapshot } from './support/snapshot.ts';

const RUNS = Number(process.env.OVO_FUZZ_RUNS ?? 25);
const SEED = Number(process.env.OVO_FUZZ_SEED ?? 20_250_611);
/** "Over-long": ten kilobytes of one character. */
const LONG_VALUE_CHARS = 10 * 1024;
/** A request line and headers past Node's limit never reach a route (the server answers 431 first): such requests go through inject. */
const HTTP_HEADER_BYTES_MAX = 8 * 1024;

const SHOP: MerchantInput = { merchantId: '61001', name: 'Warung Aman', userId: 'bot61001', password: 'secret-61001' };
const OTP_SHOP: MerchantInput = { merchantId: '61002', name: 'Toko Teliti', userId: 'bot61002', password: 'secret-61002', paymentOtp: true };
const PHONE = '081261000001';
const OTHER_PHONE = '081261000002';
/** A free number: the valid value of the phone-change form. */
const NEW_PHONE = '081261000003';
const ACCEPT_LANGUAGE = 'id-ID,id;q=0.9,en;q=0.8';
/** Every cookie a hosted page reads, by the name the browser sees. */
const COOKIES = ['ovo_lang', 'ovo_activation', 'ovo_payment', 'ovo_wallet', 'ovo_wallet_signin'] as const;
type CookieName = (typeof COOKIES)[number];

// ---------------------------------------------------------------------------------------------------------
// The fixture: one customer with a session of every kind, each bound to "our" browser, and a second customer
// whose sessions are bound to another browser. Hostile requests mix our valid values with hostile ones.

interface BoundSession {
  /** The token in the page's path. */
  readonly token: string;
  /** The browser-binding cookie. */
  readonly key: string;
  readonly csrf: string;
  /** The code sent for it, when it waits for one. */
  readonly otp?: string;
}

interface Fixture {
  readonly gw: PaymentsGateway;
  readonly app: FastifyInstance;
  readonly shop: Merchant;
  readonly activationAtOtp: BoundSession;
  readonly activationAtPin: BoundSession;
  readonly paymentAtPin: BoundSession;
  readonly paymentAtOtp: BoundSession;
  /** Signed in to the wallet app, with a phone-number change waiting for its code. */
  readonly signedIn: { readonly token: string; readonly csrf: string; readonly otp: string };
  /** A wallet sign-in waiting for its SMS code. */
  readonly signingIn: { readonly token: string; readonly csrf: string; readonly otp: string };
  /** The sign-in form's double-submit pair. */
  readonly signInForm: { readonly nonce: string; readonly csrf: string };
  /** Real tokens that belong somewhere else, never a complete set that would authorise anything. */
  readonly foreignTokens: readonly string[];
  readonly baseline: State;
}

async function customer(gw: PaymentsGateway, phone: string): Promise<void> {
  const wallet = await fundedWallet(gw.database, { phone, cash: 1_000_000n, points: 50_000n }, gw.clock.now());
  for (const merchant of gw.merchants) await linkThroughStore(gw.ctx, merchant.merchantId, wallet);
}

function lastSegment(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').pop()!);
}

/** Opens the page in `client` (binding it) and reads what the browser now holds. */
async function bind(gw: PaymentsGateway, client: FormClient, url: string, cookie: CookieName, phone: string, sendsCode: boolean): Promise<BoundSession> {
  const page = await client.get(url);
  assert.equal(page.status, 200, page.html.slice(0, 300));
  const key = client.cookies.get(cookie);
  assert.ok(key, `${url} bound the browser`);
  return { token: lastSegment(url), key, csrf: csrfTokenOf(page.html), otp: sendsCode ? await readOtp(gw.url, phone) : undefined };
}

async function openPayment(gw: PaymentsGateway, merchant: Merchant, phone: string, billNo: string, client: FormClient): Promise<BoundSession> {
  const reply = await callOperation(gw.url, 'payment', {
    request: 'Payment OVO OpenAPI', merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: 'Kopi susu', bill_total: '25000',
    bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'Sari Dewi', email: 'sari@example.com', pay_type: '0',
  }, 'json', merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  return bind(gw, client, reply.body.redirectURL as string, 'ovo_payment', phone, merchant.paymentOtp);
}

/** Starts a wallet sign-in in `client`: the session token, the code step's CSRF token and the code sent. */
async function startWalletSignIn(gw: PaymentsGateway, client: FormClient, phone: string) {
  const form = await client.get(`${gw.url}/wallet`);
  const started = await client.post(`${gw.url}/wallet/sign-in`, { csrf_token: csrfTokenOf(form.html), phone });
  assert.equal(started.status, 303, started.html.slice(0, 300));
  const codePage = await client.get(`${gw.url}/wallet`);
  return { token: client.cookies.get('ovo_wallet')!, csrf: csrfTokenOf(codePage.html), otp: await readOtp(gw.url, phone) };
}

async function signedInWallet(gw: PaymentsGateway, client: FormClient) {
  const signingIn = await startWalletSignIn(gw, client, PHONE);
  assert.equal((await client.post(`${gw.url}/wallet/sign-in/code`, { csrf_token: signingIn.csrf, otp: signingIn.otp })).status, 303);
  assert.equal((await client.post(`${gw.url}/wallet/sign-in/pin`, { csrf_token: signingIn.csrf, pin: TEST_PIN })).status, 303);
  const csrf = csrfTokenOf((await client.get(`${gw.url}/wallet`)).html);
  assert.equal((await client.post(`${gw.url}/wallet/phone`, { csrf_token: csrf, phone: NEW_PHONE })).status, 303);
  await client.get(`${gw.url}/wallet/phone`);
  return { token: client.cookies.get('ovo_wallet')!, csrf, otp: await readOtp(gw.url, NEW_PHONE) };
}

async function buildFixture(kind: DatabaseKind): Promise<Fixture> {
  const gw = await startPaymentsGateway(kind, {
    merchants: [SHOP, OTP_SHOP], config: { page_post_rate_per_s: 0 }, sweepIntervalMs: 3_600_000,
  });
  const [shop, otpShop] = gw.merchants as [Merchant, Merchant];
  await customer(gw, PHONE);
  await customer(gw, OTHER_PHONE);
  const activationAtOtp = await bind(gw, new FormClient(), await startActivation(gw.ctx, shop, PHONE, 'Sari Dewi'), 'ovo_activation', PHONE, true);
  const pinClient = new FormClient();
  const activationAtPin = await bind(gw, pinClient, await startActivation(gw.ctx, shop, PHONE, 'Sari Dewi'), 'ovo_activation', PHONE, true);
  const toPin = await pinClient.submit(`${gw.url}/activation/${activationAtPin.token}/otp`, { csrf_token: activationAtPin.csrf, otp: activationAtPin.otp! });
  assert.match(toPin.html, /name="pin"/);
  const paymentAtPin = await openPayment(gw, shop, PHONE, 'HOSTILE-1', new FormClient());
  const paymentAtOtp = await openPayment(gw, otpShop, PHONE, 'HOSTILE-2', new FormClient());
  const signedIn = await signedInWallet(gw, new FormClient());
  const signingIn = await startWalletSignIn(gw, new FormClient(), PHONE);
  const signInClient = new FormClient();
  const signInPage = await signInClient.get(`${gw.url}/wallet`);
  const signInForm = { nonce: signInClient.cookies.get('ovo_wallet_signin')!, csrf: csrfTokenOf(signInPage.html) };

  // The other customer's sessions are bound to their own browser. Of theirs only tokens and cookies leak (no
  // CSRF token), of ours everything but the browser keys: no mix of these completes an action on a session
  // (our two wallet sessions' pairs are in, but each is in the wrong state for the other's forms).
  const theirs = new FormClient();
  const theirActivation = await bind(gw, theirs, await startActivation(gw.ctx, shop, OTHER_PHONE, 'Budi'), 'ovo_activation', OTHER_PHONE, false);
  const theirPayment = await openPayment(gw, shop, OTHER_PHONE, 'HOSTILE-3', theirs);
  const theirSignIn = await startWalletSignIn(gw, new FormClient(), OTHER_PHONE);
  const foreignTokens = [
    theirActivation.token, theirActivation.key, theirPayment.token, theirPayment.key, theirSignIn.token,
    activationAtOtp.token, activationAtPin.token, paymentAtPin.token, paymentAtOtp.token,
    activationAtOtp.csrf, activationAtPin.csrf, paymentAtPin.csrf, paymentAtOtp.csrf,
    signedIn.token, signedIn.csrf, signingIn.token, signingIn.csrf, signInForm.nonce, signInForm.csrf,
  ];
  // From here on nothing expires and no refill or idle touch happens: any change is the request's doing.
  gw.clock.freeze(gw.clock.now());
  return {
    gw, app: gw.gateway.app, shop, activationAtOtp, activationAtPin, paymentAtPin, paymentAtOtp, signedIn, signingIn, signInForm,
    foreignTokens, baseline: await state(gw.database),
  };
}

// ---------------------------------------------------------------------------------------------------------
// What a refused request must leave alone.

interface State {
  readonly totals: DatabaseSnapshot;
  readonly holders: unknown;
}

/**
 * Who holds each session — the browser bound to each activation and payment, each wallet session's token,
 * form token and pending number — which snapshotDatabase's counts and sums cannot see.
 */
async function sessionHolders(database: Database): Promise<unknown> {
  const db = database.db;
  return {
    challenges: await db.selectFrom('challenges').select(['id', 'subject', 'browser_key_hash', 'csrf_token']).orderBy('id').execute(),
    walletSessions: await db.selectFrom('wallet_sessions').select(['id', 'phone', 'new_phone', 'idle_expires_at']).orderBy('id').execute(),
    wallets: await db.selectFrom('wallets').select(['id', 'phone', 'pin_locked_until']).orderBy('id').execute(),
  };
}

async function state(database: Database): Promise<State> {
  return { totals: await snapshotDatabase(database), holders: await sessionHolders(database) };
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values.

const MALFORMED_ESCAPES = ['%', '%%', '%2', '%zz', '%G0', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF%FE', '%u0041', '%%32%65'];
const HUGE_NUMBERS = [
  '9223372036854775808', '18446744073709551616', '99999999999999999999999999', '-1', '-9223372036854775809', '0', '-0', '+1',
  '1e309', '9e18', '1E3', '0x7fffffffffffffff', '1.5', 'Infinity', 'NaN', '00000000000000000001',
];
const UNICODE = ['\u202e', '\ufeff', '\u200b', 'ü', '中文', '😀', '\ud800', '\udfff', 'Ａ', '٣٣٣', 'e\u0301'];
const WRONG_TYPES = ['[]', '{}', 'true', 'null', 'undefined', '{"csrf_token":1}', '{"a":{}}', '<x/>', "' OR '1'='1", '"; DROP TABLE wallets; --'];
/** What must never show in a body: framework error codes, error messages, stack frames, SQL and database errors, stringified objects. */
const LEAKS = [/FST_/, /\bError:/, /\n\s+at\s/, /\bselect\b[^<]*\bfrom\b/i, /SQLITE_|sqlite3|\bpg\b|22021|invalid byte sequence|out of range/i, /\[object Object\]/];
const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'csrf_token[]', 'otp[0]', '', '%', '\u0000'];

const around = (core: fc.Arbitrary<string>) => fc.tuple(fc.string({ maxLength: 3 }), core, fc.string({ maxLength: 3 })).map(([a, b, c]) => a + b + c);
const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 6 });
const overLong = fc.constantFrom('a', '%', '\u0000', '9', '中', 'A-_').map((c) => c.repeat(Math.ceil(LONG_VALUE_CHARS / c.length)));
const hugeNumber = fc.oneof(
  fc.constantFrom(...HUGE_NUMBERS),
  // Nineteen digits pass a digits-only check and still overflow a 64-bit column.
  fc.bigInt({ min: 2n ** 63n, max: 10n ** 19n - 1n }).map(String),
  fc.bigInt({ min: 2n ** 63n, max: 2n ** 128n }).map(String),
  fc.bigInt({ min: -(2n ** 128n), max: -1n }).map(String),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
);
const tokenLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{42}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{44}$/),
  fc.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `${t}\u0000`),
);

/**
 * Values some field accepts — a 6-digit code or PIN, a phone number, an amount, a merchant id, a language — and
 * values that look like a leak when a page echoes them back (a re-rendered form keeps what was typed).
 */
function acceptedSomewhere(value: string): boolean {
  return /^[0-9]{6}$/.test(value.replace(/\s/g, '')) || normalizePhone(value.trim().replace(/[\s-]/g, '')) !== null
    || parseRupiahInput(value) !== null || /^[0-9]{1,10}$/.test(value) || value === 'id' || value === 'en'
    || LEAKS.some((leak) => leak.test(value));
}

/** What a slot holds; hostile values lean towards what its reader is most likely to trip over. */
type SlotKind = 'token' | 'number' | 'text';

function hostileValue(foreignTokens: readonly string[], kind: SlotKind): fc.Arbitrary<string> {
  const weight = (favoured: boolean) => (favoured ? 6 : 1);
  return fc.oneof(
    // Every reader decodes percent-escapes (cookies, paths, queries, forms): the most common way to trip one.
    { weight: 3, arbitrary: around(fc.constantFrom(...MALFORMED_ESCAPES)) },
    { weight: 1, arbitrary: around(controlChars) },
    { weight: 1, arbitrary: overLong },
    { weight: weight(kind === 'number'), arbitrary: hugeNumber },
    { weight: 1, arbitrary: fc.oneof(around(fc.constantFrom(...UNICODE)), fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })) },
    { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: weight(kind === 'token'), arbitrary: tokenLike },
    { weight: weight(kind === 'token'), arbitrary: fc.constantFrom(...foreignTokens) },
  ).filter((value) => !acceptedSomewhere(value));
}

const NUMBER_SLOTS = new Set(['query:before', 'form:otp', 'form:pin', 'form:amount', 'form:merchant_id']);

function slotKind(id: string, route: RouteSpec): SlotKind {
  if (id === 'path') return route.param !== undefined && /^[A-Za-z0-9_-]{43}$/.test(route.param) ? 'token' : 'text';
  if (id === 'form:csrf_token' || (id.startsWith('cookie:') && id !== 'cookie:ovo_lang')) return 'token';
  return NUMBER_SLOTS.has(id) ? 'number' : 'text';
}

// ---------------------------------------------------------------------------------------------------------
// Routes and the requests generated for them.

/** valid | left out | hostile | both, in this order (a form keeps the first; a cookie reader the first it can read). */
type SlotMode = 'valid' | 'absent' | 'hostile' | 'hostileThenValid' | 'validThenHostile';

interface Slot {
  readonly mode: SlotMode;
  readonly value: string;
  /** Sent as typed (a malformed escape stays malformed) instead of percent-encoded, where the characters allow it. */
  readonly raw: boolean;
}

type Expect = 'page' | 'asset' | 'json';

interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** With `:param` where the path slot goes. */
  readonly path: string;
  readonly param?: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly form: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<CookieName, string>>;
  /** The slots a POST's action needs (`path`, `cookie:x`, `form:x`): one of them is the focus of every POST generated. */
  readonly essential: readonly string[];
  readonly expect: Expect;
  /** Sent as they are on every request (e.g. the Accept that picks a page over JSON). */
  readonly headers?: Readonly<Record<string, string>>;
}

function routes(f: Fixture): Record<string, RouteSpec> {
  const cookies = {
    ovo_lang: 'en', ovo_activation: f.activationAtOtp.key, ovo_payment: f.paymentAtPin.key, ovo_wallet: f.signedIn.token,
    ovo_wallet_signin: f.signInForm.nonce,
  };
  const lang = { lang: 'en' };
  const get = (path: string, extra: Partial<RouteSpec> = {}): RouteSpec => ({
    method: 'GET', path, query: lang, form: {}, cookies, essential: [], expect: 'page', ...extra,
  });
  const hosted = (prefix: 'activation' | 'pay', step: string, session: BoundSession, data: Record<string, string> = {}): RouteSpec => {
    const cookie = prefix === 'activation' ? 'ovo_activation' : 'ovo_payment';
    return {
      method: 'POST', path: `/${prefix}/:param/${step}`, param: session.token, query: lang, form: { csrf_token: session.csrf, ...data },
      cookies: { ...cookies, [cookie]: session.key }, essential: ['path', `cookie:${cookie}`, 'form:csrf_token', ...Object.keys(data).map((k) => `form:${k}`)],
      expect: 'page',
    };
  };
  const wallet = (path: string, session: { token: string; csrf: string }, data: Record<string, string> = {}): RouteSpec => ({
    method: 'POST', path, query: lang, form: { csrf_token: session.csrf, ...data }, cookies: { ...cookies, ovo_wallet: session.token },
    essential: ['cookie:ovo_wallet', 'form:csrf_token', ...Object.keys(data).map((k) => `form:${k}`)], expect: 'page',
  });
  const returnSignature = activationCallbackSignature(f.shop.userId, f.shop.password, PHONE, '00');
  return {
    'GET /activation/<token>': get('/activation/:param', { param: f.activationAtOtp.token }),
    'POST /activation/<token>/otp': hosted('activation', 'otp', f.activationAtOtp, { otp: f.activationAtOtp.otp! }),
    'POST /activation/<token>/resend': hosted('activation', 'resend', f.activationAtOtp),
    'POST /activation/<token>/pin': hosted('activation', 'pin', f.activationAtPin, { pin: TEST_PIN }),
    'POST /activation/<token>/cancel': hosted('activation', 'cancel', f.activationAtOtp),
    'GET /pay/<token>': get('/pay/:param', { param: f.paymentAtPin.token }),
    'POST /pay/<token>/otp': hosted('pay', 'otp', f.paymentAtOtp, { otp: f.paymentAtOtp.otp! }),
    'POST /pay/<token>/resend': hosted('pay', 'resend', f.paymentAtOtp),
    'POST /pay/<token>/pin': hosted('pay', 'pin', f.paymentAtPin, { pin: TEST_PIN }),
    'POST /pay/<token>/cancel': hosted('pay', 'cancel', f.paymentAtPin),
    'GET /wallet (history cursor)': get('/wallet', { query: { ...lang, before: '5' } }),
    'GET /wallet (signing in)': get('/wallet', { cookies: { ...cookies, ovo_wallet: f.signingIn.token } }),
    'GET /wallet/merchants': get('/wallet/merchants'),
    'GET /wallet/phone': get('/wallet/phone'),
    'GET /wallet/top-up': get('/wallet/top-up'),
    'POST /wallet/sign-in': {
      method: 'POST', path: '/wallet/sign-in', query: lang, form: { csrf_token: f.signInForm.csrf, phone: PHONE }, cookies,
      essential: ['cookie:ovo_wallet_signin', 'form:csrf_token', 'form:phone'], expect: 'page',
    },
    'POST /wallet/sign-in/code': wallet('/wallet/sign-in/code', f.signingIn, { otp: f.signingIn.otp }),
    'POST /wallet/sign-in/resend': wallet('/wallet/sign-in/resend', f.signingIn),
    'POST /wallet/sign-in/pin': wallet('/wallet/sign-in/pin', f.signingIn, { pin: TEST_PIN }),
    'POST /wallet/sign-in/cancel': wallet('/wallet/sign-in/cancel', f.signingIn),
    'POST /wallet/sign-out': wallet('/wallet/sign-out', f.signedIn),
    'POST /wallet/merchants/unlink': wallet('/wallet/merchants/unlink', f.signedIn, { merchant_id: f.shop.merchantId }),
    'POST /wallet/phone': wallet('/wallet/phone', f.signedIn, { phone: '081261000004' }),
    'POST /wallet/phone/code': wallet('/wallet/phone/code', f.signedIn, { otp: f.signedIn.otp }),
    'POST /wallet/phone/resend': wallet('/wallet/phone/resend', f.signedIn),
    'POST /wallet/phone/pin': wallet('/wallet/phone/pin', f.signedIn, { pin: TEST_PIN }),
    'POST /wallet/phone/cancel': wallet('/wallet/phone/cancel', f.signedIn),
    'POST /wallet/top-up': wallet('/wallet/top-up', f.signedIn, { amount: '100000' }),
    'GET /topup': get('/topup'),
    'GET /topup/<option>': get('/topup/:param', { param: 'atm' }),
    'GET /sandbox/inbox': get('/sandbox/inbox', { query: { phone_no: PHONE }, expect: 'json' }),
    'GET /sandbox/merchant-return': get('/sandbox/merchant-return', {
      query: {
        merchant_id: f.shop.merchantId, phone_number: PHONE, response_code: '00', signature: returnSignature,
        trx_id: undefined, bill_no: undefined, status: undefined,
      },
    }),
    // The delivery inspector's pages (a browser's Accept; the same addresses answer JSON otherwise).
    'GET /sandbox/deliveries (page)': get('/sandbox/deliveries', {
      query: { merchant_id: f.shop.merchantId, kind: 'payment_notification', status: 'pending', bill_no: 'B-1' }, headers: { accept: 'text/html' },
    }),
    'GET /sandbox/deliveries/<id> (page)': get('/sandbox/deliveries/:param', { param: '1', query: {}, headers: { accept: 'text/html' } }),
    'GET /assets/<file>': get('/assets/:param', { param: 'app.css', expect: 'asset' }),
    'GET /assets/wallet-app.css': get('/assets/:param', { param: 'wallet-app.css', expect: 'asset' }),
    'GET /assets/inspector.css': get('/assets/:param', { param: 'inspector.css', expect: 'asset' }),
  };
}

type BodyKind = 'form' | 'json' | 'multipart' | 'text' | 'none';

interface Generated {
  readonly path: Slot;
  readonly cookies: Readonly<Record<string, Slot>>;
  readonly query: Readonly<Record<string, Slot>>;
  readonly form: Readonly<Record<string, Slot>>;
  readonly acceptLanguage: Slot;
  readonly extraQuery: readonly [string, string] | null;
  readonly extraForm: readonly [string, string] | null;
  readonly body: BodyKind;
}

/** A slot's hostile value is never its valid one (the pool of real tokens holds the valid ones too). */
function slotArb(hostile: fc.Arbitrary<string>, modes: fc.Arbitrary<SlotMode>, valid: string | undefined): fc.Arbitrary<Slot> {
  return fc.record({ mode: modes, value: hostile.filter((v) => v !== valid), raw: fc.boolean() });
}

/** The slots around the focus: mostly valid, so the focus's hostile value reaches as deep as it can. */
const BACKGROUND_MODES = fc.constantFrom<SlotMode>(
  'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'hostile', 'absent', 'hostileThenValid', 'validThenHostile');
/** A path always has its token: valid, or hostile. */
const PATH_BACKGROUND_MODES = fc.constantFrom<SlotMode>('valid', 'valid', 'valid', 'valid', 'valid', 'hostile');

/**
 * Modes that certainly deliver something other than the valid value: a form keeps the first of repeated
 * fields, but a cookie reader skips an unreadable first cookie and may use the valid one behind it.
 */
function focusModes(id: string): fc.Arbitrary<SlotMode> {
  if (id === 'path') return fc.constant('hostile');
  return id.startsWith('form:') ? fc.constantFrom<SlotMode>('hostile', 'hostile', 'absent', 'hostileThenValid')
    : fc.constantFrom<SlotMode>('hostile', 'hostile', 'absent');
}

function slotIds(route: RouteSpec): string[] {
  return [
    ...(route.param === undefined ? [] : ['path']), 'header:accept-language', ...COOKIES.map((n) => `cookie:${n}`),
    ...Object.keys(route.query).map((n) => `query:${n}`), ...Object.keys(route.form).map((n) => `form:${n}`),
  ];
}

/**
 * One request: a focus slot carries a hostile value (or none), the others are mostly valid. On a POST the
 * focus is one of the slots the action needs, so every request generated is one the gateway must refuse.
 */
function requestArb(route: RouteSpec, foreignTokens: readonly string[]): fc.Arbitrary<Generated> {
  const focusable = route.method === 'GET' ? slotIds(route) : route.essential;
  return fc.constantFrom(...focusable).chain((focus) => {
    const background = (id: string) => (id === 'path' ? PATH_BACKGROUND_MODES : BACKGROUND_MODES);
    const slot = (id: string, valid: string | undefined) =>
      slotArb(hostileValue(foreignTokens, slotKind(id, route)), id === focus ? focusModes(id) : background(id), valid);
    const slots = (prefix: string, valid: Readonly<Record<string, string | undefined>>) =>
      fc.record(Object.fromEntries(Object.entries(valid).map(([n, v]) => [n, slot(`${prefix}:${n}`, v)])));
    const text = hostileValue(foreignTokens, 'text');
    const extra = fc.option(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_NAMES), text), text), { nil: null });
    return fc.record({
      path: slot('path', route.param),
      cookies: slots('cookie', route.cookies),
      query: slots('query', route.query),
      form: slots('form', route.form),
      acceptLanguage: slot('header:accept-language', ACCEPT_LANGUAGE),
      extraQuery: extra,
      extraForm: extra,
      body: fc.constantFrom<BodyKind>('form', 'form', 'form', 'form', 'form', 'json', 'multipart', 'text', 'none'),
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Turning a generated request into bytes.

interface WireRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
}

/** Lone surrogates become U+FFFD, as a browser's UTF-8 encoder does (encodeURIComponent would throw). */
function encode(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/** The values a slot sends, in order, as typed. */
function ordered(slot: Slot, valid: string | undefined): Array<{ value: string; hostile: boolean }> {
  const good = valid === undefined ? [] : [{ value: valid, hostile: false }];
  const bad = [{ value: slot.value, hostile: true }];
  switch (slot.mode) {
    case 'valid': return good;
    case 'absent': return [];
    case 'hostile': return bad;
    case 'hostileThenValid': return [...bad, ...good];
    case 'validThenHostile': return [...good, ...bad];
  }
}

/** Percent-encoded, except a hostile value asked to go raw whose characters `safeRaw` allows there. */
function pick(slot: Slot, valid: string | undefined, safeRaw: RegExp): string[] {
  return ordered(slot, valid).map(({ value, hostile }) => (hostile && slot.raw && safeRaw.test(value) ? value : encode(value)));
}

const RAW_IN_PATH = /^[\x21-\x7e]+$/;
const RAW_IN_PAIR = /^[\x21-\x25\x27-\x7e]*$/; // no `&`
const RAW_IN_COOKIE = /^[^;,\r\n]*$/;

function pairs(slots: Readonly<Record<string, Slot>>, valid: Readonly<Record<string, string | undefined>>, extra: readonly [string, string] | null): string {
  const out: string[] = [];
  for (const [name, slot] of Object.entries(slots)) {
    for (const value of pick(slot, valid[name], RAW_IN_PAIR)) out.push(`${name}=${value}`);
  }
  if (extra) out.push(`${encode(extra[0])}=${encode(extra[1])}`);
  return out.join('&');
}

function toWire(route: RouteSpec, g: Generated): WireRequest {
  const param = route.param === undefined ? '' : pick(g.path, route.param, RAW_IN_PATH)[0]!.replace(/[/?#]/g, encodeURIComponent);
  const query = pairs(g.query, route.query, g.extraQuery);
  const url = route.path.replace(':param', param) + (query === '' ? '' : `?${query}`);
  const cookie = COOKIES.flatMap((name) => pick(g.cookies[name]!, route.cookies[name], RAW_IN_COOKIE).map((v) => `${name}=${v}`)).join('; ');
  const headers: Record<string, string> = { ...route.headers };
  if (cookie !== '') headers.cookie = cookie;
  const acceptLanguage = ordered(g.acceptLanguage, ACCEPT_LANGUAGE);
  if (acceptLanguage.length > 0) headers['accept-language'] = acceptLanguage.map((v) => v.value).join(',');
  if (route.method === 'GET') return { method: 'GET', url, headers };
  return { method: 'POST', url, ...postBody(route, g, headers) };
}

function postBody(route: RouteSpec, g: Generated, headers: Record<string, string>): { headers: Record<string, string>; payload?: string } {
  const form = pairs(g.form, route.form, g.extraForm);
  switch (g.body) {
    case 'form': return { headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: form };
    case 'json': return { headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ ...route.form, csrf_token: [route.form.csrf_token] }) };
    case 'multipart': return { headers: { ...headers, 'content-type': 'multipart/form-data; boundary=x' }, payload: `--x\r\ncontent-disposition: form-data; name="csrf_token"\r\n\r\n${route.form.csrf_token}\r\n--x--` };
    case 'text': return { headers: { ...headers, 'content-type': 'text/plain' }, payload: form };
    case 'none': return { headers };
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

async function viaInject(app: FastifyInstance, wire: WireRequest): Promise<Answer> {
  const res = await app.inject({ method: wire.method, url: wire.url, headers: wire.headers, payload: wire.payload });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** Whether a real HTTP client can send these headers at all (Node refuses control characters and large blocks). */
function sendableOverHttp(wire: WireRequest): boolean {
  const bytes = Object.values(wire.headers).reduce((n, v) => n + Buffer.byteLength(v), Buffer.byteLength(wire.url));
  if (bytes > HTTP_HEADER_BYTES_MAX) return false;
  try {
    for (const [name, value] of Object.entries(wire.headers)) validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

function viaHttp(base: string, wire: WireRequest): Promise<Answer> {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, method: wire.method, path: wire.url, headers: wire.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(wire.payload);
  });
}

// ---------------------------------------------------------------------------------------------------------
// What every answer must look like.

function header(answer: Answer, name: string): string {
  return String(answer.headers[name] ?? '');
}

function assertSecurityHeaders(answer: Answer, what: string): void {
  assert.match(header(answer, 'content-type'), /^text\/html/, `${what}: an HTML page`);
  assert.match(header(answer, 'content-security-policy'), /default-src 'none'/, `${what}: CSP`);
  assert.equal(header(answer, 'x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(header(answer, 'cache-control'), 'no-store', `${what}: no-store`);
  assert.equal(header(answer, 'x-frame-options'), 'DENY', `${what}: x-frame-options`);
}

function assertSafeAnswer(expect: Expect, answer: Answer, what: string): void {
  assert.ok(answer.status < 500, `${what}: answered ${answer.status}\n${answer.body.slice(0, 400)}`);
  for (const leak of LEAKS) {
    const found = leak.exec(answer.body);
    assert.equal(found, null, `${what}: answered ${answer.status}, the body leaks internals: …${answer.body.slice(Math.max(0, (found?.index ?? 0) - 80), (found?.index ?? 0) + 80)}…`);
  }
  if (answer.status >= 300 && answer.status < 400 && answer.status !== 304) {
    assert.match(header(answer, 'location'), /^\/[^/\\]/, `${what}: redirects within the gateway`);
    return;
  }
  if (/^text\/html/.test(header(answer, 'content-type')) || expect === 'page') return assertSecurityHeaders(answer, what);
  assert.equal(header(answer, 'x-content-type-options'), 'nosniff', `${what}: nosniff`);
  if (expect === 'json') {
    assert.match(header(answer, 'content-type'), /^application\/json/, `${what}: the inbox answers JSON`);
    assert.doesNotThrow(() => JSON.parse(answer.body), `${what}: JSON`);
  } else {
    assert.ok([200, 304, 404].includes(answer.status), `${what}: an asset or its absence, not ${answer.status}`);
  }
}

function shown(wire: WireRequest): string {
  const text = JSON.stringify({ ...wire, payload: wire.payload?.slice(0, 300) });
  return text.length > 800 ? `${text.slice(0, 800)}…` : text;
}

async function sendAndCheck(f: Fixture, route: RouteSpec, g: Generated, transport: 'inject' | 'http'): Promise<void> {
  const wire = toWire(route, g);
  const useHttp = transport === 'http' && sendableOverHttp(wire);
  const answer = useHttp ? await viaHttp(f.gw.url, wire) : await viaInject(f.app, wire);
  const what = `${useHttp ? 'HTTP' : 'inject'} ${shown(wire)}`;
  assertSafeAnswer(route.expect, answer, what);
  assert.deepEqual(await state(f.gw.database), f.baseline, `${what}: a refused request changed nothing`);
}

// ---------------------------------------------------------------------------------------------------------

// Built before any test runs: the gateways must live for the whole file, not close after the first test.
const fixtures = new Map<DatabaseKind, Fixture>();
for (const kind of DATABASE_KINDS) fixtures.set(kind, await buildFixture(kind));
const f0 = fixtures.get(DATABASE_KINDS[0]!)!;

test('the page shapes are exactly what the gateway issues: its tokens and sign-in CSRF tokens, and ids 1 … 2^63 − 1', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (bytes, nonce) => {
    const token = randomToken({ bytes: () => Buffer.from(bytes), int: () => 0 });
    assert.ok(isToken(token), token);
    assert.ok(isToken(signInCsrfToken(f0.gw.ctx, nonce)));
  }), { numRuns: RUNS, seed: SEED });
  const nearEdges = fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.bigInt({ min: -1000n, max: 1000n }),
    fc.bigInt({ min: INT64_MAX - 1000n, max: INT64_MAX + 1000n }));
  fc.assert(fc.property(nearEdges, (n) => {
    assert.equal(cursorOrUndefined(String(n)), n >= 1n && n <= INT64_MAX ? n : undefined);
    assert.equal(cursorOrUndefined(`0${n}`), undefined, 'no leading zero');
  }), { numRuns: RUNS, seed: SEED });
  assert.equal(cursorOrUndefined(['1']), undefined, 'a repeated parameter is no cursor');
});

for (const kind of DATABASE_KINDS) {
  const f = fixtures.get(kind)!;

  test(`${kind}: the issue's cases — an unreadable ovo_lang cookie, a NUL page token, a history cursor past 2^63 − 1`, async () => {
    const pages = ['/wallet', '/wallet/merchants', `/activation/${f.activationAtOtp.token}`, `/pay/${f.paymentAtPin.token}`, '/topup'];
    for (const cookie of ['ovo_lang=%', 'ovo_wallet=%', 'ovo_activation=%E0%A4%A; ovo_payment=%zz', 'ovo_wallet_signin=%']) {
      for (const path of pages) {
        assertSafeAnswer('page', await viaInject(f.app, { method: 'GET', url: path, headers: { cookie } }), `${cookie} on ${path}`);
      }
      const posted = await viaInject(f.app, {
        method: 'POST', url: '/wallet/sign-in', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'phone=081',
      });
      assert.equal(posted.status, 403, `${cookie}: a sign-in without a readable nonce is refused`);
    }
    // A planted unreadable cookie does not shadow the real one behind it.
    const behind = await viaInject(f.app, { method: 'GET', url: '/wallet', headers: { cookie: `ovo_lang=%; ovo_lang=id; ovo_wallet=%; ovo_wallet=${f.signedIn.token}` } });
    assert.equal(header(behind, 'content-language'), 'id');
    assert.match(behind.body, /action="\/wallet\/sign-out"/, 'still signed in');
    for (const path of ['/activation/%00', '/pay/%00', '/activation/%00/otp', '/pay/%00/cancel']) {
      const method = path.split('/').length > 3 ? 'POST' : 'GET';
      const answer = await viaInject(f.app, { method, url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? 'csrf_token=x' : undefined });
      assert.equal(answer.status, method === 'GET' ? 404 : 403, path);
      assertSecurityHeaders(answer, path);
    }
    for (const [before, older] of [['9223372036854775807', true], ['9223372036854775808', false], ['99999999999999999999', false], ['-1', false], ['1e3', false]] as const) {
      const answer = await viaInject(f.app, { method: 'GET', url: `/wallet?before=${before}`, headers: { cookie: `ovo_wallet=${f.signedIn.token}` } });
      assert.equal(answer.status, 200, `before=${before}`);
      // The largest cursor is a real older page; anything past it or of another shape is the first page.
      assert.equal(/id="tx-title">Older transactions</.test(answer.body), older, `before=${before}`);
    }
    assert.deepEqual(await state(f.gw.database), f.baseline);
  });

  test(`${kind}: hostile input on every page route answers a page (or a redirect), leaks nothing and changes nothing`, async (t) => {
    for (const [index, [name, route]] of Object.entries(routes(f)).entries()) {
      await t.test(name, async () => {
        // A seed per route: routes of the same shape would otherwise all replay the same requests.
        await fc.assert(fc.asyncProperty(requestArb(route, f.foreignTokens), (g) => sendAndCheck(f, route, g, 'inject')),
          { numRuns: RUNS, seed: SEED + index, endOnFailure: true, includeErrorInReport: true });
      });
    }
  });

  test(`${kind}: the same over real HTTP, a sample across the routes`, async () => {
    const all = Object.values(routes(f));
    const sample = fc.integer({ min: 0, max: all.length - 1 }).chain((i) => requestArb(all[i]!, f.foreignTokens).map((g) => ({ route: all[i]!, g })));
    await fc.assert(fc.asyncProperty(sample, ({ route, g }) => sendAndCheck(f, route, g, 'http')), { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true });
  });

  test(`${kind}: the fixture is live — valid requests still work, and the state check sees a counted attempt`, async () => {
    const pay = await viaInject(f.app, { method: 'GET', url: `/pay/${f.paymentAtPin.token}`, headers: { cookie: `ovo_payment=${f.paymentAtPin.key}` } });
    assert.match(pay.body, /name="pin"/, 'the payment still waits for the PIN');
    const wallet = await viaInject(f.app, { method: 'GET', url: '/wallet/phone', headers: { cookie: `ovo_wallet=${f.signedIn.token}` } });
    assert.match(wallet.body, /name="otp"/, 'the phone change still waits for its code');
    const wrongCode = f.activationAtOtp.otp === '000000' ? '000001' : '000000';
    const attempt = await viaInject(f.app, {
      method: 'POST', url: `/activation/${f.activationAtOtp.token}/otp`,
      headers: { cookie: `ovo_activation=${f.activationAtOtp.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf_token=${f.activationAtOtp.csrf}&otp=${wrongCode}`,
    });
    assert.equal(attempt.status, 422);
    assert.notDeepEqual(await state(f.gw.database), f.baseline, 'a counted attempt shows in the state');
  });
}
