// Proves over real HTTP, on SQLite and PostgreSQL in JSON and XML, that a merchant with two implied decimals (PROTOCOL.md §3.1) pays `1000000` as Rp 10.000 in the ledger (limits compared in rupiah), gets every amount back scaled (payment reply, balance, history, notifications), is refused 13 for a fraction of a rupiah with nothing changed, replays a bill_no by its rupiah value whatever the scale, and that a whole-rupiah merchant beside it is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJakartaDate, type OperationName, type WireFormat } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { updateMerchant } from '../src/store/merchants.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, type Reply } from './support/gateway.ts';
import {
  authorisePayment, countPayments, countTransfers, fundedWallet, linkThroughStore, merchantMoney, reloadPayment,
  startNotificationReceiver, startPaymentsGateway, walletMoney, type PaymentsGateway,
} from './support/payments.ts';

const FORMATS: readonly WireFormat[] = ['json', 'xml'];
const PHONE = '081300007001';

function call(gw: PaymentsGateway, op: OperationName, merchant: Merchant, format: WireFormat, fields: Record<string, string>): Promise<Reply> {
  return callOperation(gw.url, op, { merchant_id: merchant.merchantId, payment_channel: '720', phone_no: PHONE, ...fields }, format, merchant);
}

function pay(gw: PaymentsGateway, merchant: Merchant, format: WireFormat, billNo: string, billTotal: string, payType: string): Promise<Reply> {
  return call(gw, 'payment', merchant, format, {
    bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: billTotal, bill_currency: 'IDR',
    cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: payType,
  });
}

function balance(gw: PaymentsGateway, merchant: Merchant, format: WireFormat): Promise<Reply> {
  return call(gw, 'balance', merchant, format, {});
}

/** Each listed transaction's amounts, by trx_id (rows created in one millisecond may list in either order). */
async function historyAmounts(gw: PaymentsGateway, merchant: Merchant, format: WireFormat): Promise<Record<string, unknown>> {
  const today = formatJakartaDate(new Date(gw.clock.now()));
  const reply = await call(gw, 'history', merchant, format, {
    merchant: merchant.name, start_date: today, end_date: today, page: '1', limit: '10',
  });
  assert.equal(reply.body.response_code, '00', reply.raw);
  const rows = Object.values(reply.body.list_transaction as Record<string, Record<string, unknown>>);
  return Object.fromEntries(rows.map((row) => [row.trx_id, { trx_amount: row.trx_amount, amount_detail: row.amount_detail }]));
}

async function ledgerSnapshot(gw: PaymentsGateway, wallet: Wallet, merchants: Merchant[]) {
  return {
    payments: await countPayments(gw.database),
    transfers: await countTransfers(gw.database),
    wallet: await walletMoney(gw.database, wallet),
    merchants: await Promise.all(merchants.map((m) => merchantMoney(gw.database, m))),
  };
}

