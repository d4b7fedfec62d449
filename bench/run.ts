// `npm run bench`: the gateway's throughput and latency on SQLite and on PostgreSQL, each next to a
// ceiling (a no-op POST route on the same server, measured in the same run) so that ratios can be compared
// across noisy machines. Prints a table per database and the targets, and writes bench/results.json.
// See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem, arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatJakartaDate, jakartaDayEndExclusive, jakartaDayStart } from '@ovo-tokenize/protocol';
import pg from 'pg';
import { sql } from 'kysely';
import { verifyPin } from '../packages/gateway/src/domain/pin.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../packages/gateway/src/server.ts';
import { settlePayment } from '../packages/gateway/src/services/payments.ts';
import type { DatabaseKind } from '../packages/gateway/src/store/database.ts';
import { findPayment } from '../packages/gateway/src/store/payments.ts';
import { findWallet } from '../packages/gateway/src/store/wallets.ts';
// @ts-expect-error plain JavaScript helper shared with the test runner
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { explainHistory } from './explain.ts';
import { residentMb, spawnServe, type GatewayProcess } from './gateway-process.ts';
import type { AutocannonJob, FromWorker, Job, Measurement, ToWorker } from './jobs.ts';
import { PageStatusError, authoriseOnPage } from './page-client.ts';
import { printDatabaseReport, type DatabaseReport, type HistoryPlans, type Row } from './report.ts';
import { PIN, PIN_AMOUNT, PINLESS_AMOUNT, seedWorld, type Customer, type World } from './seed.ts';
import { benchStartup, printStartupReport, type StartupReport } from './startup.ts';
import { printTargets, targetsOf } from './targets.ts';

const DURATION_S = positiveNumber('OVO_BENCH_DURATION_S', 6);
const WARMUP_S = positiveNumber('OVO_BENCH_WARMUP_S', 1);
const CONNECTIONS = positiveNumber('OVO_BENCH_CONNECTIONS', 16);
const STARTUP_RUNS = positiveNumber('OVO_BENCH_STARTUP_RUNS', 5);
const HISTORY_SIZES = [100, 100_000] as const;
/** Past payments of each paying customer: the table holds 16 × 25,000 more rows than the measured histories. */
const CROWD_PER_PAYER = 25_000;
const HISTORY_PAGE_LIMIT = 20;
/** The one-merchant pinless row is compared with the same load spread over this many merchants (PostgreSQL). */
const SPREAD_MERCHANTS = 8;
const NO_OP_PATH = '/bench/no-op';
/** The second gateway's idle RSS is read this long after its first /health 200. */
const IDLE_SETTLE_MS = 1_000;
const DRAIN_TIMEOUT_MS = 30_000;
/** The short ceiling run before each row; a row's ratio divides by the mean of the runs before and after it. */
const NEARBY_CEILING_S = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));
const OK = '"response_code":"00"';

// ---------------------------------------------------------------------------------------------------------
// The load thread.

type Authorise = (trxId: string, pin: string) => Promise<void>;

class LoadThread {
  private readonly worker = new Worker(new URL('./load-worker.mjs', import.meta.url));
  private readonly waiting = new Map<number, { resolve(m: Measurement): void; reject(e: Error): void }>();
  private nextId = 0;
  /** Runs pin-pair authorisations in this (the gateway's) thread when the page is not there. */
  authorise: Authorise = async () => { throw new Error('no gateway to authorise in'); };
  readonly receiverUrl: Promise<string>;

  constructor() {
    let ready: (url: string) => void;
    this.receiverUrl = new Promise((resolve) => { ready = resolve; });
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') ready(message.receiverUrl);
      else if (message.type === 'authorise') {
        this.authorise(message.trxId, message.pin).then(
          () => this.post({ type: 'authorised', id: message.id }),
          (error: unknown) => this.post({ type: 'authorised', id: message.id, error: error instanceof Error ? error.message : String(error) }),
        );
      } else {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.measurement) waiter?.resolve(message.measurement);
        else waiter?.reject(new Error(`load thread: ${message.error}`));
      }
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  run(job: Job): Promise<Measurement> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'run', id, job });
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Databases.

