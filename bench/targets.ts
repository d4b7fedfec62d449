// The targets of issue 11 against what was measured. Throughput targets are in × no-op (the ratio column),
// which survives a noisy machine; latency and memory are absolute.
import { printTable, type DatabaseReport, type Row } from './report.ts';

export interface Target {
  target: string;
  goal: string;
  /** "not run" when the row's database (or row) was not part of this run. */
  measured: string;
  met: boolean | null;
}

const LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
const RSS_MAX_MB = 200;
const HISTORY_FLAT_MIN = 0.8;
const ONE_VS_SPREAD_MIN = -0.15;

export function targetsOf(reports: readonly DatabaseReport[]): Target[] {
  const row = (kind: DatabaseReport['kind'], key: string): Row | undefined =>
    reports.find((r) => r.kind === kind)?.rows.find((r) => r.key === key);
  const targets: Target[] = [];
  const add = (target: string, goal: string, value: number | undefined, met: (v: number) => boolean, show: (v: number) => string) => {
    const known = value !== undefined && Number.isFinite(value);
    targets.push({ target, goal, measured: known ? show(value) : 'not run', met: known ? met(value) : null });
  };
  const times = (v: number) => `${v.toFixed(3)}×`;
  const ms = (v: number) => `${v.toFixed(1)} ms`;

  for (const [kind, min] of [['sqlite', 0.1], ['postgres', 0.05]] as const) {
    add(`payment, pinless, notifications on, ${LABEL[kind]}`, `≥ ${min.toFixed(2)}× no-op`, row(kind, 'pinless')?.ratio, (v) => v >= min, times);
  }
  for (const [kind, min] of [['sqlite', 0.3], ['postgres', 0.15]] as const) {
    add(`balance, ${LABEL[kind]}`, `≥ ${min.toFixed(2)}× no-op`, row(kind, 'balance')?.ratio, (v) => v >= min, times);
  }
  const one = row('postgres', 'pinless')?.ratio;
  const spread = row('postgres', 'pinless-spread')?.ratio;
  add('payment, pinless, one merchant vs eight, PostgreSQL', `one at most ${-ONE_VS_SPREAD_MIN * 100} % below eight`,
    one !== undefined && spread !== undefined ? one / spread - 1 : undefined, (v) => v >= ONE_VS_SPREAD_MIN, (v) => `${(v * 100).toFixed(1)} %`);
  for (const [kind, max] of [['sqlite', 10], ['postgres', 25]] as const) {
    add(`payment, pinless, p99 at half the peak rate, ${LABEL[kind]}`, `≤ ${max} ms`, row(kind, 'pinless-paced')?.p99Ms, (v) => v <= max, ms);
  }
  add('RSS under pinless load (peak, second gateway, PostgreSQL)', `≤ ${RSS_MAX_MB} MB`, reports.find((r) => r.rss)?.rss?.peakMb,
    (v) => v <= RSS_MAX_MB, (v) => `${v.toFixed(1)} MB`);
  for (const kind of ['sqlite', 'postgres'] as const) {
    add(`history, 100,000 vs 100 tx (worse of 30 days and full year), ${LABEL[kind]}`, `≥ ${HISTORY_FLAT_MIN}`,
      historyFlatness(reports.find((r) => r.kind === kind)), (v) => v >= HISTORY_FLAT_MIN, (v) => v.toFixed(2));
  }
  return targets;
}

/** The smallest, over the ranges, of the ratio at the most transactions over the ratio at the fewest. */
function historyFlatness(report: DatabaseReport | undefined): number | undefined {
  const rows = report?.rows.filter((r) => r.key?.startsWith('history ')) ?? [];
  const byRange = new Map<string, Array<{ transactions: number; ratio: number }>>();
  for (const r of rows) {
    const [, transactions, ...range] = r.key!.split(' ');
    const list = byRange.get(range.join(' ')) ?? [];
    list.push({ transactions: Number(transactions), ratio: r.ratio });
    byRange.set(range.join(' '), list);
  }
  const flatness = [...byRange.values()].map((list) => {
    list.sort((a, b) => a.transactions - b.transactions);
    return list[list.length - 1]!.ratio / list[0]!.ratio;
  });
  return flatness.length > 0 ? Math.min(...flatness) : undefined;
}

export function printTargets(targets: readonly Target[]): void {
  console.log('\nTargets\n=======');
  const lines = targets.map((t) => [t.target, t.goal, t.measured, t.met === null ? '—' : t.met ? 'met' : 'NOT MET']);
  printTable(['target', 'goal', 'measured', ''], lines, (i) => i === 2);
}
