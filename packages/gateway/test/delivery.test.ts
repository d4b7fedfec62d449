// Proves that outbox deliveries reach a real HTTP receiver signed and with a stable X-Notification-Id, are retried with backoff until acknowledged or the horizon passes, can be resent, and are never sent twice at once by two dispatchers, on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PAYMENT_NOTIFICATION,
  contentTypeOf,
  serialize,
  verifyHmacSignatureHeader,
  type WireFormat,
} from '@ovo-tokenize/protocol';
import { DeliveryDispatcher, type DeliveryDispatcherOptions } from '../src/delivery/dispatcher.ts';
import {
  enqueueDelivery,
  getDelivery,
  listDeliveries,
  newNotificationId,
  resendDelivery,
  type NewDelivery,
} from '../src/delivery/outbox.ts';
import { systemRandom } from '../src/domain/random.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './support/databases.ts';

const MERCHANT = '99999';
const SECRET = 'whsec_test_0123456789';
const HORIZON_MS = 3 * 24 * 3600 * 1000;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (request: Received, res: ServerResponse) => void;

interface Receiver {
  readonly base: string;
  readonly port: number;
  readonly received: Received[];
  handler: Handler;
  close(): Promise<void>;
}

async function startReceiver(handler: Handler, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, handler } as Receiver & { handler: Handler };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      receiver.handler(request, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    base: `http://127.0.0.1:${actual}`,
    port: actual,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A port on which nothing listens (for now). */
async function closedPort(): Promise<number> {
  const r = await startReceiver(() => {});
  await r.close();
  return r.port;
}

class TestClock {
  constructor(public t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

function dispatcher(database: Database, clock: TestClock, options: Partial<DeliveryDispatcherOptions> = {}): DeliveryDispatcher {
  return new DeliveryDispatcher({
    database,
    clock,
    hmacSecretFor: async (merchantId) => (merchantId === MERCHANT ? SECRET : null),
    attemptTimeoutMs: 2_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 4_000,
    ...options,
  });
}

async function enqueue(database: Database, clock: TestClock, delivery: NewDelivery, retryHorizonMs = HORIZON_MS): Promise<string> {
  const notificationId = newNotificationId(systemRandom);
  await inTransaction(database, (tx) => enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs, notificationId }));
  return notificationId;
}

function notificationBody(format: WireFormat, billNo = 'INV-1'): string {
  const values: Record<(typeof PAYMENT_NOTIFICATION.fields)[number], string> = {
    request: PAYMENT_NOTIFICATION.request,
    trx_id: '7200000000000001',
    merchant_id: MERCHANT,
    merchant: 'Toko Test',
    bill_no: billNo,
    payment_reff: '7200000000000001',
    payment_date: '2024-01-02 03:04:05',
    payment_status_code: '2',
    payment_status_desc: 'Payment Success',
    bill_total: '15000',
    payment_total: '15000',
    payment_channel_uid: '720',
    payment_channel: 'OVO Tokenize',
    signature: 'abc',
  };
  return serialize(format, values);
}

function ack(format: WireFormat, responseCode: string): string {
  return serialize(format, {
    response: PAYMENT_NOTIFICATION.request,
    trx_id: '7200000000000001',
    merchant_id: MERCHANT,
    bill_no: 'INV-1',
    response_code: responseCode,
    response_desc: responseCode === '00' ? 'Success' : 'Failed',
    response_date: '2024-01-02 03:04:06',
  });
}

function reply(res: ServerResponse, status: number, body = '', contentType?: string): void {
  res.writeHead(status, contentType === undefined ? {} : { 'content-type': contentType });
  res.end(body);
}

function paymentNotification(url: string, format: WireFormat = 'json', billNo?: string): NewDelivery {
  return { kind: 'payment_notification', merchantId: MERCHANT, method: 'POST', url, contentType: contentTypeOf(format), body: notificationBody(format, billNo) };
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withDatabase(kind: (typeof DATABASE_KINDS)[number], work: (database: TestDatabase) => Promise<void>): Promise<void> {
  const database = await openTestDatabase(kind);
  try {
    await work(database);
  } finally {
    await database.close();
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a GET activation callback is delivered with its query string and X-Notification-Id`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startReceiver((_req, res) => reply(res, 204));
      try {
        const clock = new TestClock();
        const query = '?response=Account+Activation&phone_number=081382826301&response_code=00&response_desc=Success&merchant_id=99999&signature=abc';
        const id = await enqueue(database, clock, { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: `${receiver.base}/callback${query}` });
        const d = dispatcher(database, clock);

        assert.equal(await d.runOnce(), 1);
        assert.equal(receiver.received.length, 1);
        const [request] = receiver.received;
        assert.equal(request?.method, 'GET');
        assert.equal(request?.url, `/callback${query}`);
        assert.equal(request?.headers['x-notification-id'], id);
        assert.equal(request?.headers['user-agent'], 'ovo-tokenize-gateway');
        assert.equal(request?.headers['x-signature'], undefined, 'nothing to sign without a body');

        const delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'delivered');
        assert.equal(delivery?.attempts, 1);
        assert.equal(delivery?.deliveredAt, clock.now());
        assert.equal(delivery?.lastHttpStatus, 204);
        assert.equal(delivery?.leasedUntil, null);
        assert.equal(await d.runOnce(), 0, 'a delivered row is not sent again');
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: a signed JSON payment notification is delivered once the merchant acknowledges 00`, async () => {
    await withDatabase(kind, async (database) => {
      const verdicts: unknown[] = [];
      const receiver = await startReceiver((req, res) => {
        const verdict = verifyHmacSignatureHeader(SECRET, req.headers['x-signature'] as string | undefined, req.body, Math.floor(Date.now() / 1000));
        verdicts.push(verdict);
        if (!verdict.ok) return reply(res, 401);
        reply(res, 200, ack('json', '00'), 'application/json');
      });
      try {
        const clock = new TestClock();
        const delivery = paymentNotification(`${receiver.base}/notify`);
        const id = await enqueue(database, clock, delivery);
        assert.equal(await dispatcher(database, clock).runOnce(), 1);

        assert.deepEqual(verdicts, [{ ok: true }]);
        const [request] = receiver.received;
        assert.equal(request?.method, 'POST');
        assert.equal(request?.body, delivery.body);
        assert.equal(request?.headers['content-type'], 'application/json; charset=utf-8');
        assert.equal(request?.headers['x-notification-id'], id);
        assert.equal((await getDelivery(database, id))?.status, 'delivered');
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: an XML notification reads the acknowledgement in its own or the request's format`, async () => {
    await withDatabase(kind, async (database) => {
      const answers: Array<[string, string | undefined]> = [[ack('xml', '01'), 'text/xml'], [ack('xml', '00'), undefined]];
      const receiver = await startReceiver((_req, res) => {
        const [body, type] = answers.shift() ?? ['', undefined];
        reply(res, 200, body, type);
      });
      try {
        const clock = new TestClock();
        const id = await enqueue(database, clock, paymentNotification(`${receiver.base}/notify`, 'xml'));
        const d = dispatcher(database, clock);

        assert.equal(await d.runOnce(), 1);
        let delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'pending');
        assert.match(delivery?.lastError ?? '', /response_code "01"/);
        assert.equal(delivery?.lastHttpStatus, 200);

        clock.advance(1_000);
        assert.equal(await d.runOnce(), 1);
        delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'delivered', 'no Content-Type: read as XML, the request format');
        assert.equal(receiver.received[0]?.headers['content-type'], 'application/xml; charset=utf-8');
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: a receiver that is down, then failing, is retried with backoff until it acknowledges`, async () => {
    await withDatabase(kind, async (database) => {
      const port = await closedPort();
      const clock = new TestClock();
      const id = await enqueue(database, clock, paymentNotification(`http://127.0.0.1:${port}/notify`));
      const d = dispatcher(database, clock);

      // 1: connection refused.
      assert.equal(await d.runOnce(), 1);
      let delivery = await getDelivery(database, id);
      assert.equal(delivery?.status, 'pending');
      assert.equal(delivery?.attempts, 1);
      assert.match(delivery?.lastError ?? '', /ECONNREFUSED/);
      assert.equal(delivery?.lastHttpStatus, null);
      assert.equal(delivery?.leasedUntil, null);
      let wait = (delivery?.nextAttemptAt ?? 0) - clock.now();
      assert.ok(wait >= 500 && wait <= 1_000, `first backoff ${wait} ms within 50–100 % of 1 s`);
      assert.equal(await d.runOnce(), 0, 'not due before its backoff');

      const answers: Array<() => [number, string, string | undefined]> = [
        () => [503, 'busy', 'text/plain'],
        () => [200, ack('json', '01'), 'application/json'],
        () => [200, ack('json', '00'), 'application/json'],
      ];
      const receiver = await startReceiver((_req, res) => {
        const [status, body, type] = (answers.shift() ?? (() => [500, '', undefined] as const))();
        reply(res, status, body, type);
      }, port);
      try {
        // 2: HTTP 503.
        clock.advance(wait);
        assert.equal(await d.runOnce(), 1);
        delivery = await getDelivery(database, id);
        assert.equal(delivery?.attempts, 2);
        assert.equal(delivery?.lastHttpStatus, 503);
        assert.equal(delivery?.lastError, 'HTTP 503');
        wait = (delivery?.nextAttemptAt ?? 0) - clock.now();
        assert.ok(wait >= 1_000 && wait <= 2_000, `second backoff ${wait} ms within 50–100 % of 2 s`);

        // 3: 200 but response_code 01 is not an acknowledgement.
        clock.advance(wait);
        assert.equal(await d.runOnce(), 1);
        delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'pending');
        assert.equal(delivery?.attempts, 3);
        wait = (delivery?.nextAttemptAt ?? 0) - clock.now();
        assert.ok(wait >= 2_000 && wait <= 4_000, `third backoff ${wait} ms within 50–100 % of 4 s`);

        // 4: acknowledged.
        clock.advance(wait);
        assert.equal(await d.runOnce(), 1);
        delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'delivered');
        assert.equal(delivery?.attempts, 4);
        assert.equal(delivery?.lastError, null);

        assert.equal(receiver.received.length, 3);
        assert.deepEqual(receiver.received.map((r) => r.headers['x-notification-id']), [id, id, id]);
        const stamps = receiver.received.map((r) => /^t=(\d+),/.exec(String(r.headers['x-signature']))?.[1]);
        assert.equal(new Set(stamps).size, 3, 'each attempt is signed afresh');
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: a delivery gives up after its horizon, and a resend delivers it`, async () => {
    await withDatabase(kind, async (database) => {
      let up = false;
      const receiver = await startReceiver((_req, res) => (up ? reply(res, 200, ack('json', '00'), 'application/json') : reply(res, 500)));
      try {
        const clock = new TestClock();
        const id = await enqueue(database, clock, paymentNotification(`${receiver.base}/notify`), 3_000);
        const d = dispatcher(database, clock, { backoffBaseMs: 1_000, backoffMaxMs: 1_000 });

        let delivery = await getDelivery(database, id);
        for (let round = 0; delivery?.status === 'pending'; round++) {
          assert.ok(round < 10, 'gave up within the horizon');
          clock.t = Math.max(clock.t, delivery.nextAttemptAt);
          assert.equal(await d.runOnce(), 1);
          delivery = await getDelivery(database, id);
        }
        assert.equal(delivery?.status, 'failed');
        assert.ok((delivery?.attempts ?? 0) >= 3, 'at least horizon / max backoff attempts');
        assert.equal(delivery?.lastHttpStatus, 500);
        assert.ok(clock.now() <= (delivery?.giveUpAt ?? 0));
        assert.deepEqual((await listDeliveries(database, { status: 'failed', limit: 10 })).map((x) => x.notificationId), [id]);
        clock.advance(60_000);
        assert.equal(await d.runOnce(), 0, 'a failed delivery is not retried by itself');

        const resent = await resendDelivery(database, id, clock.now());
        assert.equal(resent?.status, 'pending');
        assert.equal(resent?.attempts, 0);
        assert.equal(resent?.notificationId, id);
        assert.equal(resent?.giveUpAt, clock.now() + 3_000, 'a fresh horizon as long as the original');
        up = true;
        assert.equal(await d.runOnce(), 1);
        delivery = await getDelivery(database, id);
        assert.equal(delivery?.status, 'delivered');

        // A delivered one can be resent too (by its numeric id), and goes out again with the same id.
        const again = await resendDelivery(database, delivery?.id ?? 0n, clock.now(), 10_000);
        assert.equal(again?.giveUpAt, clock.now() + 10_000);
        assert.equal(again?.deliveredAt, null);
        assert.equal(await d.runOnce(), 1);
        assert.equal((await getDelivery(database, id))?.status, 'delivered');
        assert.ok(receiver.received.every((r) => r.headers['x-notification-id'] === id));
        assert.equal(await resendDelivery(database, 'ntf_missing', clock.now()), null);
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: a receiver that never answers, or stalls mid-body, times the attempt out`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startReceiver((req, res) => {
        if (req.url === '/stall-body') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"response_code":');
        }
        // otherwise: never answer
      });
      try {
        const clock = new TestClock();
        const silent = await enqueue(database, clock, { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: `${receiver.base}/silent?x=1` });
        const stalled = await enqueue(database, clock, paymentNotification(`${receiver.base}/stall-body`));
        const d = dispatcher(database, clock, { attemptTimeoutMs: 300 });

        const started = Date.now();
        assert.equal(await d.runOnce(), 2);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 250 && elapsed < 3_000, `both attempts ran in parallel and ended at the timeout (${elapsed} ms)`);
        for (const id of [silent, stalled]) {
          const delivery = await getDelivery(database, id);
          assert.equal(delivery?.status, 'pending');
          assert.equal(delivery?.attempts, 1);
          assert.equal(delivery?.lastError, 'timeout after 300 ms');
          assert.equal(delivery?.leasedUntil, null);
        }
        assert.equal((await getDelivery(database, stalled))?.lastHttpStatus, 200);
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: two dispatchers on one database never send the same row twice`, async () => {
    await withDatabase(kind, async (database) => {
      const counts = new Map<string, number>();
      const receiver = await startReceiver((req, res) => {
        const id = String(req.headers['x-notification-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
        setTimeout(() => reply(res, 200, ack('json', '00'), 'application/json'), 15);
      });
      // A second connection pool to the same database, as a second gateway process would have.
      const other = openDatabase(database.url, { poolSize: 10 });
      try {
        const clock = new TestClock();
        const total = 40;
        const ids = new Set<string>();
        for (let i = 0; i < total; i++) ids.add(await enqueue(database, clock, paymentNotification(`${receiver.base}/notify`, 'json', `INV-${i}`)));
        const first = dispatcher(database, clock, { concurrency: 8 });
        const second = dispatcher(other, clock, { concurrency: 8 });

        let byFirst = 0;
        let bySecond = 0;
        for (let round = 0; byFirst + bySecond < total; round++) {
          assert.ok(round < 10, 'all delivered within a few rounds');
          const before = receiver.received.length;
          const [a, b] = await Promise.all([first.runOnce(), second.runOnce()]);
          assert.ok(a > 0 || b > 0, 'each round makes progress');
          byFirst += a;
          bySecond += b;
          assert.equal(receiver.received.length - before, a + b, 'each attempted row was sent exactly once this round');
          assert.ok([...counts.values()].every((n) => n === 1), 'no row sent twice');
        }
        assert.equal(byFirst + bySecond, total);
        assert.ok(byFirst > 0 && bySecond > 0, `both dispatchers took part (${byFirst} + ${bySecond})`);
        assert.deepEqual(new Set(counts.keys()), ids);
        assert.equal((await listDeliveries(database, { status: 'delivered', limit: 100 })).length, total);
      } finally {
        await other.close();
        await receiver.close();
      }
    });
  });

  test(`${kind}: a row leased by a dispatcher that died is taken over once the lease runs out`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startReceiver((_req, res) => reply(res, 200));
      try {
        const clock = new TestClock();
        const id = await enqueue(database, clock, { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: `${receiver.base}/cb?a=1` });
        await database.db.updateTable('outbox').set({ leased_until: BigInt(clock.now() + 60_000) }).execute();
        const d = dispatcher(database, clock);
        assert.equal(await d.runOnce(), 0);
        clock.advance(60_001);
        assert.equal(await d.runOnce(), 1);
        assert.equal((await getDelivery(database, id))?.status, 'delivered');
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: redirects, oversized and malformed acknowledgements are failed attempts`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startReceiver((req, res) => {
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/elsewhere' });
          res.end();
        } else if (req.url === '/huge') {
          reply(res, 200, JSON.stringify({ response_code: '00', pad: 'x'.repeat(70 * 1024) }), 'application/json');
        } else if (req.url === '/garbage') {
          reply(res, 200, 'OK', 'text/plain');
        } else {
          reply(res, 200, ack('json', '00'), 'application/json');
        }
      });
      try {
        const clock = new TestClock();
        const redirect = await enqueue(database, clock, paymentNotification(`${receiver.base}/redirect`));
        const huge = await enqueue(database, clock, paymentNotification(`${receiver.base}/huge`));
        const garbage = await enqueue(database, clock, paymentNotification(`${receiver.base}/garbage`));
        assert.equal(await dispatcher(database, clock).runOnce(), 3);

        assert.ok(!receiver.received.some((r) => r.url === '/elsewhere'), 'the redirect was not followed');
        const r = await getDelivery(database, redirect);
        assert.equal(r?.status, 'pending');
        assert.equal(r?.lastHttpStatus, 302);
        assert.match(r?.lastError ?? '', /redirects are not followed/);
        assert.match((await getDelivery(database, huge))?.lastError ?? '', /larger than 65536 bytes/);
        assert.match((await getDelivery(database, garbage))?.lastError ?? '', /acknowledgement is neither JSON nor XML/);
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: a delivery exists only if the transaction that queued it commits`, async () => {
    await withDatabase(kind, async (database) => {
      const clock = new TestClock();
      const delivery: NewDelivery = { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: 'http://127.0.0.1:1/cb?a=1' };
      await assert.rejects(
        inTransaction(database, async (tx) => {
          await enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'ntf_rolled_back' });
          throw new Error('the state change failed');
        }),
        /the state change failed/,
      );
      assert.equal(await getDelivery(database, 'ntf_rolled_back'), null);

      await inTransaction(database, (tx) => enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'ntf_a' }));
      clock.advance(1);
      await inTransaction(database, (tx) => enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'ntf_b' }));
      await assert.rejects(
        inTransaction(database, (tx) => enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'ntf_a' })),
        'a notification id is unique',
      );
      await assert.rejects(
        inTransaction(database, (tx) => enqueueDelivery(tx, { ...delivery, body: 'x' }, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'ntf_c' })),
        /GET delivery carries no body/,
      );

      const all = await listDeliveries(database, { limit: 10 });
      assert.deepEqual(all.map((d) => d.notificationId), ['ntf_b', 'ntf_a'], 'newest first');
      const b = all[0];
      assert.equal(b?.status, 'pending');
      assert.equal(b?.nextAttemptAt, clock.now());
      assert.equal(b?.giveUpAt, clock.now() + HORIZON_MS);
      assert.equal(b?.createdAt, clock.now());
      assert.equal((await getDelivery(database, b?.id ?? 0n))?.notificationId, 'ntf_b');
      assert.equal((await listDeliveries(database, { limit: 1 })).length, 1);
      assert.equal((await listDeliveries(database, { status: 'delivered', limit: 10 })).length, 0);
    });
  });

  test(`${kind}: the background loop delivers on wake, survives errors, and stop() waits for attempts in flight`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startReceiver((_req, res) => setTimeout(() => reply(res, 200, ack('json', '00'), 'application/json'), 150));
      const warnings: string[] = [];
      let secretCalls = 0;
      const clock = new TestClock();
      const d = dispatcher(database, clock, {
        pollIntervalMs: 60_000, // so only wake() can explain a prompt delivery
        hmacSecretFor: async () => {
          if (secretCalls++ === 0) throw new Error('merchant store unavailable');
          return SECRET;
        },
        logger: { info() {}, warn: (_obj, msg) => warnings.push(msg ?? '') },
      });
      try {
        d.start();
        const failing = await enqueue(database, clock, paymentNotification(`${receiver.base}/notify`, 'json', 'INV-A'));
        d.wake();
        await eventually(async () => (await getDelivery(database, failing))?.attempts === 1, 'the first attempt');
        const first = await getDelivery(database, failing);
        assert.equal(first?.status, 'pending');
        assert.equal(first?.lastError, 'internal: signing secret unavailable');
        assert.ok(warnings.some((w) => /signing secret/.test(w)));

        const next = await enqueue(database, clock, paymentNotification(`${receiver.base}/notify`, 'json', 'INV-B'));
        d.wake();
        await eventually(() => receiver.received.length === 1, 'the request to arrive');
        await d.stop(); // the receiver is still holding its reply
        assert.equal((await getDelivery(database, next))?.status, 'delivered', 'stop() waited for the attempt and its record');
        assert.ok(receiver.received[0]?.headers['x-signature']);
      } finally {
        await d.stop();
        await receiver.close();
      }
    });
  });
}