interface BenchDatabase {
  kind: DatabaseKind;
  url: string;
  /** Where the database is; what its durability settings are is read from the gateway's connection. */
  setup: string;
  drop(): Promise<void>;
}

let embedded: { stop(): Promise<void> } | undefined;

async function sqliteDatabase(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ovo-bench-'));
  return {
    kind: 'sqlite',
    url: `sqlite:${join(dir, 'bench.sqlite')}`,
    setup: 'temp file',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresDatabase(): Promise<BenchDatabase> {
  let admin = process.env.OVO_BENCH_PG_URL;
  let setup = 'OVO_BENCH_PG_URL, fresh database';
  if (!admin) {
    // Durable, as in production: a commit waits for its fsync (scripts/embedded-postgres.mjs).
    const server = await startEmbeddedPostgres({ durable: true });
    embedded = server;
    admin = server.url as string;
    setup = 'embedded server on this machine (started durable)';
  }
  const name = `ovo_bench_${process.pid}_${Date.now()}`;
  await withAdmin(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    setup,
    drop: async () => {
      await withAdmin(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The version, and the settings that decide whether an acknowledged commit survives a crash, as the gateway's connection has them. */
async function databaseFacts(gateway: Gateway): Promise<Pick<DatabaseReport, 'version' | 'durability'>> {
  const db = gateway.ctx.database.db;
  if (gateway.ctx.database.kind === 'sqlite') {
    // Kysely's SQLite dialect runs everything on the gateway's one better-sqlite3 connection, so these are its
    // values (synchronous is per connection: a second connection would show its own default).
    const version = (await sql<{ v: string }>`select sqlite_version() as v`.execute(db)).rows[0]!.v;
    const journal = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]!.journal_mode;
    const level = Number((await sql<{ synchronous: bigint }>`pragma synchronous`.execute(db)).rows[0]!.synchronous);
    const synchronous = `${SQLITE_SYNCHRONOUS[level] ?? 'unknown'} (${level})`;
    return { version, durability: { source: "PRAGMA on the gateway's own connection", settings: { journal_mode: journal, synchronous } } };
  }
  const show = async (name: string) => String(Object.values((await sql.raw<Record<string, string>>(`show ${name}`).execute(db)).rows[0]!)[0]);
  const settings: Record<string, string> = {};
  for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) settings[name] = await show(name);
  return { version: await show('server_version'), durability: { source: "SHOW on the gateway's database", settings } };
}

const SQLITE_SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

// ---------------------------------------------------------------------------------------------------------
// One database.

interface Operation {
  name: string;
  /** How targets.ts finds the row. */
  key?: string;
  /** A function when the job depends on an earlier row's measurement (by key). */
  job: Job | ((earlier: ReadonlyMap<string, Measurement>) => Job);
  isCeiling?: boolean;
  note?: string;
  /** Creates payments, so notifications follow: let them drain before the next run. */
  notifies?: boolean;
  /** Checks after the run; returns failures found in the database. */
  verify?: (measurements: Measurement[]) => Promise<string[]>;
}

type HistoryCase = World['history'][number] & { range: HistoryRange; total: number };

/** The ceiling: a POST that receives the body as every route does (as bytes) and answers at once. */
const registerNoOp: NonNullable<GatewayOptions['extraRoutes']> = (app) => {
  app.post(NO_OP_PATH, async () => ({ ok: true }));
};

async function benchDatabase(target: BenchDatabase, load: LoadThread): Promise<DatabaseReport> {
  const gateway = await startGateway({
    // The rate limits are off (0): this measures the gateway, not the limiter. So is the per-IP connection
    // cap (every load connection comes from 127.0.0.1), for OVO_BENCH_CONNECTIONS above its default of 64.
    config: {
      port: 0, host: '127.0.0.1', sandbox: true, databaseUrl: target.url,
      api_rate_per_s: 0, api_burst: 0, page_post_rate_per_s: 0, page_post_burst: 0, connections_per_ip_max: 0,
    },
    logger: false,
    extraRoutes: registerNoOp,
  });
  let second: GatewayProcess & { idleMb: number } | undefined;
  const failures: string[] = [];
  try {
    const facts = await databaseFacts(gateway);
    const setup = `${target.setup}; ${facts.durability.source}: ${Object.entries(facts.durability.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`;
    console.log(`\n[${target.kind}] ${setup}`);
    process.stdout.write(`[${target.kind}] seeding: ${CONNECTIONS} paying customers with ${CROWD_PER_PAYER} past payments each, customers with ${HISTORY_SIZES.join(' and ')}… `);
    const t0 = Date.now();
    const world = await seedWorld(gateway.ctx, {
      payers: CONNECTIONS, receiverUrl: await load.receiverUrl, historySizes: HISTORY_SIZES, crowdPerPayer: CROWD_PER_PAYER,
      spreadMerchants: SPREAD_MERCHANTS,
    });
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const historyCases = await precheckHistory(gateway, world, failures);
    const tag = target.kind === 'sqlite' ? 'SQ' : 'PG';
    const authorisation = await probeAuthorisation(gateway, world, tag, failures);
    load.authorise = (trxId, pin) => authoriseInProcess(gateway, trxId, pin);
    if (target.kind === 'postgres') second = await startSecondGateway(target.url);

    const operations = onlyRows(operationsFor({ gateway, world, tag, authorisation, historyCases, ...(second && { second: second.url }) }));
    const { measured, backlog } = await runOperations(target.kind, operations, load, gateway, failures);
    const rss = second && {
      command: 'ovo-tokenize serve (a process of its own, the second gateway)', pid: second.pid, idleMb: second.idleMb,
      peakMb: residentMb(second.pid).peakMb, peakOver: 'its start, the two-process row and the pinless row against it alone',
    };
    return {
      kind: target.kind, setup, ...facts, ceiling: ceilingOf(measured), authorisation, rows: ratioRows(measured),
      explain: await explainAll(gateway, world), notificationBacklog: backlog, failures, ...(rss && { rss }),
    };
  } finally {
    await second?.stop();
    await gateway.close();
  }
}

/**
 * A second gateway on the same database, as an operator starts one: production mode, the rate limits off as
 * in this one. A process of its own, so its memory is the gateway's alone; idleMb is read before any load.
 */
async function startSecondGateway(databaseUrl: string): Promise<GatewayProcess & { idleMb: number }> {
  const second = await spawnServe({
    OVO_DB: databaseUrl, OVO_SANDBOX: '0',
    // Production mode refuses the development pepper; only pinless payments reach this gateway, so no PIN is checked.
    OVO_PIN_PEPPER: randomBytes(24).toString('hex'),
    OVO_API_RATE_PER_S: '0', OVO_API_BURST: '0', OVO_PAGE_POST_RATE_PER_S: '0', OVO_PAGE_POST_BURST: '0', OVO_CONNECTIONS_PER_IP_MAX: '0',
  });
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const idleMb = residentMb(second.pid).rssMb;
  console.log(`[postgres] second gateway: ovo-tokenize serve (pid ${second.pid}) at ${second.url}, /health after ${second.startMs.toFixed(0)} ms, idle RSS ${idleMb.toFixed(1)} MB`);
  return { ...second, idleMb };
}

/** Every history case once, with its reply checked in full, before anything is timed. */
async function precheckHistory(gateway: Gateway, world: World, failures: string[]): Promise<HistoryCase[]> {
  const cases: HistoryCase[] = [];
  for (const range of historyRanges()) {
    for (const h of world.history) {
      const reply = await postJson(gateway.url, '/ovo/history', operationBody(h.customer, 'history', historyFields(world, range)));
      const rows = Object.keys((reply.list_transaction ?? {}) as object).length;
      if (reply.response_code !== '00' || rows !== Math.min(HISTORY_PAGE_LIMIT, Number(reply.total))) {
        failures.push(`history precheck (${h.transactions} tx, ${range.label}): ${JSON.stringify(reply).slice(0, 300)}`);
      }
      cases.push({ ...h, range, total: Number(reply.total) });
    }
  }
  return cases;
}

/** OVO_BENCH_ROWS: the rows to run, by key (`pinless,pinless-quiet`); the ceiling runs always. */
function onlyRows(operations: Operation[]): Operation[] {
  const keys = process.env.OVO_BENCH_ROWS?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  return keys === undefined || keys.length === 0 ? operations : operations.filter((op) => op.isCeiling || keys.includes(op.key ?? ''));
}

function operationsFor(s: {
  gateway: Gateway; world: World; tag: string; authorisation: DatabaseReport['authorisation']; historyCases: HistoryCase[]; second?: string;
}): Operation[] {
  const { gateway, world, tag } = s;
  const common = { kind: 'autocannon', url: gateway.url, connections: CONNECTIONS, durationS: DURATION_S } as const;
  const json = { 'content-type': 'application/json' };
  const bodies = (payers: Customer[], op: string, extra: (c: Customer, i: number) => Record<string, string>) =>
    payers.map((c, i) => operationBody(c, op, extra(c, i)));
  const paymentFields = (prefix: string, amount: bigint) => (c: Customer, i: number) => ({
    bill_no: `${prefix}${tag}-__N__`, bill_desc: 'Bench order', bill_total: String(amount), bill_currency: 'IDR',
    cust_name: c.name, email: 'customer@example.com', pay_type: String(i % 3),
  });
  const pinless = (payers: Customer[], prefix: string): AutocannonJob => ({
    ...common, method: 'POST', path: '/ovo/payment', headers: json, bodies: bodies(payers, 'payment', paymentFields(prefix, PINLESS_AMOUNT)),
    expect: { status: 200, includes: [OK, '"status":"SUCCESS"'] },
  });
  const pinlessNote = `Rp ${PINLESS_AMOUNT}, pay_type 0/1/2, SUCCESS at once`;
  const ceiling = (when: string): Operation => ({
    name: `ceiling: POST ${NO_OP_PATH} (${when})`, isCeiling: true, note: 'the pinless payment bodies; answers {"ok":true}',
    job: { ...pinless(world.payers, 'N'), path: NO_OP_PATH, expect: { status: 200, includes: ['"ok":true'] } },
  });
  return [
    ceiling('start'),
    { name: 'health: GET /health', note: 'one trivial query', job: { ...common, method: 'GET', path: '/health', headers: {}, bodies: [], expect: { status: 200, includes: ['"status":"ok"'] } } },
    {
      name: 'balance: POST /ovo/balance', key: 'balance',
      job: { ...common, method: 'POST', path: '/ovo/balance', headers: json, bodies: bodies(world.payers, 'balance', () => ({})), expect: { status: 200, includes: [OK, '"balance"'] } },
    },
    { name: 'payment, pinless: POST /ovo/payment', key: 'pinless', note: `${pinlessNote}, notification queued`, notifies: true, job: pinless(world.payers, 'S') },
    {
      name: 'payment, pinless, half the peak rate', key: 'pinless-paced', notifies: true,
      note: 'fixed rate (open loop) at half the pinless row; compare its p99',
      job: (earlier) => ({ ...pinless(world.payers, 'R'), kind: 'paced', ratePerS: Math.max(1, earlier.get('pinless')!.reqPerSec / 2) }),
    },
    { name: 'payment, pinless, notifications off', key: 'pinless-quiet', note: `${pinlessNote}, merchant without notify_url`, job: pinless(world.quietPayers, 'Q') },
    {
      name: s.authorisation.mode === 'page' ? 'payment + PIN: POST payment, GET page, POST pin' : 'payment + PIN: POST payment, in-process authorise',
      note: s.authorisation.mode === 'page' ? 'per pair; scrypt PIN check dominates' : 'per pair; verifyPin (scrypt) + settlePayment in the gateway thread',
      job: { ...common, kind: 'pin-pairs', mode: s.authorisation.mode, pin: PIN, bodies: bodies(world.payers, 'payment', paymentFields('P', PIN_AMOUNT)) },
      verify: (ms) => verifyPinPayments(gateway, `P${tag}-`, ms),
      notifies: true,
    },
    ...s.historyCases.map((h): Operation => ({
      name: `history: ${h.transactions.toLocaleString('en-US')} tx, ${h.range.label}, page 1 × ${HISTORY_PAGE_LIMIT}`,
      key: `history ${h.transactions} ${h.range.label}`, note: `total=${h.total}`,
      job: {
        ...common, method: 'POST', path: '/ovo/history', headers: json,
        bodies: [operationBody(h.customer, 'history', historyFields(world, h.range))], expect: { status: 200, includes: [OK] },
      },
    })),
    ...(s.second === undefined ? [] : [
      {
        name: `payment, pinless, ${SPREAD_MERCHANTS} merchants`, key: 'pinless-spread', notifies: true,
        note: `${pinlessNote}; customer i pays merchant i % ${SPREAD_MERCHANTS}`, job: pinless(world.spreadPayers, 'M'),
      },
      {
        name: 'payment, pinless, two gateway processes', key: 'pinless-two', notifies: true,
        note: 'connections split between this gateway and the second (its own process)', job: { ...pinless(world.payers, 'D'), otherUrls: [s.second] },
      },
      {
        name: 'payment, pinless, second gateway alone', key: 'pinless-second', notifies: true,
        note: 'every connection to the second gateway (its RSS is read)', job: { ...pinless(world.payers, 'C'), url: s.second },
      },
    ] satisfies Operation[]),
    ceiling('end'),
  ];
}

type Measured = { op: Operation; m: Measurement; nearby?: number };

async function runOperations(kind: DatabaseKind, operations: Operation[], load: LoadThread, gateway: Gateway, failures: string[]) {
  const measured: Measured[] = [];
  const byKey = new Map<string, Measurement>();
  const backlog: DatabaseReport['notificationBacklog'] = [];
  const ceilingJob = operations[0]!.job as Job;
  for (const op of operations) {
    process.stdout.write(`[${kind}] ${op.name} … `);
    const job = typeof op.job === 'function' ? op.job(byKey) : op.job;
    // The machine's load drifts within seconds: each row is bracketed by ceiling runs (this one and the next).
    const near = op.isCeiling ? undefined : await load.run({ ...ceilingJob, durationS: NEARBY_CEILING_S });
    const warm = await load.run({ ...job, durationS: WARMUP_S });
    const m = await load.run(job);
    for (const run of [near, warm, m]) {
      if (!run) continue;
      for (const sample of run.failureSamples) failures.push(`${op.name}: ${sample}`);
      if (run.failures > run.failureSamples.length) failures.push(`${op.name}: … ${run.failures - run.failureSamples.length} more failures`);
    }
    if (op.verify) failures.push(...await op.verify([warm, m]));
    console.log(`${m.reqPerSec.toFixed(1)} req/s, p99 ${m.p99Ms.toFixed(1)} ms${near ? ` (no-op just before it: ${near.reqPerSec.toFixed(0)})` : ''}${m.failures + warm.failures > 0 ? `, ${m.failures + warm.failures} FAILED` : ''}`);
    measured.push({ op, m, ...(near && { nearby: near.reqPerSec }) });
    if (op.key) byKey.set(op.key, m);
    if (op.notifies) backlog.push({ after: op.name, ...await drainNotifications(gateway) });
  }
  return { measured, backlog };
}

function ceilingOf(measured: Measured[]): DatabaseReport['ceiling'] {
  const start = measured[0]!.m.reqPerSec;
  const end = measured[measured.length - 1]!.m.reqPerSec;
  return { start, end, mean: (start + end) / 2 };
}

/** A row sits between the ceiling run just before it and the one just before the next row (or the end ceiling). */
function ratioRows(measured: Measured[]): Row[] {
  const { mean } = ceilingOf(measured);
  return measured.map(({ op, m, nearby }, i) => {
    const next = measured[i + 1];
    const after = next ? next.nearby ?? next.m.reqPerSec : m.reqPerSec;
    const bracket = nearby === undefined ? m.reqPerSec : (nearby + after) / 2;
    return {
      operation: op.name, reqPerSec: m.reqPerSec, p50Ms: m.p50Ms, p99Ms: m.p99Ms,
      ceilingNearby: bracket, ratio: m.reqPerSec / (nearby === undefined ? mean : bracket), ratioToMeanCeiling: m.reqPerSec / mean, measurement: m,
      ...(nearby !== undefined && { ceilingBefore: nearby, ceilingAfter: after }),
      ...(op.key !== undefined && { key: op.key }),
      ...(op.note !== undefined && { note: op.note }),
    };
  });
}

/** The two history queries of the customer with the most transactions, over each range. */
async function explainAll(gateway: Gateway, world: World): Promise<HistoryPlans[]> {
  const explain: HistoryPlans[] = [];
  const most = world.history[world.history.length - 1]!;
  for (const range of historyRanges()) {
    explain.push({
      transactions: most.transactions,
      range: range.label,
      plans: await explainHistory(gateway.ctx.database, {
        merchantId: world.merchant.merchantId, walletId: most.customer.wallet.id,
        fromMs: jakartaDayStart(range.start).getTime(), toMsExclusive: jakartaDayEndExclusive(range.end).getTime(),
        offset: 0, limit: HISTORY_PAGE_LIMIT,
      }),
    });
  }
  return explain;
}

/** The signed JSON body of a phone_no-signed operation for customer `c` with its merchant. */
function operationBody(c: Customer, op: string, fields: Record<string, string>): string {
  return JSON.stringify({
    request: op, merchant_id: c.merchantId, payment_channel: '720', phone_no: c.phone, ...fields, signature: c.signature,
  });
}

interface HistoryRange { label: string; start: string; end: string }

/** Page 1 over the last 30 days, and over the whole year the history spans (Jakarta dates, today included). */
function historyRanges(): HistoryRange[] {
  const now = Date.now();
  const day = (daysAgo: number) => formatJakartaDate(new Date(now - daysAgo * DAY_MS));
  return [
    { label: '30 days', start: day(29), end: day(0) },
    { label: 'full year', start: day(365), end: day(0) },
  ];
}

function historyFields(world: World, range: HistoryRange): Record<string, string> {
  return { merchant: world.merchant.name, start_date: range.start, end_date: range.end, page: '1', limit: String(HISTORY_PAGE_LIMIT) };
}

async function postJson(url: string, path: string, body: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  try {
    return { http_status: res.status, ...JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { http_status: res.status, raw: text.slice(0, 200) };
  }
}

/**
 * Uses the hosted page when the gateway serves it and a PIN payment really completes through it; otherwise
 * the pair is measured with the page's work done in-process, and the report says so.
 */
async function probeAuthorisation(gateway: Gateway, world: World, tag: string, failures: string[]): Promise<DatabaseReport['authorisation']> {
  const c = world.payers[0]!;
  const reply = await postJson(gateway.url, '/ovo/payment', operationBody(c, 'payment', {
    bill_no: `PROBE${tag}-1`, bill_desc: 'Probe', bill_total: String(PIN_AMOUNT), bill_currency: 'IDR', cust_name: c.name,
    email: 'customer@example.com', pay_type: '0',
  }));
  if (reply.response_code !== '00' || reply.status !== 'PENDING' || typeof reply.redirectURL !== 'string') {
    failures.push(`PIN payment probe: ${JSON.stringify(reply).slice(0, 300)}`);
    return { mode: 'in-process', reason: 'creating a PIN payment failed (see failures)' };
  }
  const trxId = String(reply.trx_id);
  try {
    await authoriseOnPage(reply.redirectURL, PIN);
    const payment = await findPayment(gateway.ctx.database.db, trxId);
    if (payment?.status !== 'SUCCESS') throw new Error(`after the PIN the payment is ${payment?.status}`);
    return { mode: 'page', reason: 'POST /ovo/payment, GET /pay/:token (cookie + csrf_token), POST /pay/:token/pin (303), all over HTTP' };
  } catch (error) {
    if (error instanceof PageStatusError && error.status === 404 && error.message.startsWith('GET')) {
      await authoriseInProcess(gateway, trxId, PIN);
      return { mode: 'in-process', reason: 'GET /pay/:token answers 404 (the hosted payment page is not served yet): the pair is POST /ovo/payment over HTTP, then verifyPin (scrypt) + settlePayment called in the gateway\'s thread' };
    }
    failures.push(`hosted payment page: ${error instanceof Error ? error.message : String(error)}`);
    return { mode: 'in-process', reason: 'the hosted page is served but did not complete a payment (see failures): measured in-process instead' };
  }
}

/** What the page does after its checks, minus HTTP: the PIN hash, then the settlement. */
async function authoriseInProcess(gateway: Gateway, trxId: string, pin: string): Promise<void> {
  const { ctx } = gateway;
  const payment = await findPayment(ctx.database.db, trxId);
  if (!payment) throw new Error(`no payment ${trxId}`);
  const wallet = await findWallet(ctx.database.db, payment.walletId);
  if (!wallet || !(await verifyPin(pin, wallet.pinHash, ctx.config.pinPepper))) throw new Error(`PIN refused for ${trxId}`);
  const settled = await settlePayment(ctx, payment, 'SUCCESS');
  if (settled.status !== 'SUCCESS') throw new Error(`payment ${trxId} ended ${settled.status}`);
}

/** Every pair the load thread counted as done must be a SUCCESS payment in the database. */
async function verifyPinPayments(gateway: Gateway, billPrefix: string, measurements: Measurement[]): Promise<string[]> {
  const rows = await gateway.ctx.database.db.selectFrom('payments').select(['status', (eb) => eb.fn.countAll().as('n')])
    .where('bill_no', 'like', `${billPrefix}%`).groupBy('status').execute();
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const done = measurements.reduce((sum, m) => sum + m.ok, 0);
  const success = byStatus.SUCCESS ?? 0;
  return success < done ? [`payment + PIN: ${done} pairs answered but only ${success} payments are SUCCESS (${JSON.stringify(byStatus)})`] : [];
}

/** Waits until the dispatcher has delivered every queued notification, so the next run starts quiet. */
async function drainNotifications(gateway: Gateway): Promise<{ pending: number; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const row = await gateway.ctx.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending').executeTakeFirstOrThrow();
    const pending = Number(row.n);
    const waitedMs = Date.now() - started;
    if (pending === 0 || waitedMs > DRAIN_TIMEOUT_MS) return { pending, waitedMs };
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------------------

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    totalMemoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const before = machine();
  console.log(`OVO Tokenize gateway benchmark — ${before.cpus} × ${before.cpuModel}, Node ${before.node}, load ${before.loadAverage.join(' ')}`);
  const only = process.env.OVO_BENCH_ONLY;
  if (only === 'startup') {
    const startup = await benchStartup(STARTUP_RUNS);
    printStartupReport(startup);
    return 0;
  }
  console.log(`${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per measurement, each after a ${NEARBY_CEILING_S} s run of the ceiling (POST ${NO_OP_PATH}); load generated on a worker thread of this process`);
  console.log('rate limits disabled (api and page-post limits 0, no per-IP connection cap): this measures the gateway, not the limiter');
  process.stdout.write(`start-up: ovo-tokenize serve to /health 200, ${STARTUP_RUNS} runs … `);
  const startup: StartupReport = await benchStartup(STARTUP_RUNS);
  console.log(`median ${startup.medianMs.toFixed(0)} ms`);
  const kinds = (['sqlite', 'postgres'] as const).filter((k) => !only || only === k);

  const load = new LoadThread();
  const reports: DatabaseReport[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\ninterrupted: cleaning up…');
    void Promise.allSettled(cleanups.map((c) => c())).then(() => embedded?.stop()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const kind of kinds) {
      const target = kind === 'sqlite' ? await sqliteDatabase() : await postgresDatabase();
      cleanups.push(target.drop);
      try {
        reports.push(await benchDatabase(target, load));
      } finally {
        await target.drop();
        cleanups.pop();
      }
    }
  } finally {
    await load.terminate();
    await embedded?.stop();
  }

  printStartupReport(startup);
  for (const report of reports) printDatabaseReport(report);
  const targets = targetsOf(reports);
  printTargets(targets);
  const failures = reports.reduce((n, r) => n + r.failures.length, 0);
  const results = {
    timestamp: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...before, loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))) },
    settings: {
      connections: CONNECTIONS, warmupS: WARMUP_S, durationS: DURATION_S, historySizes: HISTORY_SIZES, historyPageLimit: HISTORY_PAGE_LIMIT,
      otherPaymentsInTable: CONNECTIONS * CROWD_PER_PAYER, nearbyCeilingS: NEARBY_CEILING_S, ceiling: `POST ${NO_OP_PATH}`,
      spreadMerchants: SPREAD_MERCHANTS,
    },
    startup,
    databases: reports,
    targets,
    ok: failures === 0,
  };
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_PATH}; ${failures === 0 ? 'every request answered as expected' : `${failures} FAILURE(S)`} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s)`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
