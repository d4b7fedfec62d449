import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// History's `total` was a COUNT(*) over the date range: its cost grew with the customer's payments in the
// range. It is now a sum over this table, one row per (merchant, customer, Jakarta day) with payments,
// which store/payments.ts insertPayment increments in the transaction that inserts the payment.

const DAY_MS = 86_400_000;
/** Jakarta is UTC+7 all year (no daylight saving time since 1964). */
const JAKARTA_OFFSET_MS = 7 * 3_600_000;
/** Customers aggregated per step of the backfill, and aggregated rows per INSERT. */
const CUSTOMERS_PER_BATCH = 500;
const ROWS_PER_INSERT = 500;

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  const int = kind === 'postgres' ? 'bigint' : 'integer';
  // IF NOT EXISTS: SQLite runs migrations outside a transaction, so a run cut short may be repeated.
  await db.schema
    .createTable('payment_day_counts')
    .ifNotExists()
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('wallet_id', int, (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('count', int, (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_day_counts_pk', ['merchant_id', 'wallet_id', 'day'])
    .addCheckConstraint('payment_day_counts_positive', sql`count > 0`)
    .execute();
  await backfillPaymentDayCounts(db);
}

/**
 * Recounts `payment_day_counts` from `payments` — for every customer, or for one merchant's customer — in one
 * transaction (the caller's if `db` is one). The Jakarta day is computed the same way on both databases:
 * SQL groups by the integer day number (created_at + 7 h) / 1 day, and JavaScript names the day.
 * Returns the number of (merchant, customer, day) rows written.
 */
export async function backfillPaymentDayCounts(db: Kysely<any>, scope?: { merchantId: string; walletId: bigint }): Promise<number> {
  if (!db.isTransaction) return db.transaction().execute((tx) => backfillPaymentDayCounts(tx, scope));
  const tx = db as Transaction<any>;
  if (scope) {
    await tx.deleteFrom('payment_day_counts').where('merchant_id', '=', scope.merchantId).where('wallet_id', '=', scope.walletId).execute();
    return insertCounts(tx, await dayCounts(tx, [scope.merchantId, scope.walletId], [scope.merchantId, scope.walletId]));
  }
  await tx.deleteFrom('payment_day_counts').execute();
  let written = 0;
  let after: [string, bigint] | undefined;
  for (;;) {
    // The next batch of customers, in the order of the payments_history index.
    let next = tx.selectFrom('payments').select(['merchant_id', 'wallet_id']).groupBy(['merchant_id', 'wallet_id'])
      .orderBy('merchant_id').orderBy('wallet_id').limit(CUSTOMERS_PER_BATCH);
    if (after) next = next.where((eb) => eb(eb.refTuple('merchant_id', 'wallet_id'), '>', eb.tuple(after![0], after![1])));
    const customers = await next.execute();
    if (customers.length === 0) return written;
    const first = customers[0]!;
    const last = customers[customers.length - 1]!;
    written += await insertCounts(tx, await dayCounts(tx, [first.merchant_id, BigInt(first.wallet_id)], [last.merchant_id, BigInt(last.wallet_id)]));
    after = [last.merchant_id, BigInt(last.wallet_id)];
  }
}

interface DayCount { merchant_id: string; wallet_id: bigint; day: string; count: bigint }

/** Payments per (merchant, customer, Jakarta day) for the customers from `from` to `to` inclusive. */
async function dayCounts(tx: Transaction<any>, from: [string, bigint], to: [string, bigint]): Promise<DayCount[]> {
  const dayNumber = sql<bigint>`(created_at + ${sql.lit(JAKARTA_OFFSET_MS)}) / ${sql.lit(DAY_MS)}`;
  const rows = await tx.selectFrom('payments')
    .select(['merchant_id', 'wallet_id', dayNumber.as('day_number'), (eb) => eb.fn.countAll<bigint>().as('n')])
    .where((eb) => eb.and([
      eb(eb.refTuple('merchant_id', 'wallet_id'), '>=', eb.tuple(from[0], from[1])),
      eb(eb.refTuple('merchant_id', 'wallet_id'), '<=', eb.tuple(to[0], to[1])),
    ]))
    .groupBy(['merchant_id', 'wallet_id', dayNumber])
    .execute();
  return rows.map((r) => ({
    merchant_id: r.merchant_id as string,
    wallet_id: BigInt(r.wallet_id),
    day: jakartaDayName(Number(r.day_number)),
    count: BigInt(r.n),
  }));
}

/** `YYYY-MM-DD` of Jakarta day number `n` (days since 1970-01-01 in Jakarta). */
function jakartaDayName(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

async function insertCounts(tx: Transaction<any>, rows: DayCount[]): Promise<number> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx.insertInto('payment_day_counts').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  return rows.length;
}
