// Proves on SQLite and PostgreSQL that a batch of payments sent all at once, in shuffled order, mixing good orders, one the wallet cannot afford, one bill_no sent twice at once with different content, and a replay of an order already paid, gives each request its own correct answer (00 with its own trx_id; 01; 00 for one of the twins and 14 naming its trx_id for the other; 00 with the original trx_id) and that only the good orders move money, each exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WireFormat } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import type { PayType } from '../src/domain/payment.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, type Reply } from './support/gateway.ts';
import { seededRandom } from './support/seeded-random.ts';
import {
  countPayments, countTransfers, fundedWallet, linkThroughStore, merchantMoney, reloadPayment, startNotificationReceiver,
  startPaymentsGateway, walletMoney, type PaymentsGateway,
} from './support/payments.ts';

const ROUNDS = 4;
const GOOD_PER_ROUND = 10;
// Points are ample, so a pay_type 2 order is paid in points alone and every order's split is known in advance.
const RICH = { phone: '081372000001', cash: 10_000_000n, points: 10_000_000n };
const POOR = { phone: '081372000002', cash: 5_000n, points: 0n };
const SHOP = { merchantId: '72001', name: 'Batch Shop', userId: 'bot72001', password: 'batch-pw', pinlessLimit: 100_000n };


function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Order {
  readonly billNo: string;
  readonly phone: string;
  readonly amount: bigint;
  readonly payType: PayType;
  readonly desc: string;
  readonly format: WireFormat;
}

/** What each request of the batch is, and so what it must be answered. */
type Sent =
  | { role: 'good'; order: Order; reply?: Reply }
  | { role: 'unaffordable'; order: Order; reply?: Reply }
  | { role: 'twin'; order: Order; reply?: Reply }
  | { role: 'replay'; order: Order; original: Reply; reply?: Reply };

function pay(gw: PaymentsGateway, merchant: Merchant, o: Order): Promise<Reply> {
  return callOperation(gw.url, 'payment', {
    merchant_id: merchant.merchantId, bill_no: o.billNo, bill_desc: o.desc, bill_total: String(o.amount), bill_currency: 'IDR',
    payment_channel: '720', phone_no: o.phone, cust_name: 'Batch Customer', email: 'batch@example.com', pay_type: o.payType,
  }, o.format, merchant);
}

function randomOrder(random: () => number, billNo: string, phone: string, amount: bigint): Order {
  return {
    billNo, phone, amount, payType: (['0', '1', '2'] as const)[Math.floor(random() * 3)]!, desc: `Order ${billNo}`,
    format: random() < 0.5 ? 'json' : 'xml',
  };
}

function batchOf(round: number, random: () => number, paid: Array<{ order: Order; reply: Reply }>): Sent[] {
  const good: Sent[] = Array.from({ length: GOOD_PER_ROUND }, (_, i) => ({
    role: 'good', order: randomOrder(random, `B${round}-${i}`, RICH.phone, BigInt(1_000 + Math.floor(random() * 89_000))),
  }));
  // More than the poor wallet's cash and points together, whatever the pay_type.
  const unaffordable: Sent = { role: 'unaffordable', order: randomOrder(random, `B${round}-poor`, POOR.phone, 50_000n + BigInt(round)) };
  const twinBase = randomOrder(random, `B${round}-twin`, RICH.phone, 20_000n);
  const twins: Sent[] = [
    { role: 'twin', order: { ...twinBase, desc: 'Twin A', amount: 20_000n + BigInt(round) } },
    { role: 'twin', order: { ...twinBase, desc: 'Twin B', amount: 30_000n + BigInt(round), format: twinBase.format === 'json' ? 'xml' : 'json' } },
  ];
  const earlier = paid[Math.floor(random() * paid.length)]!;
  const replay: Sent = { role: 'replay', order: earlier.order, original: earlier.reply };
  return shuffled([...good, unaffordable, ...twins, replay], random);
}

