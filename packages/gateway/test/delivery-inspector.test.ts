// Proves, on SQLite and PostgreSQL with real HTTP receivers, that deliveries reuse keep-alive connections, that the outcomes of attempts ending together are written in one transaction, that each attempt is kept with the headers the receiver got, its status, the first 4 KiB of its answer and its latency (the last 20 per delivery), and that the sandbox's delivery inspector lists them by merchant, kind, status and bill, shows one with its attempts, resends it with the same X-Notification-Id, refuses bad input with a JSON 400/404, and does not exist outside sandbox mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAYMENT_NOTIFICATION, serialize } from '@ovo-tokenize/protocol';
import type { FastifyRequest } from 'fastify';
import { prefersHtml } from '../src/api/sandbox/deliveries.ts';
import { DeliveryDispatcher, type DeliveryDispatcherOptions } from '../src/delivery/dispatcher.ts';
import {
  DELIVERY_ATTEMPTS_KEPT, enqueueDelivery, getDelivery, listDeliveryAttempts, newNotificationId, resendDelivery, type NewDelivery,
} from '../src/delivery/outbox.ts';
import type { Merchant } from '../src/domain/merchant.ts';
import { systemRandom } from '../src/domain/random.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './support/databases.ts';
import { callOperation } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway } from './support/payments.ts';

const MERCHANT = '99999';
const SECRET = 'whsec_inspector_0123456789';
const HORIZON_MS = 24 * 3600 * 1000;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface CountingReceiver {
  readonly base: string;
  readonly received: Received[];
  /** TCP connections the receiver accepted. */
  connections: number;
  close(): Promise<void>;
}

