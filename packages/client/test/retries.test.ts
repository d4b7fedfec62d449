// Proves against a scripted local HTTP server that the client repeats a call only after a dropped connection, a timeout, a 5xx or a 429 (no sooner than its Retry-After), only for operations where repeating is safe (never activation), with one request id and capped, jittered, growing delays; that timeouts and aborts end a call on time; and that unreadable, oversized or redirected replies throw the right typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WIRE_FORMATS, requestSignature, verifyHmacSignatureHeader, type ReplyValue, type WireFormat } from '@ovo-tokenize/protocol';
import {
  OvoApiError, OvoConnectionError, OvoFormatError, OvoTimeoutError, OvoTokenizeClient, OvoTokenizeError, RETRY_SAFE,
  backoffDelayMs, type OvoTokenizeClientOptions,
} from '../src/index.ts';
import { drop, hang, raw, reply, startScriptedServer, type ScriptedServer } from './support/scripted-server.ts';

const PHONE = '081234567890';
const server = await startScriptedServer();

function clientFor(s: ScriptedServer, format: WireFormat = 'json', options: Partial<OvoTokenizeClientOptions> = {}): OvoTokenizeClient {
  return new OvoTokenizeClient({
    baseUrl: s.url, merchantId: '99999', merchantName: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd', format,
    retryBaseDelayMs: 20, retryMaxDelayMs: 80, timeoutMs: 2_000, ...options,
  });
}

function balanceReply(format: WireFormat, status = 200): ReturnType<typeof reply> {
  return reply(status, format, {
    response: 'Check Balance OVO Open API', phone_no: PHONE, payment_channel: '720', merchant_id: '99999',
    detail: { cash: { balance: '700000' }, points: { balance: '1200' } }, response_code: '00', response_desc: 'Success',
  });
}

function codeReply(status: number, code: string, desc: string, extra: Record<string, ReplyValue> = {}): ReturnType<typeof reply> {
  return reply(status, 'json', { response: 'x', ...extra, response_code: code, response_desc: desc });
}