/** The money the good orders (and the twin that won) move: cash for pay_type 0, points otherwise. */
function moved(orders: readonly Order[]): { cash: bigint; points: bigint } {
  let cash = 0n;
  let points = 0n;
  for (const o of orders) {
    if (o.payType === '0') cash += o.amount;
    else points += o.amount;
  }
  return { cash, points };
}

function assertPaid(reply: Reply, o: Order, why: string): string {
  const body = reply.body;
  assert.equal(reply.status, 200, `${why}: ${reply.raw}`);
  assert.deepEqual({ code: body.response_code, status: body.status, billNo: body.bill_no, amount: body.amount },
    { code: '00', status: 'SUCCESS', billNo: o.billNo, amount: String(o.amount) }, `${why}: ${reply.raw}`);
  assert.match(body.trx_id, /^[1-9][0-9]{15}$/, `${why}: ${reply.raw}`);
  return body.trx_id as string;
}

/** Checks every reply of the batch by its role; returns the orders that were paid and their trx_ids. */
function assertAnswers(batch: Sent[], where: string): Array<{ order: Order; reply: Reply }> {
  const paid: Array<{ order: Order; reply: Reply }> = [];
  for (const s of batch.filter((x) => x.role === 'good')) {
    assertPaid(s.reply!, s.order, `${where}: good order ${s.order.billNo}`);
    paid.push({ order: s.order, reply: s.reply! });
  }
  for (const s of batch.filter((x) => x.role === 'unaffordable')) {
    const body = s.reply!.body;
    assert.deepEqual({ code: body.response_code, trxId: body.trx_id, status: body.status }, { code: '01', trxId: '', status: '' }, `${where}: ${s.reply!.raw}`);
    assert.match(body.response_desc, /^Failed: Insufficient balance/, `${where}: ${s.reply!.raw}`);
  }
  const twins = batch.filter((x) => x.role === 'twin');
  const winner = twins.find((t) => t.reply!.body.response_code === '00');
  const loser = twins.find((t) => t !== winner);
  const codes = twins.map((t) => t.reply!.raw);
  assert.ok(winner && loser, `${where}: one twin must win 00: ${codes.join(' | ')}`);
  const winnerTrx = assertPaid(winner.reply!, winner.order, `${where}: the winning twin`);
  assert.deepEqual({ code: loser.reply!.body.response_code, trxId: loser.reply!.body.trx_id, billNo: loser.reply!.body.bill_no },
    { code: '14', trxId: winnerTrx, billNo: loser.order.billNo }, `${where}: the other twin is a different order under a used bill_no: ${codes.join(' | ')}`);
  assert.match(loser.reply!.body.response_desc, /^Invalid Order/, loser.reply!.raw);
  paid.push({ order: winner.order, reply: winner.reply! });
  for (const s of batch) {
    if (s.role !== 'replay') continue;
    assert.deepEqual(s.reply!.body, s.original.body, `${where}: the replay of ${s.order.billNo} answers as the order was first answered`);
  }
  const trxIds = paid.map((p) => p.reply.body.trx_id as string);
  assert.equal(new Set(trxIds).size, trxIds.length, `${where}: every paid order has its own trx_id`);
  return paid;
}

interface Money {
  rich: Awaited<ReturnType<typeof walletMoney>>;
  poor: Awaited<ReturnType<typeof walletMoney>>;
  shop: Awaited<ReturnType<typeof merchantMoney>>;
  payments: number;
  transfers: number;
}

async function money(gw: PaymentsGateway, rich: Wallet, poor: Wallet): Promise<Money> {
  return {
    rich: await walletMoney(gw.database, rich), poor: await walletMoney(gw.database, poor), shop: await merchantMoney(gw.database, gw.merchants[0]!),
    payments: await countPayments(gw.database), transfers: await countTransfers(gw.database),
  };
}

