// Proves the wallet ledger moves, holds, posts and voids money exactly, never overdraws a wallet even under 200 concurrent transactions, conserves money, and resolves a hold at most once, on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DomainError, type DomainErrorReason } from '../src/domain/errors.ts';
import { TRANSFER_AMOUNT_MAX } from '../src/domain/ledger-rules.ts';
import {
  createAccount,
  fundingAccount,
  getBalances,
  hold,
  listTransfers,
  postHold,
  transfer,
  voidHold,
  type AccountBalance,
} from '../src/store/ledger.ts';
import { inTransaction, type Tx } from '../src/store/transaction.ts';
import type { Database } from '../src/store/database.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { seededRandom } from './support/seeded-random.ts';

const NOW = 1_750_000_000_000;

interface Totals { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }

async function balance(database: Database, id: bigint): Promise<AccountBalance> {
  const found = (await getBalances(database.db, [id])).get(id);
  assert.ok(found, `account ${id} exists`);
  return found;
}

async function rawTotals(database: Database): Promise<Map<bigint, Totals & { overdraft: bigint }>> {
  const rows = await database.db.selectFrom('accounts').selectAll().execute();
  return new Map(rows.map((r) => [r.id, { dp: r.debits_pending, dpo: r.debits_posted, cp: r.credits_pending, cpo: r.credits_posted, overdraft: r.overdraft_allowed }]));
}

