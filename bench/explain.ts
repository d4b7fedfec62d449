// The plans of the two history queries (the page and its `total`), built by store/payments.ts
// historyQueries as listPaymentHistory runs them, on the database the gateway runs on, and their timing.
import { performance } from 'node:perf_hooks';
import { CompiledQuery } from 'kysely';
import type { Database } from '../packages/gateway/src/store/database.ts';
import { historyQueries, type HistoryQuery } from '../packages/gateway/src/store/payments.ts';

/** The index each query should search: the page walks payments_history, the total the per-day counts' key. */
export const HISTORY_INDEXES = { page: ['payments_history'], total: ['payment_day_counts_pk', 'sqlite_autoindex_payment_day_counts'] } as const;

export interface QueryPlan {
  query: 'page' | 'total';
  /** The plan as the database prints it, one line per node. */
  plan: string[];
  /** The index the query should use (HISTORY_INDEXES), and whether the plan uses it. */
  index: string;
  usesIndex: boolean;
  /** PostgreSQL only (EXPLAIN ANALYZE): the execution time it reports. */
  executionMs?: number;
  /** The query run in-process TIMED_RUNS times, driver round trip included: the median. */
  medianMs: number;
}

const TIMED_RUNS = 15;

export async function explainHistory(database: Database, q: HistoryQuery): Promise<QueryPlan[]> {
  const built = historyQueries(database.db, q);
  const queries = { page: built.page.compile(), total: built.total.compile() } as const;
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
    const used = HISTORY_INDEXES[name].find((index) => plan.some((line) => line.includes(index)));
    plans.push({
      query: name,
      medianMs: times[Math.floor(times.length / 2)]!,
      plan,
      index: used ?? HISTORY_INDEXES[name][0],
      usesIndex: used !== undefined,
      ...(execution !== undefined && { executionMs: Number(execution) }),
    });
  }
  return plans;
}
