// Proves on SQLite and PostgreSQL that a gateway process killed with SIGKILL in the middle of a burst of concurrent payments, round after round, loses nothing it acknowledged and leaves nothing half-done: every payment answered 00 is there after the restart with its ledger moves and its notification, every payment row has its money moves and its notification row (and every money move its row), a merchant retrying an unanswered payment gets that same payment, `ovo-tokenize ledger check` passes, and the money still adds up to the opening balances.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../src/config.ts';
import type { Merchant } from '../src/domain/merchant.ts';
import type { Payment, PayType } from '../src/domain/payment.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { openDatabase, type Database, type DatabaseKind } from '../src/store/database.ts';
import { createLink } from '../src/store/links.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { toPayment } from '../src/store/payments.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from './support/databases.ts';
import { callOperation, health, parseReply, provisionMerchant, type Reply } from './support/gateway.ts';
import {
  fundedWallet, merchantMoney, settlementOwners, startNotificationReceiver, walletMoney, type NotificationReceiver,
} from './support/payments.ts';
import { seededRandom } from './support/seeded-random.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'packages/gateway/bin/ovo-tokenize.js';
const ROUNDS = Number(process.env.OVO_KILL_ROUNDS ?? 3);
const BURST = 60;
/** The kill comes after this many replies of the burst, at random in between. */
const KILL_AFTER = { min: 5, max: 30 } as const;
const PINLESS_LIMIT = 25_000n;
/**
 * A killed dispatcher's leased notification rows wait out their lease (attempt timeout 10 s + 5 s margin, not
 * settable from the environment) before the next process sends them, hence a deadline well beyond 15 s.
 */
const NOTIFIED_WITHIN_MS = 25_000;
// The first wallet's few points run out during the rounds: its pay_type 2 payments then split points and
// cash, and its pay_type 1 payments are refused with 01 — both under the kill too.
const WALLETS = [
  { phone: '081371000001', cash: 3_000_000n, points: 40_500n },
  { phone: '081371000002', cash: 3_000_000n, points: 2_000_000n },
  { phone: '081371000003', cash: 3_000_000n, points: 2_000_000n },
  { phone: '081371000004', cash: 3_000_000n, points: 2_000_000n },
] as const;


function shops(notifyUrl: string): MerchantInput[] {
  return (['json', 'xml'] as const).map((format, i) => ({
    merchantId: String(71001 + i), name: `Kill Shop ${i + 1}`, userId: `bot${71001 + i}`, password: `kill-pw-${i}`,
    notifyUrl, notifyFormat: format, pinlessLimit: PINLESS_LIMIT,
  }));
}

interface World {
  readonly kind: DatabaseKind;
  readonly url: string;
  readonly merchants: Merchant[];
  /** The merchants' settlement shards by account, named `<merchant_id> cash|points` (support/payments.ts). */
  readonly settlementOwners: ReadonlyMap<bigint, string>;
  readonly wallets: Wallet[];
  readonly receiver: NotificationReceiver;
}

/** A fresh database with the merchants and linked, funded wallets, written through the store before any gateway runs. */
async function provision(kind: DatabaseKind): Promise<World> {
  const receiver = await startNotificationReceiver();
  const { url, drop } = await createTestDatabaseUrl(kind);
  after(drop);
  const database = openDatabase(url, { poolSize: 2 });
  try {
    await migrateToLatest(database);
    const merchants: Merchant[] = [];
    for (const input of shops(receiver.url)) merchants.push(await provisionMerchant(database, input));
    const wallets: Wallet[] = [];
    for (const w of WALLETS) wallets.push(await fundedWallet(database, { ...w, name: 'Kill Customer' }));
    for (const m of merchants) for (const w of wallets) await link(database, m, w);
    return { kind, url, merchants, settlementOwners: await settlementOwners(database, merchants), wallets, receiver };
  } finally {
    await database.close();
  }
}

