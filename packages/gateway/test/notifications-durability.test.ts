// Proves on SQLite and PostgreSQL that payment notifications survive a merchant receiver that is down (every one arrives once it is back, duplicates only under one X-Notification-Id with the same signed body), survive a gateway restart with deliveries still pending, and are retried while the merchant answers anything but response_code 00.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyHmacSignatureHeader, type WireFormat } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import { startGateway, type Gateway } from '../src/server.ts';
import { expirePayments } from '../src/services/payments.ts';
import type { Database } from '../src/store/database.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { assertNothingMoreToSend, callOperation, provisionMerchant, type Reply } from './support/gateway.ts';
import {
  ControlClock, FAST_DELIVERY, authorisePayment, fundedWallet, linkThroughStore, reloadPayment, startNotificationReceiver,
  startPaymentsGateway, type Notification, type NotificationReceiver, type ReceiverAnswer,
} from './support/payments.ts';

const SECRET = 'whsec_durable';

function shop(id: string, url: string, format: WireFormat, extra: Partial<MerchantInput> = {}): MerchantInput {
  return { merchantId: id, name: `Durable ${id}`, userId: `bot${id}`, password: `pw-${id}`, notifyUrl: url, notifyFormat: format, hmacSecret: SECRET, ...extra };
}

function pay(url: string, merchant: Merchant, phone: string, billNo: string, total: bigint, clock: ControlClock): Promise<Reply> {
  return callOperation(url, 'payment', {
    merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: String(total), bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Durable Customer', email: 'd@example.com', pay_type: '0',
  }, merchant.notifyFormat, merchant, { hmacTimeS: Math.floor(clock.now() / 1000) });
}

function cancel(url: string, merchant: Merchant, trxId: string, billNo: string, clock: ControlClock): Promise<Reply> {
  return callOperation(url, 'cancel', { merchant_id: merchant.merchantId, trx_id: trxId, bill_no: billNo, payment_cancel: 'no stock' },
    merchant.notifyFormat, merchant, { hmacTimeS: Math.floor(clock.now() / 1000) });
}

