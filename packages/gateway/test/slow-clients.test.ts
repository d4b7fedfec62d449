// Proves that the gateway closes slow clients within their configured limits — a silent connection, stalled or half-sent headers, a stalled or trickling body, an idle keep-alive connection — while other callers are served, that connections beyond connections_per_ip_max from one IP are closed at once while earlier ones keep working (and that the cap stays off behind a trusted proxy), and that the limits are read from the environment and checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ConnectionsPerIp } from '../src/api/connection-limits.ts';
import { configFromEnv, resolveConfig } from '../src/config.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { callOperation, startTestGateway } from './support/gateway.ts';

const SHOP: MerchantInput = { merchantId: '52001', name: 'Slow Clients Shop', userId: 'bot52001', password: 'pw-slow' };
const LIMITS = { headers_timeout_ms: 1_000, request_timeout_ms: 2_500, keep_alive_timeout_ms: 1_500, timeout_check_interval_ms: 200 } as const;
// Node keeps an idle keep-alive socket this much longer than keepAliveTimeout, so a client racing the close does not get a reset.
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000;
/** Slack for a busy machine on top of each limit (and the interval at which Node checks it). */
const MARGIN_MS = 1_500;
const HEALTH_REQUEST = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const HEALTH_REPLY = '{"status":"ok"}';

/** A raw TCP client that records what arrives and when the server closes the connection. */
class RawConnection {
  received = '';
  readonly openedAt = performance.now();
  /** Resolves with the time the connection closed, in ms since it was opened. */
  readonly closed: Promise<number>;
  #isClosed = false;
  readonly #socket: Socket;