/** Exactly the paid orders moved money, each once, from the rich wallet to the shop; nothing is held. */
function assertMoved(before: Money, after: Money, paid: readonly Order[], where: string): void {
  const m = moved(paid);
  assert.deepEqual(after.rich, {
    cashAvailable: before.rich.cashAvailable - m.cash, cashHeld: 0n, cashPosted: before.rich.cashPosted - m.cash,
    pointsAvailable: before.rich.pointsAvailable - m.points, pointsHeld: 0n, pointsPosted: before.rich.pointsPosted - m.points,
  }, `${where}: the paying wallet`);
  assert.deepEqual(after.poor, before.poor, `${where}: the wallet that could not afford its order`);
  assert.deepEqual(after.shop, {
    cashSettled: before.shop.cashSettled + m.cash, pointsSettled: before.shop.pointsSettled + m.points, cashIncoming: 0n, pointsIncoming: 0n,
  }, `${where}: the shop's settlement`);
  // Each paid order is one posted transfer (points are ample, so no pay_type 2 order splits).
  assert.deepEqual({ payments: after.payments, transfers: after.transfers },
    { payments: before.payments + paid.length, transfers: before.transfers + paid.length }, `${where}: payments and transfers`);
}

/** Each paid order is stored as answered: its trx_id, its content, its split. */
async function assertStored(gw: PaymentsGateway, paid: Array<{ order: Order; reply: Reply }>, where: string): Promise<void> {
  for (const { order, reply } of paid) {
    const p = await reloadPayment(gw.database, reply.body.trx_id);
    assert.deepEqual({ billNo: p.billNo, desc: p.billDesc, amount: p.amount, status: p.status, cash: p.cashAmount, points: p.pointsAmount },
      { billNo: order.billNo, desc: order.desc, amount: order.amount, status: 'SUCCESS', cash: order.payType === '0' ? order.amount : 0n, points: order.payType === '0' ? 0n : order.amount },
      `${where}: ${order.billNo}`);
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a shuffled batch of good, unaffordable, twin and replayed payments answers each one rightly and moves only the good ones' money`, async () => {
    const seed = Number(process.env.OVO_TEST_SEED ?? 20_241_112) + (kind === 'postgres' ? 1 : 0);
    const random = seededRandom(seed);
    const receiver = await startNotificationReceiver();
    const gw = await startPaymentsGateway(kind, { merchants: [{ ...SHOP, notifyUrl: receiver.url }] });
    const [shop] = gw.merchants as [Merchant];
    const rich = await fundedWallet(gw.database, RICH);
    const poor = await fundedWallet(gw.database, POOR);
    for (const w of [rich, poor]) await linkThroughStore(gw.ctx, shop.merchantId, w);

    const first = randomOrder(random, 'B0-first', RICH.phone, 12_345n);
    const firstReply = await pay(gw, shop, first);
    assertPaid(firstReply, first, 'the order paid before the batches');
    const paidSoFar = [{ order: first, reply: firstReply }];

    for (let round = 1; round <= ROUNDS; round++) {
      const where = `${kind} round ${round} (seed ${seed})`;
      const before = await money(gw, rich, poor);
      const batch = batchOf(round, random, paidSoFar);
      await Promise.all(batch.map(async (s) => { s.reply = await pay(gw, shop, s.order); }));
      const paid = assertAnswers(batch, where);
      assertMoved(before, await money(gw, rich, poor), paid.map((p) => p.order), where);
      await assertStored(gw, paid, where);
      paidSoFar.push(...paid);
    }

    // One notification per paid order, none for the refused or conflicting requests.
    for (const { reply } of paidSoFar) await receiver.waitFor(reply.body.trx_id, '2');
    const notified = new Set(receiver.received.map((n) => n.fields.bill_no));
    assert.deepEqual([...notified].sort(), paidSoFar.map((p) => p.order.billNo).sort());
    const outbox = await gw.database.db.selectFrom('outbox').select('id').where('kind', '=', 'payment_notification').execute();
    assert.equal(outbox.length, paidSoFar.length, 'one notification row per paid order');
  });
}