async function outbox(database: Database) {
  return database.db.selectFrom('outbox').selectAll().where('kind', '=', 'payment_notification').orderBy('id').execute();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Every expected notice arrived and was acknowledged; each X-Notification-Id stands for exactly one
 * (trx_id, status) and every copy under it is the same body with a valid X-Signature.
 */
function assertDelivered(receiver: NotificationReceiver, expected: string[], clock: ControlClock): void {
  const key = (n: Notification) => `${n.fields.trx_id}:${n.fields.payment_status_code}`;
  assert.deepEqual([...new Set(receiver.acknowledged().map(key))].sort(), [...expected].sort(), 'every notification acknowledged');
  assert.deepEqual([...new Set(receiver.received.map(key))].sort(), [...expected].sort(), 'nothing unexpected was sent');
  const byId = new Map<string, Notification[]>();
  for (const n of receiver.received) byId.set(n.notificationId, [...(byId.get(n.notificationId) ?? []), n]);
  assert.equal(byId.size, expected.length, 'one X-Notification-Id per notification');
  for (const [id, copies] of byId) {
    assert.match(id, /^ntf_[0-9a-f]{32}$/);
    assert.equal(new Set(copies.map(key)).size, 1, `${id} names one notification`);
    assert.equal(new Set(copies.map((c) => c.raw)).size, 1, `${id}: every copy carries the same body`);
    for (const c of copies) {
      assert.deepEqual(verifyHmacSignatureHeader(SECRET, c.headers['x-signature'] as string, c.raw, Math.floor(clock.now() / 1000)), { ok: true });
    }
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: notifications queued while the receiver is down all arrive once it is back; duplicates share an X-Notification-Id`, async () => {
    const receiver = await startNotificationReceiver({ startDown: true });
    const gw = await startPaymentsGateway(kind, {
      merchants: [shop('37001', receiver.url, 'json', { pinlessLimit: 50_000n }), shop('37002', receiver.url, 'xml')],
    });
    const [pinless, pin] = gw.merchants as [Merchant, Merchant];
    const phone = '081388880001';
    const wallet = await fundedWallet(gw.database, { phone, cash: 1_000_000n, points: 0n });
    for (const m of gw.merchants) await linkThroughStore(gw.ctx, m.merchantId, wallet);

    const expected: string[] = [];
    // Five pinless payments complete at once; one is paid on the PIN page, one cancelled, one expires.
    for (let i = 0; i < 5; i++) {
      const reply = await pay(gw.url, pinless, phone, `D-${i}`, 10_000n + BigInt(i), gw.clock);
      assert.equal(reply.body.status, 'SUCCESS', reply.raw);
      expected.push(`${reply.body.trx_id}:2`);
    }
    const paid = await pay(gw.url, pin, phone, 'D-pin', 60_000n, gw.clock);
    assert.equal((await authorisePayment(gw, paid.body.redirectURL, { phone })).payment.status, 'SUCCESS');
    expected.push(`${paid.body.trx_id}:2`);
    const cancelled = await pay(gw.url, pin, phone, 'D-cancel', 70_000n, gw.clock);
    assert.equal((await cancel(gw.url, pin, cancelled.body.trx_id, 'D-cancel', gw.clock)).body.response_code, '00');
    expected.push(`${cancelled.body.trx_id}:8`);
    const expiring = await pay(gw.url, pin, phone, 'D-expire', 80_000n, gw.clock);
    gw.clock.advance(gw.ctx.config.payment_ttl_s * 1000 + 1);
    await expirePayments(gw.ctx);
    expected.push(`${expiring.body.trx_id}:7`);
    assert.equal((await reloadPayment(gw.database, expiring.body.trx_id)).status, 'EXPIRED');

    // While the receiver is down every notification is tried, refused, and kept for later.
    await until('two refused attempts each', async () => (await outbox(gw.database)).every((row) => Number(row.attempts) >= 2));
    const waiting = await outbox(gw.database);
    assert.equal(waiting.length, expected.length);
    for (const row of waiting) {
      assert.equal(row.status, 'pending');
      assert.match(row.last_error ?? '', /connection failed: ECONNREFUSED/);
    }
    assert.equal(receiver.received.length, 0);

    // Back up, but the first copy of each notification is answered 503 (processed, not acknowledged): it comes again.
    const seen = new Set<string>();
    receiver.answer = (n) => {
      if (seen.has(n.notificationId)) return { responseCode: '00' };
      seen.add(n.notificationId);
      return { httpStatus: 503 };
    };
    await receiver.up();
    await until('every notification delivered', async () => (await outbox(gw.database)).every((row) => row.status === 'delivered'));
    assertDelivered(receiver, expected, gw.clock);
    assert.ok(receiver.received.length >= 2 * expected.length, 'each was received twice or more');
    for (const row of await outbox(gw.database)) {
      assert.equal(row.last_error, null);
      assert.ok(Number(row.attempts) >= 3, `${row.notification_id}: refused at least twice, 503 once, then acknowledged`);
    }
    // Delivered is final: nothing more is sent.
    const count = receiver.received.length;
    await assertNothingMoreToSend(gw.gateway);
    assert.equal(receiver.received.length, count);
  });

  test(`${kind}: a gateway restart with notifications still pending loses nothing (and the new gateway expires what the old one left)`, async () => {
    const receiver = await startNotificationReceiver({ startDown: true });
    const database = await openTestDatabase(kind);
    const merchant = await provisionMerchant(database, shop('38001', receiver.url, 'xml', { pinlessLimit: 50_000n }));
    const phone = '081399990001';
    const clock = new ControlClock();
    const start = (): Promise<Gateway> => startGateway({
      database, clock, sweepIntervalMs: 50, config: { port: 0, host: '127.0.0.1', sandbox: true }, delivery: FAST_DELIVERY,
    });
    let first: Gateway | undefined = await start();
    let second: Gateway | undefined;
    try {
      const wallet = await fundedWallet(database, { phone, cash: 500_000n, points: 0n });
      await linkThroughStore(first.ctx, merchant.merchantId, wallet);
      const expected: string[] = [];
      for (let i = 0; i < 6; i++) {
        const reply = await pay(first.url, merchant, phone, `RS-${i}`, 5_000n + BigInt(i), clock);
        assert.equal(reply.body.status, 'SUCCESS', reply.raw);
        expected.push(`${reply.body.trx_id}:2`);
      }
      // A PIN payment nobody authorises, due to expire after the restart.
      const pending = await pay(first.url, merchant, phone, 'RS-pending', 60_000n, clock);
      assert.equal(pending.body.status, 'PENDING', pending.raw);
      await until('every notification tried once', async () => (await outbox(database)).every((row) => Number(row.attempts) >= 1));

      await first.close();
      first = undefined;
      const left = await outbox(database);
      assert.equal(left.length, 6);
      for (const row of left) {
        assert.equal(row.status, 'pending', 'not given up on a restart');
        assert.equal(row.leased_until, null, 'the stopped dispatcher released every row');
      }
      const ids = new Set(left.map((row) => row.notification_id));

      second = await start();
      clock.advance(second.ctx.config.payment_ttl_s * 1000 + 1);
      await until('the sweeper of the new gateway expired the payment', async () => (await reloadPayment(database, pending.body.trx_id)).status === 'EXPIRED');
      expected.push(`${pending.body.trx_id}:7`);
      await receiver.up();
      await until('every notification delivered', async () => {
        const rows = await outbox(database);
        return rows.length === 7 && rows.every((row) => row.status === 'delivered');
      });
      assertDelivered(receiver, expected, clock);
      // The notifications from before the restart arrived under the ids they were queued with.
      for (const id of ids) assert.ok(receiver.received.some((n) => n.notificationId === id), id);
    } finally {
      await first?.close();
      await second?.close();
      await database.close();
    }
  });

  test(`${kind}: a merchant answering anything but response_code 00 keeps getting the notification until it answers 00`, async () => {
    const receiver = await startNotificationReceiver();
    const gw = await startPaymentsGateway(kind, { merchants: [shop('39001', receiver.url, 'json', { pinlessLimit: 50_000n })] });
    const [m] = gw.merchants as [Merchant];
    const phone = '081300009001';
    const wallet = await fundedWallet(gw.database, { phone, cash: 100_000n, points: 0n });
    await linkThroughStore(gw.ctx, m.merchantId, wallet);
    // 01, an HTTP 200 that is no acknowledgement, an acknowledgement without a code, a 500, two more 01s, then 00.
    const script: ReceiverAnswer[] = [
      { responseCode: '01' },
      { body: '<html>ok</html>', contentType: 'text/html' },
      { body: '{"response":"Payment Notification"}', contentType: 'application/json' },
      { httpStatus: 500 },
      { responseCode: '01' },
      { responseCode: '05' },
      { responseCode: '00' },
    ];
    let i = 0;
    receiver.answer = () => script[Math.min(i++, script.length - 1)]!;
    const reply = await pay(gw.url, m, phone, 'NACK-1', 12_345n, gw.clock);
    assert.equal(reply.body.status, 'SUCCESS', reply.raw);
    await until('delivered', async () => (await outbox(gw.database))[0]?.status === 'delivered');
    const copies = receiver.forTrx(reply.body.trx_id, '2');
    assert.equal(copies.length, script.length, 'one attempt per answer, none after the 00');
    assert.equal(new Set(copies.map((c) => c.notificationId)).size, 1);
    assert.equal(new Set(copies.map((c) => c.raw)).size, 1);
    const [row] = await outbox(gw.database);
    assert.equal(Number(row!.attempts), script.length);
    assert.equal(row!.last_error, null);
    await assertNothingMoreToSend(gw.gateway);
    assert.equal(receiver.received.length, script.length, 'nothing after the acknowledgement');
  });
}
