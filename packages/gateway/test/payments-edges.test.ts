// Proves two edges of the payment lifecycle: a replayed order keeps its answer after the merchant's limits
// change, and a merchant's cancel of a payment already past its time records it as expired, not cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateMerchant } from '../src/store/merchants.ts';
import { callOperation } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, reloadPayment, startPaymentsGateway, walletMoney } from './support/payments.ts';
import { DATABASE_KINDS } from './support/databases.ts';

const MERCHANT = { merchantId: '66001', name: 'Toko Edge', userId: 'bot66001', password: 'edge-secret' };

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a replay answers the accepted order even after max_amount was lowered; a new order is held to it`, async () => {
    const gw = await startPaymentsGateway(kind, { merchants: [MERCHANT] });
    const wallet = await fundedWallet(gw.database, { phone: '081311112222', cash: 500_000n, points: 0n });
    await linkThroughStore(gw.ctx, MERCHANT.merchantId, wallet);
    const order = paymentFields('EDGE-1', '200000', wallet.phone);
    const first = await callOperation(gw.url, 'payment', order, 'json', MERCHANT);
    assert.equal(first.body.response_code, '00', JSON.stringify(first.body));
    await updateMerchant(gw.database.db, MERCHANT.merchantId, { maxAmount: 100_000n });
    const replay = await callOperation(gw.url, 'payment', order, 'json', MERCHANT);
    assert.equal(replay.body.response_code, '00', JSON.stringify(replay.body));
    assert.equal(replay.body.trx_id, first.body.trx_id);
    const fresh = await callOperation(gw.url, 'payment', paymentFields('EDGE-2', '200000', wallet.phone), 'json', MERCHANT);
    assert.equal(fresh.body.response_code, '13');
    assert.equal((await walletMoney(gw.database, wallet)).cashHeld, 200_000n, 'one hold only: the replay and the refused order held nothing');
  });

  test(`${kind}: cancelling a payment past its time (before the sweeper) records EXPIRED and notifies nothing twice`, async () => {
    const gw = await startPaymentsGateway(kind, { merchants: [MERCHANT], sweepIntervalMs: 3_600_000 });
    const wallet = await fundedWallet(gw.database, { phone: '081322223333', cash: 500_000n, points: 0n });
    await linkThroughStore(gw.ctx, MERCHANT.merchantId, wallet);
    const created = await callOperation(gw.url, 'payment', paymentFields('EDGE-3', '50000', wallet.phone), 'json', MERCHANT);
    assert.equal(created.body.response_code, '00');
    gw.clock.advance(gw.ctx.config.payment_ttl_s * 1000 + 1_000);
    const cancel = await callOperation(gw.url, 'cancel', {
      merchant_id: MERCHANT.merchantId, trx_id: created.body.trx_id, bill_no: 'EDGE-3', payment_cancel: 'customer left',
    }, 'json', MERCHANT);
    assert.equal(cancel.body.response_code, '01', JSON.stringify(cancel.body));
    assert.match(cancel.body.response_desc, /expired/);
    const payment = await reloadPayment(gw.database, created.body.trx_id);
    assert.equal(payment.status, 'EXPIRED');
    assert.equal(payment.cancelReason, null);
    const money = await walletMoney(gw.database, wallet);
    assert.equal(money.cashHeld, 0n, 'the hold is released');
    assert.equal(money.cashAvailable, 500_000n);
  });
}

function paymentFields(billNo: string, total: string, phone: string): Record<string, string> {
  return {
    merchant_id: MERCHANT.merchantId, bill_no: billNo, bill_desc: 'Edge case', bill_total: total, bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Edge', email: 'edge@example.com', pay_type: '0',
  };
}