async function link(database: Database, merchant: Merchant, wallet: Wallet): Promise<void> {
  await inTransaction(database, (tx) => createLink(tx, {
    merchantId: merchant.merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: Date.now(), ttlS: DEFAULT_CONFIG.link_ttl_s,
  }));
}

// ---------------------------------------------------------------------------------------------------------
// The gateway as a separate process.

interface Served {
  readonly url: string;
  /** SIGKILL: no shutdown hook, no drain, no last flush. */
  kill(): void;
  readonly exited: Promise<unknown>;
}

/** The environment of the test runner without its OVO_* settings, plus the gateway's. */
function gatewayEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OVO_')) env[k] = v;
  return {
    ...env, OVO_DB: databaseUrl, OVO_HOST: '127.0.0.1', OVO_PORT: '0', OVO_SANDBOX: '1', OVO_LOG_LEVEL: 'warn',
    // The burst is one merchant's server calling at once from one address: no rate limit, no per-IP cap.
    OVO_API_RATE_PER_S: '0', OVO_API_BURST: '0', OVO_CONNECTIONS_PER_IP_MAX: '0',
  };
}

/** Runs `ovo-tokenize serve` until it prints its address and answers /health. */
async function serve(databaseUrl: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: gatewayEnv(databaseUrl) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d; });
  child.stderr.on('data', (d: Buffer) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  after(() => { child.kill('SIGKILL'); });
  const url = await listeningUrl(child, () => output);
  await healthy(url);
  return { url, kill: () => child.kill('SIGKILL'), exited };
}

