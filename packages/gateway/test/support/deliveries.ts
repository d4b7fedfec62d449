// Shared by the delivery inspector's page and CLI tests: a sandbox gateway with one shop whose notification
// receiver the test controls, a linked wallet, and pinless payments that each queue one notification.
import assert from 'node:assert/strict';
import type { GatewayConfig } from '../../src/config.ts';
import type { DeliveryDispatcherOptions } from '../../src/delivery/dispatcher.ts';
import type { Merchant } from '../../src/domain/merchant.ts';
import type { DeliveryDetailView, DeliveryView } from '../../src/services/delivery-inspector.ts';
import type { DatabaseKind } from '../../src/store/database.ts';
import { callOperation } from './gateway.ts';
import {
  fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway, type NotificationReceiver, type PaymentsGateway,
} from './payments.ts';

const PHONE = '081243000001';

export interface InspectedShop {
  readonly gw: PaymentsGateway;
  readonly receiver: NotificationReceiver;
  readonly merchant: Merchant;
  /** A pinless payment of Rp 10.000 for this bill; its notification is queued when it returns. */
  pay(billNo: string): Promise<void>;
  /** The inspector's JSON list for these filters. */
  list(query?: string): Promise<DeliveryView[]>;
  /** The inspector's JSON view of one delivery. */
  detail(id: number | string): Promise<DeliveryDetailView>;
  /** Resolves once the delivery of this bill is in `status`; fails after 10 s. */
  waitForStatus(billNo: string, status: DeliveryView['status']): Promise<DeliveryView>;
}

export async function startInspectedShop(kind: DatabaseKind, options: {
  config?: Partial<GatewayConfig>; delivery?: Partial<DeliveryDispatcherOptions>;
} = {}): Promise<InspectedShop> {
  const receiver = await startNotificationReceiver();
  const gw = await startPaymentsGateway(kind, {
    merchants: [{
      merchantId: '43001', name: 'Toko Inspeksi', userId: 'bot43001', password: 'pw-43001', hmacSecret: 'whsec_inspected_0123456789',
      notifyUrl: receiver.url, notifyFormat: 'json', pinlessLimit: 100_000n,
    }],
    ...options,
  });
  const merchant = gw.merchants[0]!;
  const wallet = await fundedWallet(gw.database, { phone: PHONE, cash: 1_000_000n, points: 0n });
  await linkThroughStore(gw.ctx, merchant.merchantId, wallet);
  const json = async (path: string) => {
    const res = await fetch(`${gw.url}/sandbox/deliveries${path}`);
    const body = await res.json() as any;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  const shop: InspectedShop = {
    gw, receiver, merchant,
    async pay(billNo) {
      const reply = await callOperation(gw.url, 'payment', {
        merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: 'Order', bill_total: '10000', bill_currency: 'IDR',
        payment_channel: '720', phone_no: PHONE, cust_name: 'Inspector', email: 'i@example.com', pay_type: '0',
      }, 'json', merchant);
      assert.equal(reply.body.status, 'SUCCESS', reply.raw);
    },
    list: async (query = '') => (await json(query)).deliveries,
    detail: async (id) => (await json(`/${id}`)).delivery,
    async waitForStatus(billNo, status) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [found] = await shop.list(`?bill_no=${encodeURIComponent(billNo)}`);
        if (found?.status === status) return found;
        if (Date.now() > deadline) assert.fail(`the delivery of ${billNo} is ${found?.status ?? 'missing'}, not ${status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return shop;
}
