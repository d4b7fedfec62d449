// Proves the pinless payment's cost in SQL statements on both databases, the figure the write path is
// measured by: a paid payment with its notification, once the merchant is known to the gateway, runs at
// most PINLESS_STATEMENTS_MAX statements (no read of bill_no before the insert, the wallet and its link in
// one query, balances read and locked in one, no currency read, the payment row written once with its
// transfers). A split (points and cash) adds one ledger move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../src/server.ts';
import { openDatabase } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from './support/databases.ts';
import { callOperation, provisionMerchant } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver } from './support/payments.ts';

/**
 * lookup 1, balances 1, ledger move 3 (debit, credit, transfer), payment 1, day count 1, notification 1. No
 * challenge row: a pinless payment's page is its receipt, whose token is derived from the payment.
 */
const PINLESS_STATEMENTS_MAX = 8;
/** Each further ledger move (the other currency of a split). */
const MOVE_STATEMENTS = 3;

const MERCHANT = { merchantId: '48001', name: 'Warung Hemat', userId: 'bot48001', password: 'secret-48001', pinlessLimit: 100_000n };

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a pinless payment runs at most ${PINLESS_STATEMENTS_MAX} statements, a split one ledger move more`, async () => {
    const receiver = await startNotificationReceiver();
    const { url, drop } = await createTestDatabaseUrl(kind);
    const statements: string[] = [];
    const database = openDatabase(url, { poolSize: 5, onQuery: (sql) => statements.push(sql) });
    await migrateToLatest(database);
    const merchant = await provisionMerchant(database, { ...MERCHANT, notifyUrl: receiver.url });
    const wallet = await fundedWallet(database, { phone: '081348000001', cash: 1_000_000n, points: 50_000n });
    // No deliveries while counting: the dispatcher's own statements are not the payment's.
    const gateway = await startGateway({
      database, config: { port: 0, host: '127.0.0.1', sandbox: true }, delivery: { pollIntervalMs: 60_000 },
    });
    try {
      await gateway.dispatcher.stop();
      await linkThroughStore(gateway.ctx, merchant.merchantId, wallet);
      const pay = async (billNo: string, payType: string) => {
        const reply = await callOperation(gateway.url, 'payment', {
          merchant_id: MERCHANT.merchantId, bill_no: billNo, bill_desc: 'Kopi', bill_total: '10000', bill_currency: 'IDR',
          cust_name: 'Andrea', phone_no: wallet.phone, email: 'a@example.com', pay_type: payType, payment_channel: '720',
        }, 'json', MERCHANT);
        assert.equal(reply.body.response_code, '00', reply.raw);
        return reply;
      };
      await pay('WARM-UP', '0'); // the merchant's settings are read once, then cached
      const counted = async (billNo: string, payType: string) => {
        statements.length = 0;
        await pay(billNo, payType);
        // Not the payment's own work: transaction control, and on PostgreSQL the two row locks its batch takes
        // first (store/group-commit.ts), which a batch of payments shares as it shares its begin and commit.
        return statements.filter((sql) => !/^\s*(begin|commit|rollback|savepoint|release)/i.test(sql)
          && !/^select "id" from "accounts" where "id" in \([^)]*\) order by "id" for update$/.test(sql));
      };
      const cash = await counted('S-1', '0');
      assert.ok(cash.length <= PINLESS_STATEMENTS_MAX, `${cash.length} statements:\n${cash.join('\n')}`);
      const split = await counted('S-2', '2');
      assert.ok(split.length <= PINLESS_STATEMENTS_MAX + MOVE_STATEMENTS, `${split.length} statements:\n${split.join('\n')}`);
    } finally {
      await gateway.close();
      await database.close();
      await drop();
      await receiver.close();
    }
  });
}
