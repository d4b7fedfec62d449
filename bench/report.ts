// The printed table and the shape of bench/results.json.
import type { QueryPlan } from './explain.ts';
import type { Measurement } from './jobs.ts';

export interface Row {
  operation: string;
  /** How targets.ts finds the row. */
  key?: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean req/s of the no-op runs just before and just after this row (for a ceiling row: its own). */
  ceilingNearby: number;
  ceilingBefore?: number;
  ceilingAfter?: number;
  /** reqPerSec / ceilingNearby (ceiling rows: over the mean of the start and end ceilings). */
  ratio: number;
  /** reqPerSec over the mean of the start and end ceilings of the same database. */
  ratioToMeanCeiling: number;
  measurement: Measurement;
  note?: string;
}

export interface RssReport {
  command: string;
  pid: number;
  /** VmRSS a moment after start-up, before any load. */
  idleMb: number;
  /** VmHWM (the peak RSS since start) after the load in `peakOver`. */
  peakMb: number;
  peakOver: string;
}

export interface HistoryPlans {
  transactions: number;
  range: string;
  plans: QueryPlan[];
}

export interface DatabaseReport {
  kind: 'sqlite' | 'postgres';
  version: string;
  setup: string;
  /** Whether an acknowledged commit survives a crash, as read from the gateway's connection (not as configured). */
  durability: { source: string; settings: Record<string, string> };
  /** PostgreSQL: the memory of the second gateway, a process of its own. */
  rss?: RssReport;
  /** req/s of the ceiling at the start and the end of this database's runs, and their mean (the ratio base). */
  ceiling: { start: number; end: number; mean: number };
  authorisation: { mode: 'page' | 'in-process'; reason: string };
  rows: Row[];
  explain: HistoryPlans[];
  notificationBacklog: Array<{ after: string; pending: number; waitedMs: number }>;
  failures: string[];
}

export function printDatabaseReport(report: DatabaseReport): void {
  const title = `${report.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${report.version} — ${report.setup}`;
  console.log(`\n${title}\n${'='.repeat(Math.min(title.length, 110))}`);
  console.log(`ceiling, the no-op POST: ${fmt(report.ceiling.start, 0)} req/s at the start, ${fmt(report.ceiling.end, 0)} at the end (mean ${fmt(report.ceiling.mean, 0)}); `
    + `each row's ratio divides by the mean of the 2 s no-op runs just before and just after it`);
  const header = ['operation', 'req/s', 'p50 ms', 'p99 ms', 'no-op around', '× no-op', 'notes'];
  const lines = report.rows.map((r) => [
    r.operation, fmt(r.reqPerSec, r.reqPerSec < 100 ? 1 : 0), fmtMs(r.p50Ms), fmtMs(r.p99Ms),
    fmt(r.ceilingNearby, 0), r.ratio.toFixed(3), r.note ?? '',
  ]);
  printTable(header, lines, (i) => i >= 1 && i <= 5);
  if (report.rss) {
    console.log(`RSS of ${report.rss.command}, pid ${report.rss.pid}: ${report.rss.idleMb.toFixed(1)} MB idle, `
      + `peak ${report.rss.peakMb.toFixed(1)} MB (VmHWM, over ${report.rss.peakOver})`);
  }
  console.log(`authorisation: ${report.authorisation.mode === 'page' ? 'through the hosted page' : 'IN-PROCESS'} — ${report.authorisation.reason}`);
  for (const b of report.notificationBacklog) {
    console.log(`notifications after ${b.after}: ${b.pending === 0 ? `all delivered (waited ${fmt(b.waitedMs, 0)} ms)` : `${b.pending} still pending after ${fmt(b.waitedMs, 0)} ms`}`);
  }
  console.log('history query plans (customer with the most transactions; the same SQL as listPaymentHistory):');
  for (const h of report.explain) {
    for (const p of h.plans) {
      const timing = `median ${p.medianMs.toFixed(2)} ms in-process${p.executionMs !== undefined ? `, EXPLAIN ANALYZE ${p.executionMs.toFixed(2)} ms` : ''}`;
      console.log(`  ${`${fmt(h.transactions, 0)} tx, ${h.range}, ${p.query}:`.padEnd(34)} ${p.usesIndex ? `uses ${p.index}` : `DOES NOT use ${p.index}`} (${timing})`);
      for (const line of planSummary(report.kind, p.plan)) console.log(`      ${line}`);
    }
  }
  if (report.failures.length > 0) {
    console.log(`FAILURES (${report.failures.length}):`);
    for (const f of report.failures) console.log(`  ${f}`);
  }
}

/** Columns padded to their widest cell, numbers (rightAligned) to the right. */
export function printTable(header: readonly string[], lines: ReadonlyArray<readonly string[]>, rightAligned: (column: number) => boolean): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) => cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
}

/** The plan lines that say how rows are found (PostgreSQL's nodes without costs, and heap fetches; SQLite's whole plan). */
function planSummary(kind: DatabaseReport['kind'], plan: readonly string[]): string[] {
  if (kind === 'sqlite') return [...plan];
  return plan
    .filter((line) => /(->|^\s*\S.*(Scan|Limit|Aggregate|Sort)|Heap Fetches)/.test(line) && !/^\s*(Planning|Execution)/.test(line))
    .map((line) => line.replace(/\s+\(cost=[^)]*\)/, '').replace(/\(actual time=[^ ]+ /, '(').trimEnd())
    .slice(0, 5);
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';
}

function fmtMs(ms: number): string {
  return fmt(ms, ms < 10 ? 2 : 1);
}
