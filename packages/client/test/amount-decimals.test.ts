// Proves that with `amountDecimals: 2` the client keeps its API in whole rupiah while the wire carries two implied decimals — it sends bill_total × 100 and divides every amount it reads (payment, balance, history, notifications), refusing a fraction of a rupiah — against a scripted server in JSON and XML and end to end against the real gateway with a merchant set to amount_decimals 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WIRE_FORMATS, formatJakartaDate, parseBody, type WireFormat } from '@ovo-tokenize/protocol';
import {
  OvoFormatError, OvoInvalidRequestError, OvoTokenizeClient, createNotificationHandler, type OvoTokenizeClientOptions,
  type PaymentNotification,
} from '../src/index.ts';
import { SANDBOX_CASH, SANDBOX_POINTS, link, ok, startShop } from './support/gateway.ts';
import { startMerchantServer, waitFor } from './support/merchant-server.ts';
import { gatewayReply, startScriptedServer } from './support/scripted-server.ts';

const PHONE = '081234567890';
const server = await startScriptedServer();
const ECHO = { merchant_id: '99999', merchant: 'Demo Shop', payment_channel: '720', phone_no: PHONE };
const ORDER = { billNo: 'INV-1', description: 'Kopi', phone: PHONE, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash' } as const;

function clientFor(format: WireFormat, options: Partial<OvoTokenizeClientOptions> = {}): OvoTokenizeClient {
  return new OvoTokenizeClient({
    baseUrl: server.url, merchantId: '99999', merchantName: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd', format,
    maxRetries: 0, ...options,
  });
}

for (const format of WIRE_FORMATS) {
  test(`${format}: amountDecimals 2 sends bill_total × 100 and reads payment, balance and history amounts ÷ 100; 0 (the default) sends and reads them as they are`, async () => {
    const payment = (amount: string) => gatewayReply('payment', format, {
      ...ECHO, bill_no: 'INV-1', trx_id: '1234567890123456', response_code: '00', redirectURL: 'http://gw/pay/t', status: 'SUCCESS',
      amount, payment_day: '2025-01-01 10:00:00',
    });
    for (const [decimals, wire] of [[2, '2500000'], [0, '25000']] as const) {
      const client = decimals === 0 ? clientFor(format) : clientFor(format, { amountDecimals: decimals });
      server.script(payment(wire));
      const paid = ok(await client.pay({ ...ORDER, amount: 25_000n }));
      assert.equal(parseBody(format, server.received[0]!.body).bill_total, wire, `amountDecimals ${decimals} on the wire`);
      assert.equal(paid.amount, 25_000n, `amountDecimals ${decimals} in the result`);
    }

    const client = clientFor(format, { amountDecimals: 2 });
    server.script(gatewayReply('balance', format, {
      ...ECHO, response_code: '00', detail: { cash: { balance: '100000000' }, points: { balance: '5000000.00' } },
    }));
    const balance = ok(await client.balance({ phone: PHONE }));
    assert.deepEqual([balance.cash, balance.points], [1_000_000n, 50_000n]);

    server.script(gatewayReply('history', format, {
      ...ECHO, response_code: '00', page: '1', limit: '10', total: '1',
      list_transaction: { transaction_1: { payment_date: '2025-01-01 10:00:00', status: 'SUCCESS', trx_id: '1234567890123456', trx_amount: '6000000',
        amount_detail: [{ type: 'Cash', amt: '1100000' }, { type: 'Points', amt: '4900000' }] } },
    }));
    const [row] = ok(await client.history({ phone: PHONE, startDate: '2025-01-01', endDate: '2025-01-01', page: 1, limit: 10 })).transactions;
    assert.deepEqual([row?.amount, row?.cash, row?.points], [60_000n, 11_000n, 49_000n]);

    // A fraction of a rupiah means the client's setting is not the gateway's: refused, never rounded.
    server.script(payment('2500050'));
    await assert.rejects(client.pay({ ...ORDER, amount: 25_000n }), (e) => e instanceof OvoFormatError && /not whole rupiah/.test(e.message));
  });
}

test('amountDecimals must be 0 or 2; an amount is still validated in rupiah before anything is sent', async () => {
  for (const bad of [1, 3, '2', -2]) {
    // @ts-expect-error a JavaScript caller can pass anything
    assert.throws(() => clientFor('json', { amountDecimals: bad }), /amountDecimals must be 0 or 2/, String(bad));
  }
  server.script();
  await assert.rejects(clientFor('json', { amountDecimals: 2 }).pay({ ...ORDER, amount: 0n }), OvoInvalidRequestError);
  assert.equal(server.received.length, 0);
});

for (const format of WIRE_FORMATS) {
  test(`${format}: end to end with a merchant set to amount_decimals 2, every amount the client returns is whole rupiah, and the notification handler reads them the same way`, async () => {
    const phone = format === 'json' ? '081300000031' : '081300000032';
    const notifications: PaymentNotification[] = [];
    const handler = createNotificationHandler({
      userId: 'bot41004', password: 'pw-41004', amountDecimals: 2, onNotification: (n) => { notifications.push(n); },
    });
    const merchantServer = await startMerchantServer(handler);
    const shop = await startShop(format, {
      merchantId: '41004', userId: 'bot41004', password: 'pw-41004', amountDecimals: 2, notifyUrl: `${merchantServer.url}/ovo/notify`,
    });
    const client = shop.clientWith({ amountDecimals: 2 });
    await link(shop, phone);

    // 25,000 is below the merchant's pinless limit (100,000 rupiah): the limit is compared in rupiah, not in wire units.
    const paid = ok(await client.pay({ ...ORDER, billNo: `D2-${format}`, phone, amount: 25_000n }));
    assert.deepEqual([paid.amount, paid.status], [25_000n, 'SUCCESS']);
    const balance = ok(await client.balance({ phone }));
    assert.deepEqual([balance.cash, balance.points], [SANDBOX_CASH - 25_000n, SANDBOX_POINTS]);
    const today = formatJakartaDate(new Date());
    const [row] = ok(await client.history({ phone, startDate: today, endDate: today, page: 1, limit: 10 })).transactions;
    assert.deepEqual([row?.trxId, row?.amount, row?.cash, row?.points], [paid.trxId, 25_000n, 25_000n, 0n]);

    await waitFor(() => notifications.length === 1, 'payment notification');
    const n = notifications[0]!;
    assert.deepEqual([n.trxId, n.amount, n.paymentTotal, n.fields.bill_total], [paid.trxId, 25_000n, 25_000n, '2500000']);

    // The same merchant through a client left at 0 sees the wire as it is, and its rupiah amount is sent unscaled.
    const unscaled = shop.clientWith({});
    assert.equal(ok(await unscaled.balance({ phone })).cash, (SANDBOX_CASH - 25_000n) * 100n);
    await assert.rejects(unscaled.pay({ ...ORDER, billNo: `D0-${format}`, phone, amount: 25_050n }),
      (e) => e instanceof OvoInvalidRequestError && e.responseCode === '13');
  });
}
