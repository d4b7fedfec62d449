// Proves that history's `total`, now a sum over per-day counts (payment_day_counts) instead of a COUNT(*) over
// the range, is exact on SQLite and PostgreSQL: across Jakarta midnight (16:59:59Z and 17:00:00Z are different
// Jakarta days), after 50 concurrent payments by one customer, after the migration's backfill of existing
// payments (compared with COUNT(*)), and as the API reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJakartaDate, jakartaDayEndExclusive, jakartaDayStart, type WireFormat } from '@ovo-tokenize/protocol';
import { Migrator, type Kysely, type Migration, type Selectable } from 'kysely';
import type { Merchant } from '../src/domain/merchant.ts';
import { openDatabase, type Database, type DatabaseKind } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import * as m001 from '../src/store/migrations/001-foundation.ts';
import * as m002 from '../src/store/migrations/002-payments.ts';
import * as m003 from '../src/store/migrations/003-wallet-app.ts';
import * as m004 from '../src/store/migrations/004-housekeeping.ts';
import { backfillPaymentDayCounts } from '../src/store/migrations/005-payment-day-counts.ts';
import { insertPayment, listPaymentHistory, paymentDay } from '../src/store/payments.ts';
import type { PaymentTable, Schema } from '../src/store/schema.ts';
import { createTestDatabaseUrl, DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { callOperation, provisionMerchant, type Reply } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway, type PaymentsGateway } from './support/payments.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function shop(id: string, extra: { notifyUrl?: string; pinlessLimit?: bigint } = {}) {
  return { merchantId: id, name: `Toko ${id}`, userId: `bot${id}`, password: `pw-${id}`, notifyFormat: 'json' as WireFormat, ...extra };
}

let serial = 0;
/** A finished payment row as the gateway would store it (no holds: null is allowed). */
function paymentRow(merchantId: string, walletId: bigint, createdAt: number): Selectable<PaymentTable> {
  const n = ++serial;
  return {
    trx_id: String(8_000_000_000_000_000 + n), merchant_id: merchantId, bill_no: `HB-${n}`, fingerprint: 'fp', wallet_id: walletId,
    phone: '081300000000', cust_name: 'History Test', email: 'h@example.com', bill_desc: 'history', amount: 1_000n, pay_type: '0',
    cash_amount: 1_000n, points_amount: 0n, cash_transfer_id: null, points_transfer_id: null, status: 'SUCCESS', payment_reff: String(n).padStart(12, '0'),
    failure_reason: null, cancel_reason: null,
    created_at: BigInt(createdAt), expires_at: BigInt(createdAt + 900_000), finished_at: BigInt(createdAt + 1_000),
  };
}

/** paymentRow as the schema before migration 009 stored it (page-session columns on the payment). */
function paymentRowBefore009(merchantId: string, walletId: bigint, createdAt: number): Record<string, unknown> {
  const { cash_transfer_id: _cash, points_transfer_id: _points, ...row } = paymentRow(merchantId, walletId, createdAt);
  return {
    ...row, cash_hold_id: null, points_hold_id: null, page_token: `history-${row.trx_id}`, needs_otp: 0n, auth_step: 'done',
    browser_key_hash: null, csrf_token: 'x', otp_hash: null, otp_expires_at: null, otp_attempts: 0n, otp_sends: 0n, otp_sent_at: null,
  };
}

/** What the store answers for whole Jakarta days `start`..`end`. */
function historyRange(merchantId: string, walletId: bigint, start: string, end: string) {
  return { merchantId, walletId, fromMs: jakartaDayStart(start).getTime(), toMsExclusive: jakartaDayEndExclusive(end).getTime(), offset: 0, limit: 100 };
}

