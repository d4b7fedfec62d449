// Proves migration 010 on both databases: a merchant of the schema before it, with one settlement account of
// each currency holding a paid payment and a payment on hold, keeps both balances — its accounts become its
// shard 0 and seven empty shards join them — the ledger checks clean, the old hold is then paid into shard 0,
// and new payments spread over the shards while the merchant's balance stays the sum of them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTLEMENT_SHARDS } from '../src/domain/ledger-rules.ts';
import { startGateway } from '../src/server.ts';
import { settlePayment } from '../src/services/payments.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { getBalances, hold, transfer } from '../src/store/ledger.ts';
import { checkLedger } from '../src/store/ledger-check.ts';
import { migrateTo, migrateToLatest, missingMigrations } from '../src/store/migrate.ts';
import { findPayment, insertPayment } from '../src/store/payments.ts';
import { settlementBalances, settlementShardsOf } from '../src/store/settlement-shards.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from './support/databases.ts';
import { callOperation, provisionMerchant } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, merchantMoney } from './support/payments.ts';

const SHOP = { merchantId: '49101', name: 'Toko Tua', userId: 'bot49101', password: 'secret-49101', pinlessLimit: 20_000n };

async function countAccounts(database: Database): Promise<number> {
  const row = await database.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: migration 010 keeps a merchant's settlement balances as shard 0 and adds the other shards`, async () => {
    const { url, drop } = await createTestDatabaseUrl(kind);
    const database = openDatabase(url, { poolSize: 5 });
    try {
      await migrateTo(database, '009-challenges');
      const shop = await provisionMerchant(database, SHOP, { settlementShards: 1 });
      const wallet = await fundedWallet(database, { phone: '081349100001', cash: 500_000n, points: 50_000n });
      const now = Date.now();
      const oldPayment = (trxId: string, billNo: string, status: 'SUCCESS' | 'PENDING', cash: bigint, points: bigint, transfers: [bigint, bigint | null]) => ({
        trx_id: trxId, merchant_id: shop.merchantId, bill_no: billNo, fingerprint: 'fp', wallet_id: wallet.id, phone: wallet.phone,
        cust_name: 'Andrea', email: 'a@example.com', bill_desc: 'Old order', amount: cash + points, pay_type: points > 0n ? '2' : '0',
        cash_amount: cash, points_amount: points, cash_transfer_id: transfers[0], points_transfer_id: transfers[1], status,
        payment_reff: status === 'SUCCESS' ? '123456789012' : '', failure_reason: null, cancel_reason: null,
        created_at: BigInt(now), expires_at: BigInt(now + 600_000), finished_at: status === 'SUCCESS' ? BigInt(now) : null,
      });
      await inTransaction(database, async (tx) => {
        const move = { reference: 'payment:9100000000000001', now };
        const cash = await transfer(tx, { ...move, debitAccountId: wallet.cashAccountId, creditAccountId: shop.settlementAccountId, amount: 30_000n });
        const points = await transfer(tx, { ...move, debitAccountId: wallet.pointsAccountId, creditAccountId: shop.pointsSettlementAccountId, amount: 10_000n });
        await insertPayment(tx, oldPayment('9100000000000001', 'OLD-PAID', 'SUCCESS', 30_000n, 10_000n, [cash, points]));
        const held = await hold(tx, { reference: 'payment:9100000000000002', now, debitAccountId: wallet.cashAccountId, creditAccountId: shop.settlementAccountId, amount: 40_000n });
        await insertPayment(tx, oldPayment('9100000000000002', 'OLD-HELD', 'PENDING', 40_000n, 0n, [held, null]));
      });
      const before = await getBalances(database.db, [shop.settlementAccountId, shop.pointsSettlementAccountId]);
      const accountsBefore = await countAccounts(database);

      await migrateToLatest(database);
      assert.deepEqual(await missingMigrations(database), []);
      const shards = await settlementShardsOf(database.db, shop);
      assert.equal(shards.length, SETTLEMENT_SHARDS);
      assert.deepEqual(shards[0], { cashAccountId: shop.settlementAccountId, pointsAccountId: shop.pointsSettlementAccountId });
      assert.equal(await countAccounts(database), accountsBefore + 2 * (SETTLEMENT_SHARDS - 1));
      const after = await getBalances(database.db, shards.flatMap((s) => [s.cashAccountId, s.pointsAccountId]));
      assert.deepEqual(after.get(shop.settlementAccountId), before.get(shop.settlementAccountId));
      assert.deepEqual(after.get(shop.pointsSettlementAccountId), before.get(shop.pointsSettlementAccountId));
      for (const s of shards.slice(1)) {
        for (const id of [s.cashAccountId, s.pointsAccountId]) assert.deepEqual([after.get(id)!.posted, after.get(id)!.incomingHeld], [0n, 0n]);
      }
      assert.deepEqual(await merchantMoney(database, shop), { cashSettled: 30_000n, pointsSettled: 10_000n, cashIncoming: 40_000n, pointsIncoming: 0n });
      assert.deepEqual((await checkLedger(database.db)).violations, []);

      const gateway = await startGateway({ database, config: { port: 0, host: '127.0.0.1', sandbox: true } });
      try {
        // The hold made before the upgrade is paid into the account it was made on, now shard 0.
        const held = (await findPayment(database.db, '9100000000000002'))!;
        assert.equal((await settlePayment(gateway.ctx, held, 'SUCCESS')).status, 'SUCCESS');
        assert.equal((await getBalances(database.db, [shop.settlementAccountId])).get(shop.settlementAccountId)!.posted, 70_000n);

        await linkThroughStore(gateway.ctx, shop.merchantId, wallet);
        for (let i = 0; i < SETTLEMENT_SHARDS; i++) {
          const reply = await callOperation(gateway.url, 'payment', {
            merchant_id: shop.merchantId, bill_no: `NEW-${i}`, bill_desc: 'New order', bill_total: '1000', bill_currency: 'IDR',
            payment_channel: '720', phone_no: wallet.phone, cust_name: 'Andrea', email: 'a@example.com', pay_type: '0',
          }, 'json', SHOP);
          assert.deepEqual([reply.body.response_code, reply.body.status], ['00', 'SUCCESS'], reply.raw);
        }
        // One payment after another, each its own batch with the next lane: one to each shard.
        const credited = await getBalances(database.db, shards.map((s) => s.cashAccountId));
        assert.deepEqual(shards.map((s) => credited.get(s.cashAccountId)!.posted), [71_000n, ...Array<bigint>(SETTLEMENT_SHARDS - 1).fill(1_000n)]);
        const { cash, points } = await settlementBalances(database.db, shop);
        assert.deepEqual([cash.posted, cash.incomingHeld, points.posted], [70_000n + BigInt(SETTLEMENT_SHARDS) * 1_000n, 0n, 10_000n]);
        assert.deepEqual((await checkLedger(database.db)).violations, []);
      } finally {
        await gateway.close();
      }
    } finally {
      await database.close();
      await drop();
    }
  });
}