async function thrown(call: () => Promise<unknown>): Promise<OvoTokenizeError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof OvoTokenizeError, `not an OvoTokenizeError: ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

for (const format of WIRE_FORMATS) {
  test(`${format}: a read survives two dropped connections and a 503, repeating the same body with one request id`, async () => {
    server.script(drop, drop, balanceReply(format));
    const result = await clientFor(server, format).balance({ phone: PHONE });
    assert.equal(result.outcome, 'ok');
    assert.ok(result.outcome === 'ok' && result.cash === 700_000n && result.points === 1_200n);
    assert.equal(server.received.length, 3);
    assert.equal(new Set(server.received.map((r) => r.headers['x-request-id'])).size, 1, 'one call, one request id');
    assert.equal(server.received[0]!.headers['x-request-id'], result.requestId);
    assert.equal(new Set(server.received.map((r) => r.body)).size, 1, 'the same body every time');
    assert.ok(server.received[0]!.body.includes(requestSignature('bot99999', 'p@ssw0rd', PHONE)));
    assert.equal(server.received[0]!.headers['content-type'], format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8');

    server.script(raw(503, 'text/html', '<h1>Service Unavailable</h1>'), balanceReply(format));
    assert.equal((await clientFor(server, format).balance({ phone: PHONE })).outcome, 'ok');
    assert.equal(server.received.length, 2);
  });
}

test('every operation but activation is retried; activation fails after one attempt, dropped or 503', async () => {
  assert.deepEqual(Object.entries(RETRY_SAFE).filter(([, safe]) => !safe).map(([op]) => op), ['activation']);
  const client = clientFor(server);

  server.script(drop, drop, drop);
  const dropped = await thrown(() => client.activate({ phone: PHONE, customerName: 'Andrea' }));
  assert.ok(dropped instanceof OvoConnectionError);
  assert.equal(dropped.code, 'connection_failed');
  assert.match(dropped.requestId ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(server.received.length, 1, 'activation is not repeated after a drop');

  server.script(raw(503, 'text/plain', 'busy'), raw(503, 'text/plain', 'busy'));
  const busy = await thrown(() => client.activate({ phone: PHONE, customerName: 'Andrea' }));
  assert.ok(busy instanceof OvoApiError);
  assert.deepEqual([busy.code, busy.httpStatus, busy.raw], ['http_503', 503, 'busy']);
  assert.equal(server.received.length, 1, 'activation is not repeated after a 503');

  // Payment repeats with the same bill_no; unlink and cancel are idempotent at the gateway.
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['pay', () => client.pay({ billNo: 'INV-9', description: 'Kopi', amount: 10_000n, phone: PHONE, customerName: 'A', email: 'a@example.com', payType: 'cash' })],
    ['unlink', () => client.unlink({ phone: PHONE })],
    ['cancel', () => client.cancel({ trxId: '1234567890123456', billNo: 'INV-9', reason: 'x' })],
    ['paymentStatus', () => client.paymentStatus({ trxId: '1234567890123456', billNo: 'INV-9' })],
    ['topupInstructions', () => client.topupInstructions({ phone: PHONE })],
    ['history', () => client.history({ phone: PHONE, startDate: '2025-01-01', endDate: '2025-01-02', page: 1, limit: 5 })],
  ];
  for (const [name, call] of calls) {
    server.script(drop, codeReply(200, '01', 'Failed'));
    const result = await call();
    assert.deepEqual([(result as { outcome: string }).outcome, server.received.length], ['failed', 2], name);
    assert.equal(server.received[0]!.body, server.received[1]!.body, `${name}: the repeat is byte-identical`);
  }
});

test('refusals (HTTP 200 with their code, or an older gateway\'s 4xx) and business answers are never repeated; 5xx is repeated up to maxRetries, then thrown with its code', async () => {
  const client = clientFor(server);
  for (const status of [200, 400]) {
    server.script(codeReply(status, '30', 'Format Error: phone_no must be …'), balanceReply('json'));
    const format = await thrown(() => client.balance({ phone: PHONE }));
    assert.deepEqual([format.responseCode, format.httpStatus], ['30', status]);
    assert.equal(server.received.length, 1, `HTTP ${status}`);
  }
  server.script(raw(403, 'text/html', '<html>Forbidden by the proxy</html>'), balanceReply('json'));
  const proxied = await thrown(() => client.balance({ phone: PHONE }));
  assert.deepEqual([proxied.constructor, proxied.code, proxied.httpStatus, server.received.length], [OvoApiError, 'http_403', 403, 1]);

  server.script(codeReply(200, '01', 'Failed'), balanceReply('json'));
  assert.equal((await client.balance({ phone: PHONE })).outcome, 'failed');
  assert.equal(server.received.length, 1);

  server.script(codeReply(500, '96', 'System Malfunction'), codeReply(500, '96', 'System Malfunction'), codeReply(500, '96', 'System Malfunction'));
  const malfunction = await thrown(() => client.balance({ phone: PHONE }));
  assert.ok(malfunction instanceof OvoApiError);
  assert.deepEqual([malfunction.code, malfunction.responseCode, malfunction.httpStatus], ['system_malfunction', '96', 500]);
  assert.equal(server.received.length, 3, 'the first attempt and maxRetries (2) more');

  server.script(raw(502, 'text/html', 'bad gateway'), raw(502, 'text/html', 'bad gateway'));
  const proxy = await thrown(() => client.balance({ phone: PHONE }, { maxRetries: 1 }));
  assert.deepEqual([proxy.constructor, proxy.httpStatus, server.received.length], [OvoApiError, 502, 2]);

  server.script(raw(503, 'text/plain', 'busy'), balanceReply('json'));
  await thrown(() => clientFor(server, 'json', { maxRetries: 0 }).balance({ phone: PHONE }));
  assert.equal(server.received.length, 1, 'maxRetries 0 sends once');
});

test('a 429 is repeated after its Retry-After for safe operations; activation and over-long waits surface it as rate_limited', async () => {
  const limited = (retryAfter: string) => raw(429, 'application/json', JSON.stringify({
    response: 'Check Balance OVO Open API', response_code: '96', response_desc: `System Malfunction: rate limit exceeded, retry after ${retryAfter} s`,
  }), { 'retry-after': retryAfter });

  server.script(limited('1'), balanceReply('json'));
  assert.equal((await clientFor(server, 'json', { retryMaxDelayMs: 2_000 }).balance({ phone: PHONE })).outcome, 'ok');
  assert.equal(server.received.length, 2);
  const gap = server.received[1]!.at - server.received[0]!.at;
  assert.ok(gap >= 990, `waited ${gap} ms, Retry-After asked for 1 s`);

  server.script(limited('1'), limited('1'));
  const activation = await thrown(() => clientFor(server, 'json', { retryMaxDelayMs: 2_000 }).activate({ phone: PHONE, customerName: 'Andrea' }));
  assert.ok(activation instanceof OvoApiError);
  assert.deepEqual([activation.code, activation.httpStatus, activation.responseCode], ['rate_limited', 429, '96']);
  assert.equal(server.received.length, 1, 'activation is not repeated after a 429');

  // A wait longer than retryMaxDelayMs (80 ms here) is not slept through: the caller decides.
  server.script(limited('60'), balanceReply('json'));
  const started = Date.now();
  const tooLong = await thrown(() => clientFor(server).balance({ phone: PHONE }));
  assert.deepEqual([tooLong.code, tooLong.httpStatus, server.received.length], ['rate_limited', 429, 1]);
  assert.ok(Date.now() - started < 1_000);
});

test('retry delays grow exponentially with jitter, capped; an abort during the wait ends the call', async () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, options, () => 0)), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, options, () => 1)), [100, 200, 400, 800, 1_000, 1_000]);

  server.script(drop, drop, drop, balanceReply('json'));
  const client = clientFor(server, 'json', { retryBaseDelayMs: 60, retryMaxDelayMs: 10_000, maxRetries: 3 });
  assert.equal((await client.balance({ phone: PHONE })).outcome, 'ok');
  const gaps = server.received.slice(1).map((r, i) => r.at - server.received[i]!.at);
  assert.equal(gaps.length, 3);
  for (const [i, gap] of gaps.entries()) {
    const ceiling = 60 * 2 ** i;
    // The lower bound is the property (each wait at least half its ceiling); the upper one allows for a busy machine.
    assert.ok(gap >= ceiling / 2 - 5 && gap <= ceiling + 500, `gap ${i + 1} was ${gap} ms, expected ${ceiling / 2}–${ceiling}`);
  }

  server.script(drop, balanceReply('json'));
  const controller = new AbortController();
  const slow = clientFor(server, 'json', { retryBaseDelayMs: 5_000, retryMaxDelayMs: 5_000 });
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  const aborted = await thrown(() => slow.balance({ phone: PHONE }, { signal: controller.signal }));
  assert.ok(aborted instanceof OvoConnectionError);
  assert.equal(aborted.code, 'aborted');
  assert.ok(Date.now() - started < 1_000, 'the abort did not wait for the backoff');
  assert.equal(server.received.length, 1);
});

test('a silent server times out per attempt: reads are retried, activation is not, and a stalled body also times out', async () => {
  server.script(hang, hang);
  let started = Date.now();
  const timedOut = await thrown(() => clientFor(server, 'json', { timeoutMs: 150, maxRetries: 1 }).balance({ phone: PHONE }));
  assert.ok(timedOut instanceof OvoTimeoutError);
  assert.equal(timedOut.code, 'timeout');
  assert.equal(server.received.length, 2);
  assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);

  server.script(hang, hang);
  const activation = await thrown(() => clientFor(server, 'json', { timeoutMs: 150 }).activate({ phone: PHONE, customerName: 'A' }));
  assert.ok(activation instanceof OvoTimeoutError);
  assert.equal(server.received.length, 1);

  server.script({ kind: 'hangBody', status: 200 });
  started = Date.now();
  const stalled = await thrown(() => clientFor(server, 'json', { timeoutMs: 200, maxRetries: 0 }).balance({ phone: PHONE }));
  assert.ok(stalled instanceof OvoTimeoutError, String(stalled));
  assert.ok(Date.now() - started < 3_000);

  server.script(hang);
  const perCall = await thrown(() => clientFor(server).balance({ phone: PHONE }, { timeoutMs: 100, maxRetries: 0 }));
  assert.ok(perCall instanceof OvoTimeoutError);
});

test('replies that are not a readable answer throw OvoFormatError or the mapped error; redirects are not followed', async () => {
  const client = clientFor(server, 'json', { maxRetries: 0 });
  const cases: Array<[string, ReturnType<typeof raw>, Function, string]> = [
    ['HTML with 200', raw(200, 'text/html', '<html>login</html>'), OvoFormatError, 'invalid_reply'],
    ['broken JSON', raw(200, 'application/json', '{"response_code": "00"'), OvoFormatError, 'invalid_reply'],
    ['no response_code', raw(200, 'application/json', '{"response":"x"}'), OvoFormatError, 'invalid_reply'],
    ['00 missing a field', raw(200, 'application/json', '{"response_code":"00","phone_no":"081234567890"}'), OvoFormatError, 'invalid_reply'],
    ['02 without url', raw(200, 'application/json', '{"response_code":"02","response_desc":"x"}'), OvoFormatError, 'invalid_reply'],
    ['XML with a DOCTYPE', raw(200, 'application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><faspay><response_code>00</response_code></faspay>'), OvoFormatError, 'invalid_reply'],
    ['an unknown code', raw(200, 'application/json', '{"response_code":"77","response_desc":"New"}'), OvoApiError, 'response_code_77'],
    ['a redirect', raw(302, 'text/plain', '', { location: 'https://example.com/' }), OvoApiError, 'http_302'],
    ['oversized', raw(200, 'application/json', `{"x":"${'a'.repeat(1_100_000)}"}`), OvoFormatError, 'reply_too_large'],
  ];
  for (const [name, step, kind, code] of cases) {
    server.script(step);
    const error = await thrown(() => client.balance({ phone: PHONE }));
    assert.ok(error instanceof kind, `${name}: ${error.name} ${error.message}`);
    assert.equal(error.code, code, name);
    assert.ok(error.requestId, name);
    assert.equal(server.received.length, 1, name);
  }
});

test('with an HMAC secret every attempt carries an X-Signature over the exact body sent', async () => {
  server.script(drop, balanceReply('xml'));
  const client = clientFor(server, 'xml', { hmacSecret: 'whsec_retry' });
  assert.equal((await client.balance({ phone: PHONE })).outcome, 'ok');
  assert.equal(server.received.length, 2);
  for (const r of server.received) {
    const check = verifyHmacSignatureHeader('whsec_retry', r.headers['x-signature'] as string, r.body, Math.floor(Date.now() / 1000));
    assert.deepEqual(check, { ok: true });
  }
  assert.equal(server.received[0]!.headers['user-agent'], 'ovo-tokenize-client/0.1.0');
});