/** The old way: COUNT(*) of the customer's payments in [start 00:00, end+1 00:00) Jakarta. */
async function countStar(db: Kysely<Schema>, merchantId: string, walletId: bigint, start: string, end: string): Promise<number> {
  const row = await db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n'))
    .where('merchant_id', '=', merchantId).where('wallet_id', '=', walletId)
    .where('created_at', '>=', BigInt(jakartaDayStart(start).getTime()))
    .where('created_at', '<', BigInt(jakartaDayEndExclusive(end).getTime()))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The counts table as `merchant|wallet|day` → count. */
async function dayCountsTable(db: Kysely<Schema>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('payment_day_counts').selectAll().execute();
  return new Map(rows.map((r) => [`${r.merchant_id}|${r.wallet_id}|${r.day}`, Number(r.count)]));
}

/** The counts the table should hold, computed in JavaScript from every payment row. */
async function expectedDayCounts(db: Kysely<Schema>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('payments').select(['merchant_id', 'wallet_id', 'created_at']).execute();
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.merchant_id}|${r.wallet_id}|${formatJakartaDate(new Date(Number(r.created_at)))}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function sorted(m: Map<string, number>): Array<[string, number]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a payment at 16:59:59Z and one at 17:00:00Z are counted on different Jakarta days`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const merchant = await provisionMerchant(database, shop('41001'));
      const wallet = await fundedWallet(database, { phone: '081341000001', cash: 0n, points: 0n });
      const boundary = Date.parse('2025-03-09T17:00:00Z'); // 2025-03-10 00:00 Jakarta
      // Bare database (insertPayment opens its own transaction) and inside a caller's transaction.
      const first = await insertPayment(database.db, paymentRow(merchant.merchantId, wallet.id, boundary - 1_000));
      await database.db.transaction().execute((tx) => insertPayment(tx, paymentRow(merchant.merchantId, wallet.id, boundary)));
      await insertPayment(database.db, paymentRow(merchant.merchantId, wallet.id, boundary - 1));
      await insertPayment(database.db, paymentRow(merchant.merchantId, wallet.id, boundary + DAY_MS - 1));
      assert.equal(paymentDay(boundary - 1), '2025-03-09');
      assert.equal(paymentDay(boundary), '2025-03-10');

      assert.deepEqual(sorted(await dayCountsTable(database.db)), [
        [`41001|${wallet.id}|2025-03-09`, 2],
        [`41001|${wallet.id}|2025-03-10`, 2],
      ]);
      for (const [start, end, total] of [
        ['2025-03-09', '2025-03-09', 2], ['2025-03-10', '2025-03-10', 2], ['2025-03-09', '2025-03-10', 4],
        ['2025-03-08', '2025-03-08', 0], ['2025-03-11', '2025-03-12', 0], ['2025-01-01', '2025-12-31', 4],
      ] as const) {
        const page = await listPaymentHistory(database.db, historyRange(merchant.merchantId, wallet.id, start, end));
        assert.equal(page.total, total, `${start}..${end}`);
        assert.equal(page.rows.length, total, `${start}..${end}: the page lists what the total counts`);
        assert.equal(page.total, await countStar(database.db, merchant.merchantId, wallet.id, start, end), `${start}..${end}: same as COUNT(*)`);
        for (const row of page.rows) assert.ok(paymentDay(row.createdAt) >= start && paymentDay(row.createdAt) <= end);
      }
      // Another customer, another merchant: nothing of theirs is counted here.
      const other = await provisionMerchant(database, shop('41002'));
      await insertPayment(database.db, paymentRow(other.merchantId, wallet.id, boundary));
      assert.equal((await listPaymentHistory(database.db, historyRange(merchant.merchantId, wallet.id, '2025-03-10', '2025-03-10'))).total, 2);
      assert.equal((await listPaymentHistory(database.db, historyRange(other.merchantId, wallet.id, '2025-03-10', '2025-03-10'))).total, 1);
      // A range that is not whole Jakarta days cannot be answered from day counts: refused, not miscounted.
      await assert.rejects(listPaymentHistory(database.db, { ...historyRange(merchant.merchantId, wallet.id, '2025-03-10', '2025-03-10'), fromMs: boundary + 1 }), RangeError);
      // A payment that fails to insert (bill_no reused) counts nothing: the count rolls back with it.
      const dup = { ...paymentRow(merchant.merchantId, wallet.id, boundary), bill_no: first.billNo };
      await assert.rejects(database.db.transaction().execute((tx) => insertPayment(tx, dup)));
      assert.equal((await listPaymentHistory(database.db, historyRange(merchant.merchantId, wallet.id, '2025-03-10', '2025-03-10'))).total, 2);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: the backfill counts existing payments per Jakarta day exactly as COUNT(*) does, in batches and for one customer`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const { db } = database;
      // 30 merchants × 25 wallets, 600 customers with payments: more than one batch of the backfill (500).
      const merchants: Merchant[] = [];
      for (let i = 0; i < 30; i++) merchants.push(await provisionMerchant(database, shop(String(42_000 + i))));
      const wallets: bigint[] = [];
      for (let i = 0; i < 25; i++) wallets.push((await fundedWallet(database, { phone: `08134200${String(i).padStart(4, '0')}`, cash: 0n, points: 0n })).id);
      // Straight into `payments` (as an old database holds them, or a bulk loader writes them): no counts.
      const base = Date.parse('2024-12-30T17:00:00Z'); // 2024-12-31 00:00 Jakarta: the year turns in the data
      const rows: Selectable<PaymentTable>[] = [];
      let seed = 12345;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (const [mi, m] of merchants.entries()) {
        for (const [wi, w] of wallets.entries()) {
          const n = (mi + wi) % 5; // some customers have none
          for (let k = 0; k < n; k++) {
            // Around the Jakarta midnights of the first three days, to the second and to the millisecond.
            const edge = base + Math.floor(random() * 3) * DAY_MS;
            const offsets = [-1, 0, -1_000, 999, 7 * HOUR_MS, -7 * HOUR_MS, Math.floor(random() * DAY_MS) - DAY_MS / 2];
            rows.push(paymentRow(m.merchantId, w, edge + offsets[Math.floor(random() * offsets.length)]!));
          }
        }
      }
      for (let i = 0; i < rows.length; i += 200) await db.insertInto('payments').values(rows.slice(i, i + 200)).execute();
      assert.equal((await dayCountsTable(db)).size, 0);

      const written = await backfillPaymentDayCounts(db);
      const expected = await expectedDayCounts(db);
      assert.equal(written, expected.size);
      assert.deepEqual(sorted(await dayCountsTable(db)), sorted(expected));
      const ranges: Array<[string, string]> = [
        ['2024-12-31', '2024-12-31'], ['2025-01-01', '2025-01-01'], ['2024-12-29', '2025-01-03'], ['2024-12-30', '2025-01-01'],
      ];
      for (const m of merchants.slice(0, 6)) {
        for (const w of wallets.slice(0, 6)) {
          for (const [start, end] of ranges) {
            const { total } = await listPaymentHistory(db, historyRange(m.merchantId, w, start, end));
            assert.equal(total, await countStar(db, m.merchantId, w, start, end), `${m.merchantId}/${w} ${start}..${end}`);
          }
        }
      }

      // Running it again changes nothing; a customer's counts can be redone alone after a bulk load.
      assert.equal(await backfillPaymentDayCounts(db), expected.size);
      assert.deepEqual(sorted(await dayCountsTable(db)), sorted(expected));
      const [m, w] = [merchants[3]!, wallets[4]!];
      for (let k = 0; k < 30; k++) await db.insertInto('payments').values(paymentRow(m.merchantId, w, base + k * HOUR_MS)).execute();
      await backfillPaymentDayCounts(db, { merchantId: m.merchantId, walletId: w });
      assert.deepEqual(sorted(await dayCountsTable(db)), sorted(await expectedDayCounts(db)));
    } finally {
      await database.close();
    }
  });

  test(`${kind}: migration 005 counts the payments an older database already holds`, async () => {
    const { url, drop } = await createTestDatabaseUrl(kind);
    const database = openDatabase(url, { poolSize: 5 });
    try {
      await migrateTo004(database);
      const merchant = await provisionMerchant(database, shop('43001'), { settlementShards: 1 });
      const wallet = await fundedWallet(database, { phone: '081343000001', cash: 0n, points: 0n });
      const boundary = Date.parse('2025-06-30T17:00:00Z');
      const times = [boundary - 1_000, boundary - 1, boundary, boundary + 1, boundary + DAY_MS - 1, boundary + DAY_MS];
      for (const t of times) await (database.db as Kysely<any>).insertInto('payments').values(paymentRowBefore009(merchant.merchantId, wallet.id, t)).execute();
      await migrateToLatest(database);
      assert.deepEqual(sorted(await dayCountsTable(database.db)), [
        [`43001|${wallet.id}|2025-06-30`, 2], [`43001|${wallet.id}|2025-07-01`, 3], [`43001|${wallet.id}|2025-07-02`, 1],
      ]);
      const { total } = await listPaymentHistory(database.db, historyRange(merchant.merchantId, wallet.id, '2025-06-30', '2025-07-02'));
      assert.equal(total, times.length);
    } finally {
      await database.close();
      await drop();
    }
  });

  test(`${kind}: 50 concurrent payments by one customer give total 50, and the API's total matches COUNT(*) across midnight`, async () => {
    const receiver = await startNotificationReceiver();
    const gw = await startPaymentsGateway(kind, { merchants: [shop('44001', { notifyUrl: receiver.url, pinlessLimit: 100_000n })] });
    const merchant = gw.merchants[0]!;
    const phone = '081344000001';
    const wallet = await fundedWallet(gw.database, { phone, cash: 10_000_000n, points: 0n });
    await linkThroughStore(gw.ctx, merchant.merchantId, wallet);
    const today = formatJakartaDate(new Date(gw.clock.now()));
    const midnight = jakartaDayStart(today).getTime();
    const yesterday = formatJakartaDate(new Date(midnight - 1));

    // All 50 at one instant of today (so the day cannot turn under the test), half pinless, half waiting for a PIN.
    gw.clock.freeze(midnight + HOUR_MS);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      pay(gw, merchant, phone, `C-${i}`, i % 2 === 0 ? 10_000n : 150_000n)));
    for (const r of replies) assert.equal(r.body.response_code, '00', r.raw);
    assert.equal(new Set(replies.map((r) => r.body.trx_id)).size, 50);
    const todayReply = await history(gw, merchant, phone, today, today);
    assert.equal(todayReply.body.total, '50', todayReply.raw);
    assert.equal(Number(todayReply.body.total), await countStar(gw.database.db, merchant.merchantId, wallet.id, today, today));
    // Concurrent replays of the same bill_no create nothing and count nothing.
    await Promise.all(Array.from({ length: 10 }, () => pay(gw, merchant, phone, 'C-0', 10_000n)));
    assert.equal((await history(gw, merchant, phone, today, today)).body.total, '50');

    // One a second before midnight (yesterday) and one at midnight (today), made through the API.
    gw.clock.freeze(midnight - 1_000);
    assert.equal((await pay(gw, merchant, phone, 'M-1', 10_000n)).body.response_code, '00');
    gw.clock.freeze(midnight);
    assert.equal((await pay(gw, merchant, phone, 'M-2', 10_000n)).body.response_code, '00');
    gw.clock.freeze(midnight + 2 * HOUR_MS);
    for (const [start, end, total] of [[yesterday, yesterday, 1], [today, today, 51], [yesterday, today, 52]] as const) {
      const reply = await history(gw, merchant, phone, start, end, 2);
      assert.equal(reply.body.response_code, '00', reply.raw);
      assert.equal(reply.body.total, String(total), `${start}..${end}: ${reply.raw}`);
      assert.equal(total, await countStar(gw.database.db, merchant.merchantId, wallet.id, start, end), `${start}..${end}: COUNT(*)`);
    }
    const last = await history(gw, merchant, phone, yesterday, today, 50, 2); // items 51–52 of 52, the oldest two
    assert.equal(Object.keys(last.body.list_transaction).length, 2, last.raw);
    assert.equal(last.body.total, '52');
    assert.deepEqual(sorted(await dayCountsTable(gw.database.db)), sorted(await expectedDayCounts(gw.database.db)));
  });
}