async function transferCount(database: Database): Promise<number> {
  const row = await database.db.selectFrom('transfers').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function isReason(reason: DomainErrorReason) {
  return (error: unknown) => error instanceof DomainError && error.reason === reason;
}

function isPlainError(error: unknown): boolean {
  return error instanceof Error && !(error instanceof DomainError);
}

/** Runs `work` and, if it throws a DomainError, commits anyway: the way a caller that recovers would. */
async function committingDespite<T>(database: Database, work: (tx: Tx) => Promise<T>): Promise<T | DomainError> {
  return inTransaction(database, async (tx) => {
    try {
      return await work(tx);
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  });
}

async function fundedWallet(database: Database, amount: bigint): Promise<bigint> {
  return inTransaction(database, async (tx) => {
    const funding = await fundingAccount(tx, 'funding_cash', NOW);
    const wallet = await createAccount(tx, 'wallet_cash', NOW);
    if (amount > 0n) await transfer(tx, { debitAccountId: funding, creditAccountId: wallet, amount, now: NOW });
    return wallet;
  });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a transfer moves money on both sides; an unaffordable one throws insufficient_funds and changes nothing`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const lower = await fundedWallet(database, 0n); // created first, so its id is lower than the payer's
      const wallet = await fundedWallet(database, 1000n);
      const merchant = await inTransaction(database, (tx) => createAccount(tx, 'merchant_settlement', NOW));
      const funding = await inTransaction(database, (tx) => fundingAccount(tx, 'funding_cash', NOW));

      assert.deepEqual(await balance(database, wallet), { id: wallet, kind: 'wallet_cash', available: 1000n, held: 0n, incomingHeld: 0n, posted: 1000n });
      assert.equal((await balance(database, funding)).posted, -1000n);

      await inTransaction(database, (tx) => transfer(tx, { debitAccountId: wallet, creditAccountId: merchant, amount: 400n, reference: 'order-1', now: NOW }));
      assert.equal((await balance(database, wallet)).available, 600n);
      assert.deepEqual(await balance(database, merchant), { id: merchant, kind: 'merchant_settlement', available: 400n, held: 0n, incomingHeld: 0n, posted: 400n });

      const before = await rawTotals(database);
      const transfersBefore = await transferCount(database);
      // Rolled back by the caller, and committed by a caller that catches the error; debit id above and
      // below the credit id (the second path updates the credit account first and must undo it).
      await assert.rejects(inTransaction(database, (tx) => transfer(tx, { debitAccountId: wallet, creditAccountId: merchant, amount: 601n, now: NOW })), isReason('insufficient_funds'));
      for (const credit of [merchant, lower]) {
        for (const move of [transfer, hold]) {
          const result = await committingDespite(database, (tx) => move(tx, { debitAccountId: wallet, creditAccountId: credit, amount: 601n, now: NOW }));
          assert.ok(isReason('insufficient_funds')(result));
        }
      }
      assert.deepEqual(await rawTotals(database), before);
      assert.equal(await transferCount(database), transfersBefore);

      // Exactly the available balance is affordable; one more unit is not.
      await inTransaction(database, (tx) => transfer(tx, { debitAccountId: wallet, creditAccountId: lower, amount: 600n, now: NOW }));
      assert.equal((await balance(database, wallet)).available, 0n);
      assert.equal((await balance(database, lower)).available, 600n);
      await assert.rejects(inTransaction(database, (tx) => transfer(tx, { debitAccountId: wallet, creditAccountId: lower, amount: 1n, now: NOW })), isReason('insufficient_funds'));
    } finally {
      await database.close();
    }
  });

  test(`${kind}: a hold reserves funds, post delivers them, void releases them, and a hold resolves at most once`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const wallet = await fundedWallet(database, 1000n);
      const merchant = await inTransaction(database, (tx) => createAccount(tx, 'merchant_settlement', NOW));
      const move = { debitAccountId: wallet, creditAccountId: merchant, reference: 'pay-1', now: NOW };

      const first = await inTransaction(database, (tx) => hold(tx, { ...move, amount: 300n }));
      assert.deepEqual(await balance(database, wallet), { id: wallet, kind: 'wallet_cash', available: 700n, held: 300n, incomingHeld: 0n, posted: 1000n });
      assert.deepEqual(await balance(database, merchant), { id: merchant, kind: 'merchant_settlement', available: 0n, held: 0n, incomingHeld: 300n, posted: 0n });
      await assert.rejects(inTransaction(database, (tx) => hold(tx, { ...move, amount: 701n })), isReason('insufficient_funds'));
      await assert.rejects(inTransaction(database, (tx) => transfer(tx, { ...move, amount: 701n })), isReason('insufficient_funds'));

      await inTransaction(database, (tx) => postHold(tx, first, NOW + 1));
      assert.deepEqual(await balance(database, wallet), { id: wallet, kind: 'wallet_cash', available: 700n, held: 0n, incomingHeld: 0n, posted: 700n });
      assert.deepEqual(await balance(database, merchant), { id: merchant, kind: 'merchant_settlement', available: 300n, held: 0n, incomingHeld: 0n, posted: 300n });

      const second = await inTransaction(database, (tx) => hold(tx, { ...move, amount: 200n }));
      assert.equal((await balance(database, wallet)).available, 500n);
      await inTransaction(database, (tx) => voidHold(tx, second, NOW + 2));
      assert.deepEqual(await balance(database, wallet), { id: wallet, kind: 'wallet_cash', available: 700n, held: 0n, incomingHeld: 0n, posted: 700n });
      assert.equal((await balance(database, merchant)).incomingHeld, 0n);

      const before = await rawTotals(database);
      const transfersBefore = await transferCount(database);
      for (const [pendingId, resolution] of [[first, 'post_pending'], [second, 'void_pending']] as const) {
        for (const resolve of [postHold, voidHold]) {
          await assert.rejects(inTransaction(database, (tx) => resolve(tx, pendingId, NOW + 3)), (error: unknown) =>
            isReason('hold_resolved')(error) && (error as DomainError).detail.resolution === resolution);
        }
      }
      // The refusal is not an SQL error: a caller may carry on in the same transaction (on PostgreSQL too).
      const afterRefusal = await inTransaction(database, async (tx) => {
        await assert.rejects(postHold(tx, first, NOW + 3), isReason('hold_resolved'));
        return (await getBalances(tx, [wallet])).get(wallet)?.available;
      });
      assert.equal(afterRefusal, 700n);
      // Only a pending transfer can be resolved.
      const posted = (await listTransfers(database.db, wallet, { limit: 100 })).find((t) => t.kind === 'posted');
      assert.ok(posted);
      for (const id of [posted.id, 999_999_999n]) {
        await assert.rejects(inTransaction(database, (tx) => postHold(tx, id, NOW)), isReason('hold_unknown'));
        await assert.rejects(inTransaction(database, (tx) => voidHold(tx, id, NOW)), isReason('hold_unknown'));
      }
      assert.deepEqual(await rawTotals(database), before);
      assert.equal(await transferCount(database), transfersBefore);

      // Racing a post against a void of the same hold: exactly one wins.
      const raced = await inTransaction(database, (tx) => hold(tx, { ...move, amount: 100n }));
      const outcomes = await Promise.allSettled([
        inTransaction(database, (tx) => postHold(tx, raced, NOW)),
        inTransaction(database, (tx) => voidHold(tx, raced, NOW)),
      ]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      const loser = outcomes.find((o) => o.status === 'rejected');
      assert.ok(loser && isReason('hold_resolved')(loser.reason));
      assert.equal((await balance(database, wallet)).held, 0n);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: fundingAccount makes one system account per kind, even when called concurrently`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const ids = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        inTransaction(database, (tx) => fundingAccount(tx, i % 2 === 0 ? 'funding_cash' : 'funding_points', NOW))));
      const cash = new Set(ids.filter((_, i) => i % 2 === 0));
      const points = new Set(ids.filter((_, i) => i % 2 === 1));
      assert.equal(cash.size, 1);
      assert.equal(points.size, 1);
      assert.notDeepEqual([...cash], [...points]);
      const [cashId] = cash;
      assert.ok(cashId !== undefined);
      assert.equal((await balance(database, cashId)).kind, 'funding_cash');
      const system = await database.db.selectFrom('accounts').select('kind').where('overdraft_allowed', '=', 1n).execute();
      assert.equal(system.length, 2);
      // The funding account issues money: it may go below zero, a wallet may not.
      const wallet = await inTransaction(database, (tx) => createAccount(tx, 'wallet_cash', NOW));
      await inTransaction(database, (tx) => transfer(tx, { debitAccountId: cashId, creditAccountId: wallet, amount: 5n, now: NOW }));
      assert.equal((await balance(database, cashId)).available, -5n);
      assert.equal((await balance(database, wallet)).available, 5n);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: programming errors (bad amount, same account, unknown account, cash into points) are plain Errors`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const wallet = await fundedWallet(database, 100n);
      const other = await fundedWallet(database, 0n);
      const points = await inTransaction(database, (tx) => createAccount(tx, 'wallet_points', NOW));
      const base = { debitAccountId: wallet, creditAccountId: other, now: NOW };
      const bad = [
        { ...base, amount: 0n },
        { ...base, amount: -1n },
        { ...base, amount: TRANSFER_AMOUNT_MAX + 1n },
        { ...base, amount: 1, } as unknown as typeof base & { amount: bigint },
        { ...base, creditAccountId: wallet, amount: 1n },
        { ...base, creditAccountId: 999_999n, amount: 1n },
        { ...base, creditAccountId: points, amount: 1n },
        { ...base, amount: 1n, now: 1.5 },
        { ...base, amount: 1n, reference: 'x'.repeat(256) },
      ];
      const before = await rawTotals(database);
      for (const t of bad) {
        for (const move of [transfer, hold]) {
          await assert.rejects(inTransaction(database, (tx) => move(tx, t)), isPlainError, JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
        }
      }
      await assert.rejects(inTransaction(database, (tx) => listTransfers(tx, wallet, { limit: 0 })), isPlainError);
      await assert.rejects(inTransaction(database, (tx) => createAccount(tx, 'savings' as never, NOW)), isPlainError);
      assert.deepEqual(await rawTotals(database), before);
      assert.equal((await getBalances(database.db, [])).size, 0);
      assert.equal((await getBalances(database.db, [999_999n])).size, 0);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: listTransfers shows an account's transfers newest first, from its side, page by page`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const wallet = await fundedWallet(database, 1000n);
      const merchant = await inTransaction(database, (tx) => createAccount(tx, 'merchant_settlement', NOW));
      const friend = await fundedWallet(database, 50n);
      const moved = await inTransaction(database, async (tx) => {
        const a = await transfer(tx, { debitAccountId: wallet, creditAccountId: merchant, amount: 10n, reference: 'r-a', now: NOW + 1 });
        const b = await transfer(tx, { debitAccountId: friend, creditAccountId: wallet, amount: 20n, now: NOW + 2 });
        const c = await hold(tx, { debitAccountId: wallet, creditAccountId: merchant, amount: 30n, reference: 'r-c', now: NOW + 3 });
        const d = await postHold(tx, c, NOW + 4);
        return { a, b, c, d };
      });
      const all = await listTransfers(database.db, wallet, { limit: 100 });
      assert.deepEqual(all.map((t) => t.id), [moved.d, moved.c, moved.b, moved.a, all[4]?.id]);
      assert.equal(all.length, 5); // the funding transfer is the oldest
      assert.deepEqual(all[0], { id: moved.d, kind: 'post_pending', amount: 30n, direction: 'debit', counterpartyAccountId: merchant, pendingId: moved.c, reference: 'r-c', createdAt: NOW + 4 });
      assert.deepEqual(all[2], { id: moved.b, kind: 'posted', amount: 20n, direction: 'credit', counterpartyAccountId: friend, pendingId: null, reference: null, createdAt: NOW + 2 });
      assert.equal(all[4]?.direction, 'credit');

      const pages: bigint[][] = [];
      let beforeId: bigint | undefined;
      for (;;) {
        const page = await listTransfers(database.db, wallet, { limit: 2, ...(beforeId === undefined ? {} : { beforeId }) });
        if (page.length === 0) break;
        pages.push(page.map((t) => t.id));
        beforeId = page[page.length - 1]?.id;
      }
      assert.deepEqual(pages.flat(), all.map((t) => t.id));
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
      const merchantView = await listTransfers(database.db, merchant, { limit: 100 });
      assert.deepEqual(merchantView.map((t) => [t.kind, t.direction]), [['post_pending', 'credit'], ['pending', 'credit'], ['posted', 'credit']]);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: 200 concurrent holds, transfers, posts and voids never overdraw a wallet and conserve money`, async (t) => {
    const database = await openTestDatabase(kind);
    try {
      const seed = Number(process.env.LEDGER_SEED ?? 20250611);
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const amount = () => BigInt(1 + Math.floor(random() * 250));

      const funding = await inTransaction(database, (tx) => fundingAccount(tx, 'funding_cash', NOW));
      const wallets = await Promise.all(Array.from({ length: 4 }, () => fundedWallet(database, 1000n)));
      const merchants = await Promise.all(Array.from({ length: 2 }, () => inTransaction(database, (tx) => createAccount(tx, 'merchant_settlement', NOW))));

      const model = new Map<bigint, Totals>();
      for (const [id, t] of await rawTotals(database)) model.set(id, { dp: t.dp, dpo: t.dpo, cp: t.cp, cpo: t.cpo });
      const totalsOf = (id: bigint) => model.get(id) ?? assert.fail(`no model for ${id}`);
      type Effect = { kind: 'posted' | 'pending' | 'post_pending' | 'void_pending'; debit: bigint; credit: bigint; amount: bigint; id: bigint };
      const apply = (e: Effect) => {
        const d = totalsOf(e.debit);
        const c = totalsOf(e.credit);
        if (e.kind === 'posted') { d.dpo += e.amount; c.cpo += e.amount; }
        if (e.kind === 'pending') { d.dp += e.amount; c.cp += e.amount; }
        if (e.kind === 'post_pending') { d.dp -= e.amount; d.dpo += e.amount; c.cp -= e.amount; c.cpo += e.amount; }
        if (e.kind === 'void_pending') { d.dp -= e.amount; c.cp -= e.amount; }
      };

      interface OpenHold { id: bigint; debit: bigint; credit: bigint; amount: bigint }
      const openHolds: OpenHold[] = [];
      const outcomes = { committed: 0, insufficient: 0, resolved: 0 };
      const committedByKind = new Map<string, number>();
      const resolvedHolds = new Map<bigint, number>();

      async function holdIn(tx: Tx, debit: bigint, credit: bigint, value: bigint): Promise<Effect> {
        const id = await hold(tx, { debitAccountId: debit, creditAccountId: credit, amount: value, reference: 'hold', now: NOW });
        return { kind: 'pending', debit, credit, amount: value, id };
      }
      async function transferIn(tx: Tx, debit: bigint, credit: bigint, value: bigint): Promise<Effect> {
        const id = await transfer(tx, { debitAccountId: debit, creditAccountId: credit, amount: value, now: NOW });
        return { kind: 'posted', debit, credit, amount: value, id };
      }
      async function resolveIn(tx: Tx, h: OpenHold, post: boolean): Promise<Effect> {
        const id = await (post ? postHold : voidHold)(tx, h.id, NOW);
        return { kind: post ? 'post_pending' : 'void_pending', debit: h.debit, credit: h.credit, amount: h.amount, id };
      }

      // Draws one operation: a function to run in one transaction that returns the effects it made.
      function drawOperation(): { work: (tx: Tx) => Promise<Effect[]>; resolves?: OpenHold } {
        const roll = random();
        const wallet = pick(wallets);
        const payee = random() < 0.7 ? pick(merchants) : pick(wallets.filter((w) => w !== wallet));
        const value = amount();
        if (roll < 0.3) return { work: async (tx) => [await holdIn(tx, wallet, payee, value)] };
        if (roll < 0.55) return { work: async (tx) => [await transferIn(tx, wallet, payee, value)] };
        if (roll < 0.8 && openHolds.length > 0) {
          const index = Math.floor(random() * openHolds.length);
          const h = openHolds[index] as OpenHold;
          if (random() < 0.5) openHolds.splice(index, 1); // otherwise left in place, so others may race for it
          const post = random() < 0.6;
          return { work: async (tx) => [await resolveIn(tx, h, post)], resolves: h };
        }
        if (roll < 0.9) {
          // A payment split over two wallets in one transaction: if the second leg fails, the first is undone.
          const second = pick(wallets.filter((w) => w !== wallet));
          const secondValue = amount();
          const firstPayee = payee === second ? pick(merchants) : payee;
          const secondPayee = pick(merchants);
          return { work: async (tx) => [await holdIn(tx, wallet, firstPayee, value), await transferIn(tx, second, secondPayee, secondValue)] };
        }
        if (roll < 0.95) {
          // Hold and settle at once.
          const post = random() < 0.5;
          return { work: async (tx) => { const h = await holdIn(tx, wallet, payee, value); return [h, await resolveIn(tx, h, post)]; } };
        }
        return { work: async (tx) => [await transferIn(tx, funding, wallet, value)] };
      }

      const callers = 20;
      const operationsPerCaller = 10;
      await Promise.all(Array.from({ length: callers }, async () => {
        for (let i = 0; i < operationsPerCaller; i++) {
          const operation = drawOperation();
          try {
            const effects = await inTransaction(database, operation.work);
            outcomes.committed++;
            for (const e of effects) {
              apply(e);
              committedByKind.set(e.kind, (committedByKind.get(e.kind) ?? 0) + 1);
              if (e.kind === 'pending') openHolds.push({ id: e.id, debit: e.debit, credit: e.credit, amount: e.amount });
            }
            if (operation.resolves) resolvedHolds.set(operation.resolves.id, (resolvedHolds.get(operation.resolves.id) ?? 0) + 1);
          } catch (error) {
            if (isReason('insufficient_funds')(error)) outcomes.insufficient++;
            else if (isReason('hold_resolved')(error)) outcomes.resolved++;
            else throw error;
          }
        }
      }));

      t.diagnostic(`seed ${seed}: ${JSON.stringify(outcomes)}, ${JSON.stringify(Object.fromEntries(committedByKind))}`);
      assert.equal(outcomes.committed + outcomes.insufficient + outcomes.resolved, callers * operationsPerCaller);
      assert.ok(outcomes.committed > 50, `enough operations succeeded: ${JSON.stringify(outcomes)}`);
      assert.ok(outcomes.insufficient > 10, `demand exceeded the money: ${JSON.stringify(outcomes)}`);
      for (const [id, count] of resolvedHolds) assert.equal(count, 1, `hold ${id} resolved once`);

      async function checkInvariants(): Promise<void> {
        const totals = await rawTotals(database);
        let net = 0n;
        let debitsPending = 0n;
        let creditsPending = 0n;
        for (const [id, t] of totals) {
          assert.ok(t.dp >= 0n && t.dpo >= 0n && t.cp >= 0n && t.cpo >= 0n, `account ${id} totals non-negative`);
          if (t.overdraft === 0n) assert.ok(t.dpo + t.dp <= t.cpo, `account ${id} is not overdrawn`);
          // Every committed operation, and nothing else, reached the accounts.
          assert.deepEqual({ dp: t.dp, dpo: t.dpo, cp: t.cp, cpo: t.cpo }, totalsOf(id), `account ${id} matches the committed operations`);
          net += t.cpo - t.dpo;
          debitsPending += t.dp;
          creditsPending += t.cp;
        }
        assert.equal(net, 0n, 'money is conserved');
        assert.equal(debitsPending, creditsPending, 'every hold is on both sides');
        const balances = await getBalances(database.db, [...wallets, ...merchants]);
        for (const b of balances.values()) assert.ok(b.available >= 0n, `account ${b.id} available ${b.available}`);
        const doubles = await database.db.selectFrom('transfers').select('pending_id').where('pending_id', 'is not', null)
          .groupBy('pending_id').having((eb) => eb.fn.countAll(), '>', 1).execute();
        assert.deepEqual(doubles, []);
        const byKind = await database.db.selectFrom('transfers').select(['kind', (eb) => eb.fn.countAll<bigint>().as('n')]).groupBy('kind').execute();
        for (const row of byKind) {
          const setup = row.kind === 'posted' ? wallets.length : 0; // the initial funding
          assert.equal(Number(row.n) - setup, committedByKind.get(row.kind) ?? 0, `${row.kind} transfers match committed operations`);
        }
      }
      await checkInvariants();

      // Race a post against a void for several open holds at once: one wins each race.
      const unresolved = await database.db.selectFrom('transfers as p').select(['p.id', 'p.debit_account_id', 'p.credit_account_id', 'p.amount'])
        .where('p.kind', '=', 'pending')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('transfers as r').select('r.id').whereRef('r.pending_id', '=', 'p.id'))))
        .execute();
      assert.ok(unresolved.length > 0, 'some holds are still open');
      await Promise.all(unresolved.map(async (p) => {
        const h = { id: p.id, debit: p.debit_account_id, credit: p.credit_account_id, amount: p.amount };
        const races = await Promise.allSettled([inTransaction(database, (tx) => resolveIn(tx, h, true)), inTransaction(database, (tx) => resolveIn(tx, h, false))]);
        const winners = races.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        assert.equal(winners.length, 1, `one resolution of hold ${p.id}`);
        for (const r of races) if (r.status === 'rejected') assert.ok(isReason('hold_resolved')(r.reason), String(r.reason));
        for (const w of winners) { apply(w); committedByKind.set(w.kind, (committedByKind.get(w.kind) ?? 0) + 1); }
      }));
      await checkInvariants();
      for (const [id, t] of await rawTotals(database)) assert.ok(t.dp === 0n && t.cp === 0n, `account ${id} has nothing pending once every hold is resolved`);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: property: any sequence of moves leaves balances exactly as a model of the four totals predicts`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const funding = await inTransaction(database, (tx) => fundingAccount(tx, 'funding_cash', NOW));
      const value = fc.bigInt({ min: 1n, max: 600n });
      const party = fc.constantFrom(0, 1, 2); // wallet a, wallet b (higher id), merchant (highest id)
      const command = fc.oneof(
        fc.record({ t: fc.constant('fund' as const), to: fc.constantFrom(0, 1), amount: value }),
        fc.record({ t: fc.constantFrom('transfer' as const, 'hold' as const), from: fc.constantFrom(0, 1), to: party, amount: value }),
        fc.record({ t: fc.constantFrom('post' as const, 'void' as const), hold: fc.nat({ max: 20 }) }),
      );
      await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const accounts = await inTransaction(database, async (tx) => [
          await createAccount(tx, 'wallet_cash', NOW), await createAccount(tx, 'wallet_cash', NOW), await createAccount(tx, 'merchant_settlement', NOW)]);
        const model = accounts.map(() => ({ dp: 0n, dpo: 0n, cp: 0n, cpo: 0n }));
        const holds: Array<{ id: bigint; from: number; to: number; amount: bigint; resolved: boolean }> = [];
        const fundingBefore = await balance(database, funding);
        let funded = 0n;
        const at = (i: number) => model[i] ?? assert.fail('party');
        const id = (i: number) => accounts[i] ?? assert.fail('party');
        for (const c of commands) {
          if (c.t === 'fund') {
            await inTransaction(database, (tx) => transfer(tx, { debitAccountId: funding, creditAccountId: id(c.to), amount: c.amount, now: NOW }));
            at(c.to).cpo += c.amount;
            funded += c.amount;
          } else if (c.t === 'transfer' || c.t === 'hold') {
            if (c.from === c.to) continue;
            const from = at(c.from);
            const affordable = from.cpo - from.dpo - from.dp >= c.amount;
            const move = c.t === 'transfer' ? transfer : hold;
            const result = await committingDespite(database, (tx) => move(tx, { debitAccountId: id(c.from), creditAccountId: id(c.to), amount: c.amount, now: NOW }));
            if (!affordable) { assert.ok(isReason('insufficient_funds')(result), String(result)); continue; }
            assert.equal(typeof result, 'bigint');
            if (c.t === 'transfer') { from.dpo += c.amount; at(c.to).cpo += c.amount; }
            else { from.dp += c.amount; at(c.to).cp += c.amount; holds.push({ id: result as bigint, from: c.from, to: c.to, amount: c.amount, resolved: false }); }
          } else if ('hold' in c) {
            const h = holds.length === 0 ? undefined : holds[c.hold % holds.length];
            const resolve = c.t === 'post' ? postHold : voidHold;
            const result = await committingDespite(database, (tx) => resolve(tx, h?.id ?? 999_999_999n, NOW));
            if (!h) { assert.ok(isReason('hold_unknown')(result), String(result)); continue; }
            if (h.resolved) { assert.ok(isReason('hold_resolved')(result), String(result)); continue; }
            assert.equal(typeof result, 'bigint');
            h.resolved = true;
            const from = at(h.from);
            const to = at(h.to);
            from.dp -= h.amount; to.cp -= h.amount;
            if (c.t === 'post') { from.dpo += h.amount; to.cpo += h.amount; }
          }
        }
        const balances = await getBalances(database.db, accounts);
        accounts.forEach((accountId, i) => {
          const m = at(i);
          const b = balances.get(accountId);
          assert.deepEqual(
            b && { available: b.available, held: b.held, incomingHeld: b.incomingHeld, posted: b.posted },
            { available: m.cpo - m.dpo - m.dp, held: m.dp, incomingHeld: m.cp, posted: m.cpo - m.dpo },
          );
        });
        assert.equal((await balance(database, funding)).posted, fundingBefore.posted - funded);
      }), { numRuns: 25, seed: Number(process.env.LEDGER_SEED ?? 7) });
    } finally {
      await database.close();
    }
  });
}