for (const kind of DATABASE_KINDS) {
  for (const format of FORMATS) {
    test(`${kind}/${format}: a 2-decimals merchant's amounts carry two implied decimals; the ledger keeps rupiah`, async () => {
      const receiver = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, {
        merchants: [
          // Limits in rupiah: 5.000 pinless, 50.000 at most. Compared unconverted, 1000000 would be over both.
          { merchantId: '71002', name: 'Sen Shop', userId: 'bot71002', password: 'pw-71002', notifyUrl: receiver.url, notifyFormat: format,
            amountDecimals: 2, pinlessLimit: 5_000n, maxAmount: 50_000n },
          { merchantId: '71000', name: 'Rupiah Shop', userId: 'bot71000', password: 'pw-71000', notifyUrl: receiver.url, notifyFormat: format,
            pinlessLimit: 20_000n },
        ],
      });
      const [scaled, whole] = gw.merchants as [Merchant, Merchant];
      const wallet = await fundedWallet(gw.database, { phone: PHONE, cash: 100_000n, points: 10_000n });
      await linkThroughStore(gw.ctx, scaled.merchantId, wallet);
      await linkThroughStore(gw.ctx, whole.merchantId, wallet);

      // 1000000 = Rp 10.000: above the pinless limit, so held for the PIN.
      const held = await pay(gw, scaled, format, 'SCALE-A', '1000000', '0');
      assert.equal(held.body.response_code, '00', held.raw);
      assert.equal(held.body.status, 'PENDING', held.raw);
      assert.equal(held.body.amount, '1000000', held.raw);
      const a = held.body.trx_id as string;
      assert.equal((await reloadPayment(gw.database, a)).amount, 10_000n);
      assert.equal((await walletMoney(gw.database, wallet)).cashHeld, 10_000n);

      // 500000 = Rp 5.000: at the pinless limit, paid at once, all from points (pay_type 2, points first).
      const pinless = await pay(gw, scaled, format, 'SCALE-B', '500000', '2');
      assert.equal(pinless.body.response_code, '00', pinless.raw);
      assert.equal(pinless.body.status, 'SUCCESS', pinless.raw);
      assert.equal(pinless.body.amount, '500000', pinless.raw);
      const b = pinless.body.trx_id as string;
      const bNotice = await receiver.waitFor(b, '2');
      assert.equal(bNotice.fields.bill_total, '500000', bNotice.raw);
      assert.equal(bNotice.fields.payment_total, '500000', bNotice.raw);

      // A fraction of a rupiah, and Rp 60.000 over the Rp 50.000 limit: 13, and nothing moves.
      const before = await ledgerSnapshot(gw, wallet, [scaled, whole]);
      for (const [billNo, total, reason] of [['SCALE-C', '1000050', /fraction of a rupiah/], ['SCALE-D', '6000000', /limit of Rp 50000/]] as const) {
        const refused = await pay(gw, scaled, format, billNo, total, '0');
        assert.equal(refused.body.response_code, '13', refused.raw);
        assert.match(refused.body.response_desc, reason, refused.raw);
      }
      assert.deepEqual(await ledgerSnapshot(gw, wallet, [scaled, whole]), before);

      // The same order again is the same transaction.
      const replay = await pay(gw, scaled, format, 'SCALE-A', '1000000', '0');
      assert.equal(replay.body.response_code, '00', replay.raw);
      assert.equal(replay.body.trx_id, a, replay.raw);
      assert.equal(replay.body.amount, '1000000', replay.raw);

      const authorised = await authorisePayment(gw, held.body.redirectURL as string);
      assert.equal(authorised.payment.status, 'SUCCESS');
      const aNotice = await receiver.waitFor(a, '2');
      assert.equal(aNotice.fields.bill_total, '1000000', aNotice.raw);
      assert.equal(aNotice.fields.payment_total, '1000000', aNotice.raw);

      assert.deepEqual(await walletMoney(gw.database, wallet), {
        cashAvailable: 90_000n, cashHeld: 0n, cashPosted: 90_000n, pointsAvailable: 5_000n, pointsHeld: 0n, pointsPosted: 5_000n,
      });
      assert.deepEqual(await merchantMoney(gw.database, scaled), { cashSettled: 10_000n, pointsSettled: 5_000n, cashIncoming: 0n, pointsIncoming: 0n });

      const scaledBalance = await balance(gw, scaled, format);
      assert.equal(scaledBalance.body.response_code, '00', scaledBalance.raw);
      assert.deepEqual(scaledBalance.body.detail, { cash: { balance: '9000000' }, points: { balance: '500000' } }, scaledBalance.raw);
      assert.deepEqual(await historyAmounts(gw, scaled, format), {
        [a]: { trx_amount: '1000000', amount_detail: [{ type: 'Cash', amt: '1000000' }, { type: 'Points', amt: '0' }] },
        [b]: { trx_amount: '500000', amount_detail: [{ type: 'Cash', amt: '0' }, { type: 'Points', amt: '500000' }] },
      });

      // The whole-rupiah merchant, same wallet: amounts as they are.
      const plain = await pay(gw, whole, format, 'WHOLE-A', '10000', '0');
      assert.equal(plain.body.response_code, '00', plain.raw);
      assert.equal(plain.body.status, 'SUCCESS', plain.raw);
      assert.equal(plain.body.amount, '10000', plain.raw);
      const w = plain.body.trx_id as string;
      const wNotice = await receiver.waitFor(w, '2');
      assert.equal(wNotice.fields.bill_total, '10000', wNotice.raw);
      assert.equal(wNotice.fields.payment_total, '10000', wNotice.raw);
      assert.deepEqual(await merchantMoney(gw.database, whole), { cashSettled: 10_000n, pointsSettled: 0n, cashIncoming: 0n, pointsIncoming: 0n });
      const plainBalance = await balance(gw, whole, format);
      assert.deepEqual(plainBalance.body.detail, { cash: { balance: '80000' }, points: { balance: '5000' } }, plainBalance.raw);
      assert.deepEqual(await historyAmounts(gw, whole, format), {
        [w]: { trx_amount: '10000', amount_detail: [{ type: 'Cash', amt: '10000' }, { type: 'Points', amt: '0' }] },
      });
      assert.equal((await pay(gw, whole, format, 'WHOLE-B', '1000050', '0')).body.response_code, '01', 'not a scale error: just unaffordable');

      // A replay is the same order by its rupiah, whatever the scale: after the merchant switches to whole
      // rupiah, 5000 is SCALE-B again and 500000 is a different order.
      await inTransaction(gw.database, (tx) => updateMerchant(tx, scaled.merchantId, { amountDecimals: 0 }));
      const rescaled = await pay(gw, scaled, format, 'SCALE-B', '5000', '2');
      assert.equal(rescaled.body.response_code, '00', rescaled.raw);
      assert.equal(rescaled.body.trx_id, b, rescaled.raw);
      assert.equal(rescaled.body.amount, '5000', rescaled.raw);
      const conflict = await pay(gw, scaled, format, 'SCALE-B', '500000', '2');
      assert.equal(conflict.body.response_code, '14', conflict.raw);
    });
  }
}