/** A merchant's server that counts its connections and answers each request through `handler`. */
async function startCountingReceiver(handler: (request: Received, res: ServerResponse) => void): Promise<CountingReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      handler(request, res);
    });
  });
  const receiver = { received, connections: 0 } as CountingReceiver;
  server.on('connection', () => receiver.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(receiver, {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

const ACK = serialize('json', {
  response: PAYMENT_NOTIFICATION.request, trx_id: '1', merchant_id: MERCHANT, bill_no: 'B', response_code: '00',
  response_desc: 'Success', response_date: '2024-01-02 03:04:06',
});

function ack(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(ACK);
}

class FixedClock {
  t = Date.now();
  now(): number {
    return this.t;
  }
}

function dispatcher(database: Database, clock: FixedClock, options: Partial<DeliveryDispatcherOptions> = {}): DeliveryDispatcher {
  return new DeliveryDispatcher({
    database, clock, hmacSecretFor: async () => SECRET, attemptTimeoutMs: 5_000, backoffBaseMs: 1_000, backoffMaxMs: 1_000, ...options,
  });
}

function notification(url: string, billNo: string): NewDelivery {
  return {
    kind: 'payment_notification', merchantId: MERCHANT, method: 'POST', url, contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ request: PAYMENT_NOTIFICATION.request, merchant_id: MERCHANT, bill_no: billNo }), billNo,
  };
}

async function enqueue(database: Database, clock: FixedClock, delivery: NewDelivery): Promise<string> {
  const notificationId = newNotificationId(systemRandom);
  await inTransaction(database, (tx) => enqueueDelivery(tx, delivery, { now: clock.now(), retryHorizonMs: HORIZON_MS, notificationId }));
  return notificationId;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
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

/** Header names as the receiver sees them (lower case). */
function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: deliveries to one merchant reuse keep-alive connections`, async () => {
    await withDatabase(kind, async (database) => {
      const receiver = await startCountingReceiver((req, res) => (req.method === 'GET' ? res.writeHead(204).end() : ack(res)));
      try {
        const clock = new FixedClock();
        const total = 24;
        for (let i = 0; i < total; i++) {
          await enqueue(database, clock, i % 3 === 0
            ? { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: `${receiver.base}/callback?n=${i}` }
            : notification(`${receiver.base}/notify`, `KA-${i}`));
        }
        const concurrency = 4;
        const d = dispatcher(database, clock, { concurrency });
        let sent = 0;
        while (sent < total) {
          const n = await d.runOnce();
          assert.ok(n > 0, 'each round sends something');
          sent += n;
        }
        assert.equal(receiver.received.length, total);
        assert.ok(receiver.connections <= concurrency,
          `${total} deliveries over ${receiver.connections} connections (at most one per slot)`);
        await d.stop();
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: the outcomes of attempts that end together are written in one transaction`, async () => {
    await withDatabase(kind, async (database) => {
      const total = 16;
      const held: ServerResponse[] = [];
      // Holds every answer until all requests are in, then answers them at once.
      const receiver = await startCountingReceiver((_req, res) => {
        held.push(res);
        if (held.length === total) for (const r of held) ack(r);
      });
      const statements: string[] = [];
      const counted = openDatabase(database.url, { poolSize: 4, onQuery: (sql) => statements.push(sql) });
      const clock = new FixedClock();
      const d = dispatcher(counted, clock, { concurrency: total, pollIntervalMs: 20 });
      try {
        const ids: string[] = [];
        for (let i = 0; i < total; i++) ids.push(await enqueue(database, clock, notification(`${receiver.base}/notify`, `BATCH-${i}`)));
        d.start();
        await until('every notification delivered', async () => {
          const rows = await Promise.all(ids.map((id) => getDelivery(database, id)));
          return rows.every((row) => row?.status === 'delivered');
        });
        const outcomeWrites = statements.filter((s) => /^insert into "delivery_attempts"/i.test(s)).length;
        const outcomeUpdates = statements.filter((s) => /^update "outbox" set "status"/i.test(s)).length;
        assert.equal(outcomeUpdates, total, 'one outcome per delivery');
        assert.ok(outcomeWrites < total / 2, `${total} outcomes in ${outcomeWrites} transactions`);
        const attempts = await database.db.selectFrom('delivery_attempts').select(['outbox_id', 'number']).execute();
        assert.equal(attempts.length, total, 'every attempt kept with its outcome');
        assert.ok(attempts.every((a) => Number(a.number) === 1));
      } finally {
        await d.stop();
        await counted.close();
        await receiver.close();
      }
    });
  });

  test(`${kind}: each attempt is kept as the merchant received and answered it, the last ${DELIVERY_ATTEMPTS_KEPT} per delivery`, async () => {
    await withDatabase(kind, async (database) => {
      let answer: (res: ServerResponse) => void = (res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('é'.repeat(3_000));
      const receiver = await startCountingReceiver((req, res) => setTimeout(() => (req.method === 'GET' ? res.writeHead(204).end() : answer(res)), 30));
      try {
        const clock = new FixedClock();
        const id = await enqueue(database, clock, notification(`${receiver.base}/notify`, 'INV-7'));
        const callback = await enqueue(database, clock, { kind: 'activation_callback', merchantId: MERCHANT, method: 'GET', url: `${receiver.base}/cb?phone_number=0812` });
        const d = dispatcher(database, clock);
        assert.equal(await d.runOnce(), 2);

        const delivery = (await getDelivery(database, id))!;
        const [first] = await listDeliveryAttempts(database, delivery.id);
        const got = receiver.received.find((r) => r.method === 'POST')!;
        assert.equal(first?.number, 1);
        assert.equal(first?.startedAt, clock.now());
        assert.deepEqual(lowerKeys(first?.requestHeaders ?? {}), got.headers, 'every header line exactly as received');
        assert.equal(first?.requestHeaders?.['X-Notification-Id'], id);
        assert.match(first?.requestHeaders?.['X-Signature'] ?? '', /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.equal(delivery.body, got.body, 'the body sent is the delivery\'s own');
        assert.equal(first?.httpStatus, 503);
        assert.equal(Buffer.byteLength(first?.responseBody ?? ''), 4096, 'the first 4 KiB of a 6 KB answer');
        assert.ok('é'.repeat(3_000).startsWith(first?.responseBody ?? 'x'));
        assert.equal(first?.error, 'HTTP 503');
        assert.ok((first?.latencyMs ?? 0) >= 25, `latency ${first?.latencyMs} ms includes the receiver's 30 ms`);

        const cb = (await getDelivery(database, callback))!;
        const [cbAttempt] = await listDeliveryAttempts(database, cb.id);
        assert.equal(cb.status, 'delivered', 'a callback is acknowledged by its status alone');
        assert.deepEqual(lowerKeys(cbAttempt?.requestHeaders ?? {}), receiver.received.find((r) => r.method === 'GET')!.headers);
        assert.equal(cbAttempt?.httpStatus, 204);
        assert.equal(cbAttempt?.responseBody, '');

        // Attempts continue their count across a resend; only the last ones are kept.
        for (let n = 2; n <= DELIVERY_ATTEMPTS_KEPT + 2; n++) {
          clock.t = Math.max(clock.t, (await getDelivery(database, id))!.nextAttemptAt);
          assert.equal(await d.runOnce(), 1);
        }
        answer = ack;
        await resendDelivery(database, id, clock.now());
        assert.equal(await d.runOnce(), 1);
        assert.equal((await getDelivery(database, id))?.status, 'delivered');
        const kept = await listDeliveryAttempts(database, delivery.id);
        const last = DELIVERY_ATTEMPTS_KEPT + 3;
        assert.deepEqual(kept.map((a) => a.number), Array.from({ length: DELIVERY_ATTEMPTS_KEPT }, (_, i) => last - DELIVERY_ATTEMPTS_KEPT + 1 + i));
        assert.equal(kept.at(-1)?.httpStatus, 200);
        assert.equal(kept.at(-1)?.responseBody, ACK);
        assert.equal(kept.at(-1)?.error, null);
      } finally {
        await receiver.close();
      }
    });
  });

  test(`${kind}: the delivery inspector lists, filters, shows and resends deliveries with the same X-Notification-Id`, async () => {
    const receiver = await startNotificationReceiver();
    const shop = (id: string) => ({
      merchantId: id, name: `Shop ${id}`, userId: `bot${id}`, password: `pw-${id}`, hmacSecret: SECRET,
      notifyUrl: receiver.url, notifyFormat: 'json' as const, pinlessLimit: 100_000n,
    });
    const gw = await startPaymentsGateway(kind, { merchants: [shop('42001'), shop('42002')] });
    const [a, b] = gw.merchants as [Merchant, Merchant];
    const phone = '081242000001';
    const wallet = await fundedWallet(gw.database, { phone, cash: 1_000_000n, points: 0n });
    for (const m of gw.merchants) await linkThroughStore(gw.ctx, m.merchantId, wallet);
    const pay = async (merchant: Merchant, billNo: string) => {
      const reply = await callOperation(gw.url, 'payment', {
        merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: 'Order', bill_total: '10000', bill_currency: 'IDR',
        payment_channel: '720', phone_no: phone, cust_name: 'Inspector', email: 'i@example.com', pay_type: '0',
      }, 'json', merchant);
      assert.equal(reply.body.status, 'SUCCESS', reply.raw);
    };
    await pay(a, 'A-1');
    await pay(a, 'A-2');
    await pay(b, 'B-1');
    // An activation callback that cannot be delivered (nothing listens on port 9 of 127.0.0.1).
    await inTransaction(gw.database, (tx) => enqueueDelivery(tx, {
      kind: 'activation_callback', merchantId: b.merchantId, method: 'GET', url: 'http://127.0.0.1:9/callback?x=1',
    }, { now: gw.clock.now(), retryHorizonMs: HORIZON_MS, notificationId: 'act_inspector_1' }));
    gw.gateway.dispatcher.wake();
    await receiver.waitUntil((r) => r.length === 3, 'three notifications');
    await until('the callback tried', async () => ((await getDelivery(gw.database, 'act_inspector_1'))?.attempts ?? 0) >= 1);
    await until('every notification recorded delivered', async () =>
      (await list('?kind=payment_notification')).every((d) => d.status === 'delivered'));

    async function get(path: string, headers: Record<string, string> = {}) {
      const res = await fetch(`${gw.url}/sandbox/deliveries${path}`, { headers });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() as any };
    }
    async function list(query: string): Promise<any[]> {
      const res = await get(query);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.deliveries;
    }

    const all = await list('');
    assert.equal(all.length, 4);
    assert.deepEqual(all.map((d) => d.bill_no), [null, 'B-1', 'A-2', 'A-1'], 'newest first');
    assert.deepEqual(Object.keys(all[1]), [
      'id', 'notification_id', 'kind', 'merchant_id', 'bill_no', 'url', 'status', 'attempts', 'next_attempt_at', 'created_at',
      'delivered_at', 'last_http_status', 'last_error',
    ]);
    assert.equal(all[1].status, 'delivered');
    assert.equal(all[1].next_attempt_at, null, 'nothing is due for a delivered one');
    assert.equal(all[1].last_http_status, 200);
    assert.ok(!Number.isNaN(Date.parse(all[1].delivered_at)) && all[1].created_at.endsWith('Z'));
    assert.equal(all[0].status, 'pending');
    assert.match(all[0].last_error, /connection failed/);
    assert.ok(all[0].next_attempt_at.endsWith('Z'));

    assert.deepEqual((await list(`?merchant_id=${a.merchantId}`)).map((d) => d.bill_no), ['A-2', 'A-1']);
    assert.deepEqual((await list('?bill_no=A-1')).map((d) => d.bill_no), ['A-1']);
    assert.deepEqual((await list(`?bill_no=A-1&merchant_id=${b.merchantId}`)), []);
    assert.deepEqual((await list('?kind=activation_callback')).map((d) => d.notification_id), ['act_inspector_1']);
    assert.deepEqual((await list('?status=pending')).map((d) => d.notification_id), ['act_inspector_1']);
    assert.equal((await list('?status=delivered&limit=2')).length, 2);
    assert.equal((await list('?merchant_id=&kind=&status=&bill_no=&limit=')).length, 4, 'empty filters are no filters');

    for (const bad of ['?kind=sms', '?status=lost', '?limit=0', '?limit=1001', '?limit=ten', '?merchant_id=abc',
      `?bill_no=${'x'.repeat(33)}`, '?colour=red', '?status=pending&status=failed']) {
      const res = await get(bad);
      assert.equal(res.status, 400, bad);
      assert.equal(typeof res.body.error, 'string', bad);
      assert.deepEqual(Object.keys(res.body), ['error'], bad);
    }

    // One delivery with its attempt, as the receiver got it.
    const a1 = all[3];
    const received = receiver.received.find((n) => n.fields.bill_no === 'A-1')!;
    assert.equal(received.notificationId, a1.notification_id);
    const detail = await get(`/${a1.id}`);
    assert.equal(detail.status, 200);
    const { attempts, ...summary } = detail.body.delivery;
    const { attempts: _count, ...listed } = a1;
    assert.deepEqual(summary, listed, 'the listed fields, with the attempts in place of their count');
    assert.equal(attempts.length, 1);
    const [attempt] = attempts;
    assert.deepEqual(Object.keys(attempt), ['number', 'started_at', 'request', 'response', 'error']);
    assert.equal(attempt.number, 1);
    assert.ok(attempt.started_at.endsWith('Z'));
    assert.deepEqual(lowerKeys(attempt.request.headers), received.headers);
    assert.equal(attempt.request.body, received.raw);
    assert.equal(attempt.response.status, 200);
    assert.equal(JSON.parse(attempt.response.body).response_code, '00');
    assert.equal(typeof attempt.response.latency_ms, 'number');
    assert.equal(attempt.error, null);
    assert.equal((await get(`/${a1.notification_id}`)).body.delivery.id, a1.id, 'found by its notification id too');
    const refused = (await get('/act_inspector_1')).body.delivery.attempts[0];
    assert.equal(refused.response.status, null);
    assert.equal(refused.request.body, null, 'a GET carries no body');
    assert.match(refused.error, /connection failed/);

    for (const [path, status] of [['/999999', 404], ['/ntf_missing', 404], ['/0', 400], ['/-1', 400], ['/%20x', 400]] as const) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      assert.equal(typeof res.body.error, 'string', path);
    }

    // Resend: out at once, with the same X-Notification-Id, and a second attempt on record.
    const resend = await fetch(`${gw.url}/sandbox/deliveries/${a1.id}/resend`, { method: 'POST' });
    assert.equal(resend.status, 200);
    const resent = (await resend.json() as any).delivery;
    assert.equal(resent.notification_id, a1.notification_id);
    assert.equal(resent.status, 'pending');
    assert.equal(resent.attempts, 0);
    await receiver.waitUntil((r) => r.length === 4, 'the resent notification');
    assert.equal(receiver.received[3]?.notificationId, a1.notification_id);
    assert.equal(receiver.received[3]?.raw, received.raw);
    await until('the resend recorded', async () => (await get(`/${a1.id}`)).body.delivery.attempts.length === 2);
    const again = (await get(`/${a1.id}`)).body.delivery;
    assert.equal(again.status, 'delivered');
    assert.deepEqual(again.attempts.map((x: any) => x.number), [1, 2]);
    assert.equal(again.attempts[1].request.headers['X-Notification-Id'], a1.notification_id);

    for (const [path, body, status] of [
      ['/999999/resend', '', 404], ['/x%00/resend', '', 400], [`/${a1.id}/resend`, 'not json', 400], [`/${a1.id}/resend`, '[1]', 400],
    ] as const) {
      const res = await fetch(`${gw.url}/sandbox/deliveries${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, status, `${path} ${body}`);
      assert.equal(typeof ((await res.json()) as any).error, 'string');
    }
    assert.equal(receiver.received.length, 4, 'a refused resend sends nothing');
  });

  test(`${kind}: /sandbox/deliveries does not exist outside sandbox mode`, async () => {
    const gw = await startPaymentsGateway(kind, { config: { sandbox: false } });
    for (const [method, path] of [['GET', '/sandbox/deliveries'], ['GET', '/sandbox/deliveries/1'], ['POST', '/sandbox/deliveries/1/resend']]) {
      const res = await fetch(`${gw.url}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      await res.text();
    }
  });
}

test('a browser\'s Accept prefers the inspector\'s page; curl\'s, fetch\'s and a JSON client\'s get JSON', () => {
  const prefers = (accept?: string) => prefersHtml({ headers: accept === undefined ? {} : { accept } } as FastifyRequest);
  assert.equal(prefers('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'), true);
  assert.equal(prefers('text/html;q=0.9, application/json;q=0.5'), true);
  for (const accept of [undefined, '', '*/*', 'application/json', 'application/json, text/html', 'text/html;q=0', 'text/*;q=0.5, application/json']) {
    assert.equal(prefers(accept), false, String(accept));
  }
});