function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('serve did not start within 20 s')), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}:\n${output()}`));
    };
    child.stdout!.on('data', () => {
      const match = /OVO Tokenize gateway listening on (\S+)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    child.on('exit', (code, signal) => fail(new Error(`serve exited (${code ?? signal}) before listening`)));
  });
}

async function healthy(url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await health(url);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The burst.

interface Order {
  readonly merchant: Merchant;
  readonly wallet: Wallet;
  readonly billNo: string;
  readonly amount: bigint;
  readonly payType: PayType;
  /** The reply, when one arrived in full; a reply is the gateway's word, whenever the test got to read it. */
  reply?: Reply;
}

function orders(world: World, round: number, random: () => number): Order[] {
  return Array.from({ length: BURST }, (_, i) => {
    // One in eight is above the pinless limit: created PENDING with its funds held, authorised later (never here).
    const held = random() < 0.125;
    const amount = held ? BigInt(30_000 + Math.floor(random() * 30) * 1_000) : BigInt(1_000 + Math.floor(random() * 24_000));
    return {
      merchant: world.merchants[i % world.merchants.length]!, wallet: world.wallets[Math.floor(random() * world.wallets.length)]!,
      billNo: `K${round}-${i}`, amount, payType: (['0', '1', '2'] as const)[Math.floor(random() * 3)]!,
    };
  });
}

function pay(url: string, o: Order): Promise<Reply> {
  return callOperation(url, 'payment', {
    merchant_id: o.merchant.merchantId, bill_no: o.billNo, bill_desc: `Kill order ${o.billNo}`, bill_total: String(o.amount),
    bill_currency: 'IDR', payment_channel: '720', phone_no: o.wallet.phone, cust_name: 'Kill Customer', email: 'kill@example.com',
    pay_type: o.payType,
  }, o.merchant.notifyFormat, o.merchant);
}

/** Fires every order at once and kills the gateway when `killAfter` replies have arrived. */
async function burstAndKill(served: Served, batch: Order[], killAfter: number): Promise<void> {
  let replies = 0;
  await Promise.all(batch.map(async (o) => {
    try {
      o.reply = await pay(served.url, o);
    } catch {
      return; // cut off by the kill, or sent after it: no answer
    }
    if (++replies === killAfter) served.kill();
  }));
  served.kill();
  await served.exited;
}

// ---------------------------------------------------------------------------------------------------------
// What must hold after a restart.

const key = (merchantId: string, billNo: string) => `${merchantId}/${billNo}`;

interface Snapshot {
  payments: Map<string, Payment>;
  transfers: Array<{ id: bigint; kind: string; amount: bigint; pendingId: bigint | null; debit: bigint; credit: bigint; reference: string }>;
  /** merchant/bill_no → payment_status_code of each payment notification row. */
  notificationRows: Map<string, string[]>;
}

async function snapshot(url: string): Promise<Snapshot> {
  const database = openDatabase(url, { poolSize: 1 });
  try {
    const rows = (await database.db.selectFrom('payments').selectAll().execute()).map(toPayment);
    const transfers = (await database.db.selectFrom('transfers').selectAll().orderBy('id').execute()).map((t) => ({
      id: BigInt(t.id), kind: t.kind, amount: BigInt(t.amount), pendingId: t.pending_id === null ? null : BigInt(t.pending_id),
      debit: BigInt(t.debit_account_id), credit: BigInt(t.credit_account_id), reference: t.reference ?? '',
    }));
    const notificationRows = new Map<string, string[]>();
    const outbox = await database.db.selectFrom('outbox').select(['content_type', 'body']).where('kind', '=', 'payment_notification').execute();
    for (const row of outbox) {
      const fields = parseReply(row.content_type ?? '', row.body ?? '');
      const k = key(String(fields.merchant_id), String(fields.bill_no));
      notificationRows.set(k, [...(notificationRows.get(k) ?? []), String(fields.payment_status_code)]);
    }
    return { payments: new Map(rows.map((p) => [key(p.merchantId, p.billNo), p])), transfers, notificationRows };
  } finally {
    await database.close();
  }
}

/** Every order answered 00 is there as it was answered. */
function assertAcknowledgedKept(snap: Snapshot, batch: Order[], where: string): void {
  for (const o of batch) {
    const body = o.reply?.body;
    if (body?.response_code !== '00') continue;
    const p = snap.payments.get(key(o.merchant.merchantId, o.billNo));
    assert.ok(p, `${where}: ${o.billNo} was answered 00 (trx_id ${body.trx_id}) but is not in the database after the kill`);
    assert.deepEqual({ trxId: p.trxId, status: p.status, amount: p.amount, payType: p.payType },
      { trxId: body.trx_id, status: body.status, amount: o.amount, payType: o.payType }, `${where}: ${o.billNo} as answered`);
  }
}

/**
 * Each payment row is whole: SUCCESS with posted transfers for its split (and one notification row), or
 * PENDING with open holds (and no notification row). Every payment transfer and notification row has its payment.
 */
function assertEveryPaymentWhole(world: World, snap: Snapshot, where: string): void {
  const byReference = new Map<string, Snapshot['transfers']>();
  for (const t of snap.transfers) byReference.set(t.reference, [...(byReference.get(t.reference) ?? []), t]);
  const resolved = new Set(snap.transfers.flatMap((t) => (t.pendingId === null ? [] : [t.pendingId])));
  for (const p of snap.payments.values()) {
    const what = `${where}: payment ${p.billNo} (${p.trxId}, ${p.status})`;
    const wallet = world.wallets.find((w) => w.id === p.walletId)!;
    const merchant = world.merchants.find((m) => m.merchantId === p.merchantId)!;
    assert.ok(p.status === 'SUCCESS' || p.status === 'PENDING', what);
    assert.equal(p.cashAmount + p.pointsAmount, p.amount, `${what}: its split adds up`);
    if (p.payType === '0') assert.equal(p.pointsAmount, 0n, what);
    if (p.payType === '1') assert.equal(p.cashAmount, 0n, what);
    const kind = p.status === 'SUCCESS' ? 'posted' : 'pending';
    const expected = [
      ...(p.cashAmount > 0n ? [{ id: p.cashTransferId, kind, amount: p.cashAmount, debit: wallet.cashAccountId, credit: `${merchant.merchantId} cash` }] : []),
      ...(p.pointsAmount > 0n ? [{ id: p.pointsTransferId, kind, amount: p.pointsAmount, debit: wallet.pointsAccountId, credit: `${merchant.merchantId} points` }] : []),
    ];
    const moves = (byReference.get(`payment:${p.trxId}`) ?? []).map((t) => ({
      id: t.id, kind: t.kind, amount: t.amount, debit: t.debit, credit: world.settlementOwners.get(t.credit) ?? `account ${t.credit}`,
    }));
    assert.deepEqual(moves, expected, `${what}: its money moves`);
    for (const m of moves) assert.equal(resolved.has(m.id), false, `${what}: transfer ${m.id} is not yet resolved`);
    const notices = snap.notificationRows.get(key(p.merchantId, p.billNo)) ?? [];
    assert.deepEqual(notices, p.status === 'SUCCESS' ? ['2'] : [], `${what}: its notification rows`);
  }
  const trxIds = new Set([...snap.payments.values()].map((p) => p.trxId));
  for (const t of snap.transfers) {
    if (t.reference.startsWith('payment:')) assert.ok(trxIds.has(t.reference.slice('payment:'.length)), `${where}: transfer ${t.id} (${t.reference}) has no payment`);
  }
  for (const k of snap.notificationRows.keys()) assert.ok(snap.payments.has(k), `${where}: a notification row for ${k}, which has no payment`);
}

/** Wallets plus merchant settlement hold exactly the opening money; the merchants hold exactly what was paid. */
async function assertMoneyAddsUp(world: World, snap: Snapshot, where: string): Promise<void> {
  const database = openDatabase(world.url, { poolSize: 1 });
  try {
    let cash = 0n;
    let points = 0n;
    let cashHeld = 0n;
    let pointsHeld = 0n;
    for (const w of world.wallets) {
      const money = await walletMoney(database, w);
      cash += money.cashPosted;
      points += money.pointsPosted;
      cashHeld += money.cashHeld;
      pointsHeld += money.pointsHeld;
    }
    let cashSettled = 0n;
    let pointsSettled = 0n;
    for (const m of world.merchants) {
      const money = await merchantMoney(database, m);
      cashSettled += money.cashSettled;
      pointsSettled += money.pointsSettled;
    }
    const paid = [...snap.payments.values()].filter((p) => p.status === 'SUCCESS');
    const pending = [...snap.payments.values()].filter((p) => p.status === 'PENDING');
    const sum = (ps: Payment[], part: 'cashAmount' | 'pointsAmount') => ps.reduce((s, p) => s + p[part], 0n);
    assert.deepEqual({ cash: cash + cashSettled, points: points + pointsSettled }, {
      cash: WALLETS.reduce((s, w) => s + w.cash, 0n), points: WALLETS.reduce((s, w) => s + w.points, 0n),
    }, `${where}: wallets + merchant settlement = the opening balances`);
    assert.deepEqual({ cashSettled, pointsSettled, cashHeld, pointsHeld }, {
      cashSettled: sum(paid, 'cashAmount'), pointsSettled: sum(paid, 'pointsAmount'), cashHeld: sum(pending, 'cashAmount'), pointsHeld: sum(pending, 'pointsAmount'),
    }, `${where}: settled = the paid payments, held = the pending ones`);
  } finally {
    await database.close();
  }
}

async function assertLedgerCheckPasses(url: string, where: string): Promise<void> {
  const run = await runCommand(['ledger', 'check', '--db', url]);
  assert.equal(run.code, 0, `${where}: ovo-tokenize ledger check:\n${run.stdout}${run.stderr}`);
}

async function assertIntact(world: World, batch: Order[], where: string): Promise<Snapshot> {
  const snap = await snapshot(world.url);
  assertAcknowledgedKept(snap, batch, where);
  assertEveryPaymentWhole(world, snap, where);
  await assertMoneyAddsUp(world, snap, where);
  await assertLedgerCheckPasses(world.url, where);
  return snap;
}

/** A merchant retries each order left without an answer, as it would: the same bill_no and content. */
async function retryUnanswered(served: Served, batch: Order[], before: Snapshot, where: string): Promise<void> {
  const unanswered = batch.filter((o) => o.reply === undefined);
  await Promise.all(unanswered.map(async (o) => {
    o.reply = await pay(served.url, o);
    const body = o.reply.body;
    const existing = before.payments.get(key(o.merchant.merchantId, o.billNo));
    const what = `${where}: retry of ${o.billNo} (${existing ? `there as ${existing.trxId}` : 'not there'}) answered ${o.reply.raw}`;
    if (existing) assert.deepEqual({ code: body.response_code, trxId: body.trx_id }, { code: '00', trxId: existing.trxId }, what);
    else assert.ok(body.response_code === '00' || body.response_code === '01', what);
  }));
}

function assertAnsweredCleanly(batch: Order[], where: string): void {
  for (const o of batch) {
    const code = o.reply?.body.response_code;
    if (code === undefined) continue;
    assert.ok(code === '00' || code === '01', `${where}: ${o.billNo} answered ${o.reply!.raw}`);
    if (code === '01') assert.match(o.reply!.body.response_desc, /^Failed: Insufficient balance/, `${where}: ${o.reply!.raw}`);
  }
}

/** Every paid order's notification reached the merchant, and none about an order that was not paid. */
async function assertNotified(world: World, snap: Snapshot): Promise<void> {
  const paid = [...snap.payments.values()].filter((p) => p.status === 'SUCCESS').map((p) => key(p.merchantId, p.billNo));
  const notified = () => new Set(world.receiver.received.filter((n) => n.fields.payment_status_code === '2').map((n) => key(n.fields.merchant_id!, n.fields.bill_no!)));
  await world.receiver.waitUntil(() => paid.every((k) => notified().has(k)), `a notification for each of the ${paid.length} paid orders`, NOTIFIED_WITHIN_MS)
    .catch((error: Error) => assert.fail(`${error.message}; missing: ${paid.filter((k) => !notified().has(k)).slice(0, 10).join(', ')}`));
  for (const n of world.receiver.received) {
    const p = snap.payments.get(key(n.fields.merchant_id!, n.fields.bill_no!));
    assert.equal(p?.status, 'SUCCESS', `notification ${n.raw} is about an order that was not paid`);
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a gateway killed mid-burst, ${ROUNDS} times, keeps every payment it answered, leaves none half-done and loses no notification`, async () => {
    const seed = Number(process.env.OVO_TEST_SEED ?? 20_241_111) + (kind === 'postgres' ? 1 : 0);
    const random = seededRandom(seed);
    const world = await provision(kind);
    const batches: Order[][] = [];
    let served = await serve(world.url);
    let cutOff = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const batch = orders(world, round, random);
      batches.push(batch);
      const killAfter = KILL_AFTER.min + Math.floor(random() * (KILL_AFTER.max - KILL_AFTER.min + 1));
      await burstAndKill(served, batch, killAfter);
      const where = `${kind} round ${round} (seed ${seed}, killed after ${killAfter} replies)`;
      assertAnsweredCleanly(batch, where);
      cutOff += batch.filter((o) => o.reply === undefined).length;

      // Starting the gateway changes no payment, so the database is checked while the next process starts.
      const [next, before] = await Promise.all([serve(world.url), assertIntact(world, batch, where)]);
      served = next;
      await retryUnanswered(served, batch, before, where);
      assertAnsweredCleanly(batch, `${where}, retried`);
    }
    assert.ok(cutOff > 0, 'some requests were cut off by the kills (else no kill landed mid-burst)');
    const final = await assertIntact(world, batches.flat(), `${kind} after every round (seed ${seed})`);
    await assertNotified(world, final);
    served.kill();
    await served.exited;
  });
}
