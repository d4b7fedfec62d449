// The plans of the two history queries (the page and its `total`), built exactly as
// store/payments.ts listPaymentHistory builds them, on the database the gateway runs on, and their timing.
import { performance } from 'node:perf_hooks';
import { CompiledQuery } from 'kysely';
import type { Database } from '../packages/gateway/src/store/database.ts';
import type { HistoryQuery } from '../packages/gateway/src/store/payments.ts';

export const HISTORY_INDEX = 'payments_history';

export interface QueryPlan {
  query: 'page' | 'total';
  /** The plan as the database prints it, one line per node. */
  plan: string[];
  usesHistoryIndex: boolean;
  /** PostgreSQL only (EXPLAIN ANALYZE): the execution time it reports. */
  executionMs?: number;
  /** The query run in-process TIMED_RUNS times, driver round trip included: the median. */
  medianMs: number;
}

const TIMED_RUNS = 15;

export async function explainHistory(database: Database, q: HistoryQuery): Promise<QueryPlan[]> {
  const inRange = database.db.selectFrom('payments')
    .where('merchant_id', '=', q.merchantId).where('wallet_id', '=', q.walletId)
    .where('created_at', '>=', BigInt(q.fromMs)).where('created_at', '<', BigInt(q.toMsExclusive));
  const queries = {
    page: inRange.selectAll().orderBy('created_at', 'desc').orderBy('trx_id', 'desc').limit(q.limit).offset(q.offset).compile(),
    total: inRange.select((eb) => eb.fn.countAll().as('n')).compile(),
  } as const;
  const plans: QueryPlan[] = [];
  for (const [name, compiled] of Object.entries(queries) as Array<[QueryPlan['query'], CompiledQuery]>) {
    const prefix = database.kind === 'postgres' ? 'explain (analyze, buffers) ' : 'explain query plan ';
    const result = await database.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]));
    const plan = database.kind === 'postgres'
      ? result.rows.map((row) => String(row['QUERY PLAN']))
      : result.rows.map((row) => String(row.detail));
    const execution = plan.map((line) => /Execution Time: ([0-9.]+) ms/.exec(line)?.[1]).find((v) => v !== undefined);
    const times: number[] = [];
    for (let i = 0; i < TIMED_RUNS; i++) {
      const t0 = performance.now();
      await database.db.executeQuery(compiled);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    plans.push({
      query: name,
      medianMs: times[Math.floor(times.length / 2)]!,
      plan,
      usesHistoryIndex: plan.some((line) => line.includes(HISTORY_INDEX)),
      ...(execution !== undefined && { executionMs: Number(execution) }),
    });
  }
  return plans;
}
