// Proves that merchant calls over their merchant's limit get HTTP 429 with Retry-After and a 96 reply in the request's format (JSON and XML), change nothing, leave other merchants alone and pass again once the bucket refills; that refused calls (unknown merchant ids) are limited per client IP; that hosted-page form posts and the sandbox inbox are limited per IP with an HTML page while GET pages and /health never are; and that the bucket store stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestSignature, type WireFormat } from '@ovo-tokenize/protocol';
import { TokenBuckets } from '../src/api/rate-limit.ts';
import { configFromEnv } from '../src/config.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { FormClient, callOperation, countRows, startTestGateway, type Reply, type TestGateway } from './support/gateway.ts';

const SHOP_A: MerchantInput = { merchantId: '51001', name: 'Shop A', userId: 'bot51001', password: 'pw-a' };
const SHOP_B: MerchantInput = { merchantId: '51002', name: 'Shop B', userId: 'bot51002', password: 'pw-b' };
const PHONE = '081234500001';
// One token per 100 s, on a clock that stands still: nothing refills while a test runs (however slow the
// machine), only when the test moves the clock.
const SLOW = { ratePerS: 0.01, refillMs: 100_000 } as const;
const STOPPED = { now: () => Date.parse('2026-12-01T09:00:00Z') };

function activation(gw: TestGateway, merchant: MerchantInput, format: WireFormat = 'json', merchantId = merchant.merchantId): Promise<Reply> {
  return callOperation(gw.url, 'activation', {
    request: 'Account Activation OVO OpenAPI', merchant_id: merchantId, payment_channel: '720', phone_no: PHONE, cust_name: 'Rate Limited',
  }, format, merchant);
}