function pay(gw: PaymentsGateway, merchant: Merchant, phone: string, billNo: string, total: bigint): Promise<Reply> {
  return callOperation(gw.url, 'payment', {
    merchant_id: merchant.merchantId, request: 'Payment OVO Open API', bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: String(total),
    bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'History Test', email: 'h@example.com', pay_type: '0',
  }, 'json', merchant, { hmacTimeS: Math.floor(gw.clock.now() / 1000) });
}

function history(gw: PaymentsGateway, merchant: Merchant, phone: string, start: string, end: string, limit = 100, page = 1): Promise<Reply> {
  return callOperation(gw.url, 'history', {
    merchant_id: merchant.merchantId, merchant: merchant.name, phone_no: phone, payment_channel: '720', start_date: start, end_date: end,
    page: String(page), limit: String(limit),
  }, 'json', merchant, { hmacTimeS: Math.floor(gw.clock.now() / 1000) });
}

/** Migrates a new database only as far as 004, as a gateway from before the day counts left it. */
async function migrateTo004(database: Database): Promise<void> {
  const modules = { '001-foundation': m001, '002-payments': m002, '003-wallet-app': m003, '004-housekeeping': m004 } as const;
  const migrations: Record<string, Migration> = {};
  for (const [name, module] of Object.entries(modules)) {
    migrations[name] = { up: (db) => (module.up as (db: Kysely<any>, kind: DatabaseKind) => Promise<void>)(db, database.kind) };
  }
  const { error } = await new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw error;
}