  constructor(gatewayUrl: string) {
    this.#socket = connect({ host: '127.0.0.1', port: Number(new URL(gatewayUrl).port) });
    this.#socket.setEncoding('utf8');
    this.#socket.on('data', (chunk: string) => { this.received += chunk; });
    this.#socket.on('error', () => {}); // a reset is one way of being closed
    this.closed = new Promise((resolve) => this.#socket.once('close', () => {
      this.#isClosed = true;
      resolve(performance.now() - this.openedAt);
    }));
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(text: string): void {
    this.#socket.write(text);
  }

  end(): void {
    this.#socket.end();
  }

  /** Resolves once `text` has arrived `count` times in all; rejects if the connection closes first. */
  async waitFor(text: string, count = 1): Promise<void> {
    while (this.received.split(text).length - 1 < count) {
      if (this.#isClosed) throw new Error(`closed before "${text}" arrived ×${count}; received: ${this.received}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function assertClosedWithin(closedAtMs: number, fromMs: number, limitMs: number, slackMs: number, what: string): void {
  const afterMs = closedAtMs - fromMs;
  assert.ok(afterMs >= limitMs - 100, `${what}: closed after ${Math.round(afterMs)} ms, before its ${limitMs} ms limit`);
  assert.ok(afterMs <= limitMs + slackMs, `${what}: closed after ${Math.round(afterMs)} ms, limit ${limitMs} ms`);
}

function activate(url: string): Promise<{ body: Record<string, any> }> {
  return callOperation(url, 'activation', {
    request: 'Account Activation OVO OpenAPI', merchant_id: SHOP.merchantId, payment_channel: '720', phone_no: '081234500009', cust_name: 'Not Slow',
  }, 'json', SHOP);
}

// The timeout turns a connection that is never closed into a failure instead of a hung run.
test('sqlite: stalled and idle connections are closed within their limits while other callers are served', { timeout: 30_000 }, async () => {
  const gw = await startTestGateway('sqlite', { merchants: [SHOP], config: { ...LIMITS } });
  // Warm up first, so the calls made while slow clients hang do not also pay for the first compile.
  assert.equal((await fetch(`${gw.url}/health`)).status, 200);
  assert.equal((await activate(gw.url)).body.response_code, '00');

  const silent = new RawConnection(gw.url);
  const halfHeaders = new RawConnection(gw.url);
  halfHeaders.write('POST /ovo/activation HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty');
  const bodyHeaders = 'POST /ovo/activation HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
  const stalledBody = new RawConnection(gw.url);
  stalledBody.write(`${bodyHeaders}{"request":`);
  // A body that never pauses for long: only a deadline on the whole request ends it, not an idle timeout.
  const tricklingBody = new RawConnection(gw.url);
  tricklingBody.write(bodyHeaders);
  const trickle = setInterval(() => tricklingBody.write(' '), 100);
  const keptAlive = new RawConnection(gw.url);
  keptAlive.write(HEALTH_REQUEST);
  await keptAlive.waitFor(HEALTH_REPLY);
  const repliedAt = performance.now() - keptAlive.openedAt;

  const health = await fetch(`${gw.url}/health`);
  assert.deepEqual([health.status, await health.text()], [200, HEALTH_REPLY]);
  assert.equal((await activate(gw.url)).body.response_code, '00');
  assert.ok(!stalledBody.isClosed && !tricklingBody.isClosed, 'other callers were served while slow bodies were still arriving');

  const [silentAt, halfHeadersAt, stalledBodyAt, tricklingBodyAt, keptAliveAt] = await Promise.all(
    [silent.closed, halfHeaders.closed, stalledBody.closed, tricklingBody.closed, keptAlive.closed]);
  clearInterval(trickle);
  const checkSlackMs = LIMITS.timeout_check_interval_ms + MARGIN_MS;
  assertClosedWithin(silentAt, 0, LIMITS.headers_timeout_ms, checkSlackMs, 'a connection that sends nothing');
  assertClosedWithin(halfHeadersAt, 0, LIMITS.headers_timeout_ms, checkSlackMs, 'half-sent headers');
  assertClosedWithin(stalledBodyAt, 0, LIMITS.request_timeout_ms, checkSlackMs, 'a stalled body');
  assertClosedWithin(tricklingBodyAt, 0, LIMITS.request_timeout_ms, checkSlackMs, 'a trickling body');
  assertClosedWithin(keptAliveAt, repliedAt, LIMITS.keep_alive_timeout_ms, NODE_KEEP_ALIVE_BUFFER_MS + MARGIN_MS, 'an idle keep-alive connection');

  for (const connection of [silent, halfHeaders, stalledBody, tricklingBody]) assert.match(connection.received, /^HTTP\/1\.1 408 /);
  assert.equal(keptAlive.received.split('HTTP/1.1 ').length - 1, 1, 'an idle connection is closed without another reply');
});

test('sqlite: connections beyond connections_per_ip_max from one IP are closed at once; earlier ones keep working and a closed one frees its place', async () => {
  const gw = await startTestGateway('sqlite', { config: { connections_per_ip_max: 3 } });
  const admitted = [new RawConnection(gw.url), new RawConnection(gw.url), new RawConnection(gw.url)];
  for (const connection of admitted) {
    connection.write(HEALTH_REQUEST);
    await connection.waitFor(HEALTH_REPLY);
  }

  const extra = [new RawConnection(gw.url), new RawConnection(gw.url)];
  for (const connection of extra) connection.write(HEALTH_REQUEST);
  await Promise.all(extra.map((c) => c.closed));
  for (const connection of extra) assert.equal(connection.received, '', 'a connection over the cap gets no reply');

  for (const connection of admitted) {
    connection.write(HEALTH_REQUEST);
    await connection.waitFor(HEALTH_REPLY, 2);
    assert.ok(!connection.isClosed);
  }

  admitted[0]!.end();
  await admitted[0]!.closed;
  // The server learns of the close a moment after the client does.
  let replacement: RawConnection | undefined;
  for (let attempt = 0; attempt < 50 && !replacement; attempt += 1) {
    const candidate = new RawConnection(gw.url);
    candidate.write(HEALTH_REQUEST);
    await Promise.race([candidate.waitFor(HEALTH_REPLY).catch(() => {}), candidate.closed]);
    if (candidate.received.includes(HEALTH_REPLY)) replacement = candidate;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(replacement, 'a new connection is admitted once an earlier one has closed');
  for (const connection of [...admitted.slice(1), replacement]) connection.end();
});

test('sqlite: behind a trusted proxy the per-IP cap is not applied (every connection comes from the proxy)', async () => {
  const gw = await startTestGateway('sqlite', { config: { connections_per_ip_max: 1, trustProxy: true } });
  const connections = [new RawConnection(gw.url), new RawConnection(gw.url)];
  for (const connection of connections) {
    connection.write(HEALTH_REQUEST);
    await connection.waitFor(HEALTH_REPLY);
  }
  for (const connection of connections) connection.end();
});

test('the cap counts each address separately and forgets a connection when it closes', () => {
  class FakeSocket extends EventEmitter {
    destroyed = false;
    constructor(readonly remoteAddress: string | undefined) {
      super();
    }
    destroy(): void {
      this.destroyed = true;
    }
  }
  const cap = new ConnectionsPerIp(2);
  const a = [new FakeSocket('10.0.0.1'), new FakeSocket('10.0.0.1'), new FakeSocket('10.0.0.1')];
  assert.deepEqual(a.map((s) => cap.admit(s)), [true, true, false]);
  assert.deepEqual(a.map((s) => s.destroyed), [false, false, true]);
  assert.equal(cap.admit(new FakeSocket('10.0.0.2')), true, 'another address has its own count');
  a[0]!.emit('close');
  assert.equal(cap.openFrom('10.0.0.1'), 1);
  assert.equal(cap.admit(new FakeSocket('10.0.0.1')), true);
  const gone = new FakeSocket(undefined);
  assert.equal(cap.admit(gone), false);
  assert.ok(gone.destroyed);
});

test('configFromEnv reads the connection limits; they must be whole numbers, the timeouts positive, headers within the request', () => {
  assert.deepEqual(configFromEnv({
    OVO_REQUEST_TIMEOUT_MS: '20000', OVO_HEADERS_TIMEOUT_MS: '5000', OVO_KEEP_ALIVE_TIMEOUT_MS: '65000', OVO_CONNECTIONS_PER_IP_MAX: '0',
  }), { request_timeout_ms: 20_000, headers_timeout_ms: 5_000, keep_alive_timeout_ms: 65_000, connections_per_ip_max: 0 });
  assert.deepEqual(
    (({ request_timeout_ms, headers_timeout_ms, keep_alive_timeout_ms, connections_per_ip_max }) => ({ request_timeout_ms, headers_timeout_ms, keep_alive_timeout_ms, connections_per_ip_max }))(resolveConfig()),
    { request_timeout_ms: 30_000, headers_timeout_ms: 10_000, keep_alive_timeout_ms: 5_000, connections_per_ip_max: 64 });
  assert.throws(() => configFromEnv({ OVO_REQUEST_TIMEOUT_MS: '0' }), /OVO_REQUEST_TIMEOUT_MS/);
  assert.throws(() => configFromEnv({ OVO_HEADERS_TIMEOUT_MS: '1.5' }), /OVO_HEADERS_TIMEOUT_MS/);
  assert.throws(() => configFromEnv({ OVO_KEEP_ALIVE_TIMEOUT_MS: 'soon' }), /OVO_KEEP_ALIVE_TIMEOUT_MS/);
  assert.throws(() => configFromEnv({ OVO_CONNECTIONS_PER_IP_MAX: '-1' }), /OVO_CONNECTIONS_PER_IP_MAX/);
  assert.throws(() => resolveConfig(configFromEnv({ OVO_HEADERS_TIMEOUT_MS: '40000' })), /OVO_HEADERS_TIMEOUT_MS.*OVO_REQUEST_TIMEOUT_MS/);
});