function assertLimited(reply: Reply, format: WireFormat): void {
  assert.equal(reply.status, 429, reply.raw);
  assert.ok(reply.contentType.startsWith(format === 'json' ? 'application/json' : 'application/xml'), reply.contentType);
  assert.equal(reply.body.response, 'Account Activation OVO Open API');
  assert.equal(reply.body.response_code, '96');
  assert.equal(reply.body.response_desc, 'System Malfunction: rate limit exceeded, retry after 100 s');
  assert.equal(reply.body.redirectURL, '');
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the call after the burst gets 429 with Retry-After in its format, changes nothing, spares other merchants and passes after a refill`, async () => {
    const gw = await startTestGateway(kind, {
      merchants: [SHOP_A, SHOP_B], clockBase: STOPPED, config: { api_rate_per_s: SLOW.ratePerS, api_burst: 3, page_post_rate_per_s: 0 },
    });
    for (let i = 0; i < 3; i += 1) assert.equal((await activation(gw, SHOP_A, i % 2 ? 'xml' : 'json')).body.response_code, '00');

    const before = await countRows(gw.database);
    for (const format of ['json', 'xml'] as const) assertLimited(await activation(gw, SHOP_A, format), format);
    const retryAfter = await fetch(`${gw.url}/ovo/activation`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        request: 'Account Activation OVO OpenAPI', merchant_id: SHOP_A.merchantId, payment_channel: '720', phone_no: PHONE, cust_name: 'x',
        signature: requestSignature(SHOP_A.userId, SHOP_A.password, PHONE),
      }),
    });
    assert.deepEqual([retryAfter.status, retryAfter.headers.get('retry-after')], [429, '100']);
    await retryAfter.arrayBuffer();
    assert.deepEqual(await countRows(gw.database), before, 'a limited call changes nothing');

    assert.equal((await activation(gw, SHOP_B)).body.response_code, '00', 'another merchant has its own bucket');

    gw.clock.advance(SLOW.refillMs);
    assert.equal((await activation(gw, SHOP_A)).body.response_code, '00', 'one token came back');
    assertLimited(await activation(gw, SHOP_A), 'json');
  });
}

test('sqlite: calls refused before the merchant is proven are limited per client IP, not per made-up merchant id', async () => {
  const gw = await startTestGateway('sqlite', {
    merchants: [SHOP_A], clockBase: STOPPED, config: { api_rate_per_s: SLOW.ratePerS, api_burst: 3, page_post_rate_per_s: 0 },
  });
  const codes: string[] = [];
  for (let i = 0; i < 4; i += 1) codes.push((await activation(gw, SHOP_A, 'json', String(60_000 + i))).body.response_code);
  assert.deepEqual(codes, ['03', '03', '03', '96']);
  const wrongPassword = await activation(gw, { ...SHOP_A, password: 'guess' });
  assert.equal(wrongPassword.status, 429, 'a bad signature spends the IP\'s tokens, not the merchant\'s');
  // The merchant itself, proven by its signature, still has its whole burst.
  for (let i = 0; i < 3; i += 1) assert.equal((await activation(gw, SHOP_A)).body.response_code, '00');
  assert.equal((await activation(gw, SHOP_A)).status, 429);
});

test('sqlite: a flood of page form posts from one IP gets a 429 page; GET pages, /health and the API are not limited by it', async () => {
  const gw = await startTestGateway('sqlite', {
    merchants: [SHOP_A], clockBase: STOPPED, config: { page_post_rate_per_s: SLOW.ratePerS, page_post_burst: 2, api_rate_per_s: SLOW.ratePerS, api_burst: 1 },
  });
  const browser = new FormClient();
  const statuses: number[] = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await browser.post(`${gw.url}/activation/no-such-session/otp`, { otp: '123456' })).status);
  assert.notEqual(statuses[0], 429);
  assert.notEqual(statuses[1], 429);
  const limited = await browser.post(`${gw.url}/pay/no-such-token/pin`, { pin: '123456' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '100');
  assert.match(limited.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(limited.html, /Too many requests/);
  assert.match(limited.headers.get('content-security-policy') ?? '', /default-src/, 'the page keeps the security headers');
  assert.equal((await browser.post(`${gw.url}/wallet/sign-in`, { phone_no: PHONE })).status, 429);
  assert.equal((await fetch(`${gw.url}/sandbox/inbox?phone_no=${PHONE}`)).status, 429, 'the sandbox inbox shares the page limit');

  for (const path of ['/activation/no-such-session', '/pay/no-such-token', '/wallet']) {
    assert.notEqual((await browser.get(`${gw.url}${path}`)).status, 429, `GET ${path}`);
  }
  for (let i = 0; i < 30; i += 1) {
    const res = await fetch(`${gw.url}/health`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  assert.equal((await activation(gw, SHOP_A)).body.response_code, '00', 'merchant calls have their own limit');

  gw.clock.advance(SLOW.refillMs);
  assert.equal((await fetch(`${gw.url}/sandbox/inbox?phone_no=${PHONE}`)).status, 200, 'one token came back');
});

test('limits of 0 switch limiting off', async () => {
  const gw = await startTestGateway('sqlite', {
    merchants: [SHOP_A], config: { api_rate_per_s: 0, api_burst: 1, page_post_rate_per_s: 1, page_post_burst: 0 },
  });
  for (let i = 0; i < 5; i += 1) assert.equal((await activation(gw, SHOP_A)).body.response_code, '00');
  for (let i = 0; i < 5; i += 1) assert.equal((await fetch(`${gw.url}/sandbox/inbox?phone_no=${PHONE}`)).status, 200);
  assert.deepEqual(configFromEnv({ OVO_API_RATE_PER_S: '0', OVO_API_BURST: '5', OVO_PAGE_POST_RATE_PER_S: '0.5', OVO_PAGE_POST_BURST: '0' }),
    { api_rate_per_s: 0, api_burst: 5, page_post_rate_per_s: 0.5, page_post_burst: 0 });
  assert.throws(() => configFromEnv({ OVO_API_BURST: '1.5' }), /OVO_API_BURST/);
  assert.throws(() => configFromEnv({ OVO_API_RATE_PER_S: '-1' }), /OVO_API_RATE_PER_S/);
});

test('the bucket store: refills with the clock, says how long to wait, and forgets the least recently used keys past keysMax', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  const buckets = new TokenBuckets({ ratePerS: 0.5, burst: 2, keysMax: 3, clock });
  assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a')], [0, 0, 2]);
  now += 1_000;
  assert.equal(buckets.take('a'), 1, 'half a token back: one more second to wait');
  now += 1_000;
  assert.deepEqual([buckets.take('a'), buckets.take('a')], [0, 2]);

  buckets.take('b');
  buckets.take('c');
  buckets.take('a'); // a is now the most recently used
  buckets.take('d');
  assert.equal(buckets.size, 3);
  assert.equal(buckets.take('a'), 2, 'a was kept, with its empty bucket');
  assert.deepEqual([buckets.take('b'), buckets.take('b')], [0, 0], 'b was forgotten: a fresh, full bucket');

  for (let i = 0; i < 10_000; i += 1) buckets.take(`flood-${i}`);
  assert.equal(buckets.size, 3, 'a flood of keys cannot grow the map');

  const off = new TokenBuckets({ ratePerS: 0, burst: 10, keysMax: 3, clock });
  assert.equal(off.enabled, false);
  for (let i = 0; i < 100; i += 1) assert.equal(off.take(`k${i}`), 0);
  assert.equal(off.size, 0);
});
