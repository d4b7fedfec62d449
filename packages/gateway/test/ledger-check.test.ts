// Proves that the ledger check finds a ledger clean after real activity (opening balances, a sandbox top-up, pinless payments, PIN payments held then paid, cancelled, expired and still pending) and names each invariant when it is broken by hand — an unbalanced, self or zero transfer, a resolution unlike its hold, a running total off its transfers, a wallet below zero, holds out of step with their payments, a settlement shard tampered with, of the wrong kind, shared, orphaned or credited by another merchant's payment — on SQLite and PostgreSQL, and that `ovo-tokenize ledger check` exits 0 with a summary on a clean file and 1 naming the broken invariant on a broken one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Transaction } from 'kysely';
import { SETTLEMENT_SHARDS } from '../src/domain/ledger-rules.ts';
import type { Wallet } from '../src/domain/wallet.ts';
import { expirePayments } from '../src/services/payments.ts';
import { sandboxTopUp } from '../src/services/wallet-app.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { createAccount, hold, transfer, voidHold } from '../src/store/ledger.ts';
import { checkLedger, type LedgerViolation } from '../src/store/ledger-check.ts';
import { insertMerchant } from '../src/store/merchants.ts';
import { settlementBalances, settlementShardsOf } from '../src/store/settlement-shards.ts';
import type { Schema } from '../src/store/schema.ts';
import { insertWalletSession } from '../src/store/wallet-sessions.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation } from './support/gateway.ts';
import {
  authorisePayment, countTransfers, fundedWallet, linkThroughStore, reloadPayment, startPaymentsGateway, type PaymentsGateway,
} from './support/payments.ts';

/** The accounts after ledgerAfterActivity: see 'a ledger after real activity checks clean'. */
const ACCOUNTS = 2 + 2 * SETTLEMENT_SHARDS + 2;

const MERCHANT = { merchantId: '68001', name: 'Toko Buku', userId: 'bot68001', password: 'ledger-secret', pinlessLimit: 20_000n };

interface Activity {
  gw: PaymentsGateway;
  wallet: Wallet;
  /** trx_id by what happened to the payment. */
  trx: Record<'pinlessCash' | 'pinlessPoints' | 'paid' | 'cancelled' | 'expired' | 'open', string>;
}

/** A ledger the way the gateway leaves it: every kind of move, through the API, the payment page and the services. */
async function ledgerAfterActivity(kind: 'sqlite' | 'postgres'): Promise<Activity> {
  const gw = await startPaymentsGateway(kind, { merchants: [MERCHANT], sweepIntervalMs: 3_600_000 });
  const wallet = await fundedWallet(gw.database, { phone: '081377770001', cash: 1_000_000n, points: 50_000n });
  await linkThroughStore(gw.ctx, MERCHANT.merchantId, wallet);
  const session = await insertWalletSession(gw.database.db, {
    id: 'ledger-check-session', phone: wallet.phone, walletId: wallet.id, csrfToken: 'csrf', now: gw.clock.now(), expiresAt: gw.clock.now() + 60_000,
  });
  assert.deepEqual(await sandboxTopUp(gw.ctx, { session, wallet }, 250_000n), { kind: 'ok' });

  const pay = async (billNo: string, total: string, payType: '0' | '1' | '2') => {
    const reply = await callOperation(gw.url, 'payment', {
      merchant_id: MERCHANT.merchantId, bill_no: billNo, bill_desc: 'Buku', bill_total: total, bill_currency: 'IDR',
      payment_channel: '720', phone_no: wallet.phone, cust_name: 'Pembaca', email: 'baca@example.com', pay_type: payType,
    }, 'json', MERCHANT);
    assert.equal(reply.body.response_code, '00', JSON.stringify(reply.body));
    return reply.body as { trx_id: string; redirectURL: string };
  };
  const pinlessCash = await pay('LC-1', '15000', '0');
  const pinlessPoints = await pay('LC-2', '20000', '1');
  const paid = await pay('LC-3', '100000', '2'); // the 30,000 points left, then 70,000 cash: two holds
  assert.equal((await authorisePayment(gw, paid.redirectURL)).payment.status, 'SUCCESS');
  const cancelled = await pay('LC-4', '50000', '0');
  const cancel = await callOperation(gw.url, 'cancel', {
    merchant_id: MERCHANT.merchantId, trx_id: cancelled.trx_id, bill_no: 'LC-4', payment_cancel: 'out of stock',
  }, 'json', MERCHANT);
  assert.equal(cancel.body.response_code, '00', JSON.stringify(cancel.body));
  const expired = await pay('LC-5', '30000', '0');
  gw.clock.advance(gw.ctx.config.payment_ttl_s * 1000 + 1_000);
  assert.equal(await expirePayments(gw.ctx), 1);
  const open = await pay('LC-6', '40000', '0');

  const trx = {
    pinlessCash: pinlessCash.trx_id, pinlessPoints: pinlessPoints.trx_id, paid: paid.trx_id,
    cancelled: cancelled.trx_id, expired: expired.trx_id, open: open.trx_id,
  };
  const statuses = await Promise.all(Object.values(trx).map(async (id) => (await reloadPayment(gw.database, id)).status));
  assert.deepEqual(statuses, ['SUCCESS', 'SUCCESS', 'SUCCESS', 'CANCELLED', 'EXPIRED', 'PENDING']);
  return { gw, wallet, trx };
}

class Rollback extends Error {}

/** The violations the check finds after `breakIt`, in a transaction that is then rolled back (the next case starts clean). */
async function violationsAfter(database: Database, breakIt: (tx: Transaction<Schema>) => Promise<unknown>): Promise<LedgerViolation[]> {
  let found: LedgerViolation[] | undefined;
  await database.db.transaction().execute(async (tx) => {
    await breakIt(tx);
    found = (await checkLedger(tx)).violations;
    throw new Rollback();
  }).catch((error: unknown) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return found!;
}

function invariants(violations: LedgerViolation[]): string[] {
  return violations.map((v) => v.invariant);
}

/** A transfer written by hand, past the ledger's own checks, with its accounts' totals moved to agree. */
async function rawPostedTransfer(tx: Transaction<Schema>, debit: bigint, credit: bigint, amount: bigint): Promise<bigint> {
  await tx.updateTable('accounts').set('debits_posted', sql<bigint>`debits_posted + ${amount}`).where('id', '=', debit).execute();
  await tx.updateTable('accounts').set('credits_posted', sql<bigint>`credits_posted + ${amount}`).where('id', '=', credit).execute();
  const row = await tx.insertInto('transfers').values({
    debit_account_id: debit, credit_account_id: credit, amount, kind: 'posted', pending_id: null, reference: 'by hand', created_at: 1n,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function credits(database: Database, accountId: bigint): Promise<bigint> {
  const row = await database.db.selectFrom('accounts').select('credits_posted').where('id', '=', accountId).executeTakeFirstOrThrow();
  return row.credits_posted;
}

/** The account a transfer credits: for a payment's, the merchant's shard its batch picked. */
async function creditOf(database: Database, transferId: bigint): Promise<bigint> {
  const row = await database.db.selectFrom('transfers').select('credit_account_id').where('id', '=', transferId).executeTakeFirstOrThrow();
  return row.credit_account_id;
}

async function holdOf(database: Database, trxId: string, part: 'cash_transfer_id' | 'points_transfer_id'): Promise<bigint> {
  const row = await database.db.selectFrom('payments').select(part).where('trx_id', '=', trxId).executeTakeFirstOrThrow();
  return row[part]!;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: ledger check`, async (t) => {
    const activity = await ledgerAfterActivity(kind);
    const database = activity.gw.database;

    await t.test('a ledger after real activity checks clean', async () => {
      const result = await checkLedger(database.db);
      assert.deepEqual(result.violations, []);
      // Two wallet accounts, the merchant's settlement shards (a cash and a points account each), the two
      // funding accounts; one hold open (LC-6).
      assert.deepEqual({ accounts: result.accounts, openHolds: result.openHolds, payments: result.payments },
        { accounts: ACCOUNTS, openHolds: 1, payments: 6 });
      assert.equal(result.transfers, await countTransfers(database));
    });

    await t.test('transfers_balanced: a transfer between currencies, to itself, of nothing, or a resolution unlike its hold', async () => {
      const { wallet } = activity;
      const merchant = activity.gw.merchants[0]!;
      const mixed = await violationsAfter(database, (tx) => rawPostedTransfer(tx, wallet.cashAccountId, merchant.pointsSettlementAccountId, 5_000n));
      assert.deepEqual(invariants(mixed), ['transfers_balanced'], JSON.stringify(mixed));
      assert.match(mixed[0]!.detail, new RegExp(`^1 transfer\\(s\\) from wallet_cash to merchant_points_settlement accounts mix cash and points; ` +
        `the first, transfer \\d+, moves 5000 from account ${wallet.cashAccountId} to account ${merchant.pointsSettlementAccountId}$`));

      const renamed = await violationsAfter(database, (tx) => tx.updateTable('accounts').set({ kind: 'wallet_gold' }).where('id', '=', wallet.cashAccountId).execute());
      assert.ok(renamed.length > 0 && renamed.every((v) => v.invariant === 'transfers_balanced'), JSON.stringify(renamed));
      assert.match(renamed[0]!.detail, /wallet_gold .* involve an account of unknown kind/);

      // The schema's CHECK constraints refuse a transfer to itself and one of nothing ...
      const selfTransfer = { debit_account_id: wallet.cashAccountId, credit_account_id: wallet.cashAccountId, amount: 700n, kind: 'posted', pending_id: null, reference: null, created_at: 1n };
      await assert.rejects(database.db.insertInto('transfers').values(selfTransfer).execute(), /transfers_two_accounts|CHECK constraint/i);
      await assert.rejects(database.db.insertInto('transfers').values({ ...selfTransfer, credit_account_id: merchant.settlementAccountId, amount: 0n }).execute(),
        /transfers_positive|CHECK constraint/i);
      // ... so it takes a database whose constraints are off to hold them, and the check still sees them.
      const malformed = await violationsAfter(database, async (tx) => {
        if (kind === 'sqlite') await sql`pragma ignore_check_constraints = on`.execute(tx);
        else await sql`alter table transfers drop constraint transfers_two_accounts, drop constraint transfers_positive`.execute(tx);
        try {
          await rawPostedTransfer(tx, wallet.cashAccountId, wallet.cashAccountId, 700n);
          await rawPostedTransfer(tx, wallet.cashAccountId, merchant.settlementAccountId, 0n);
        } finally {
          if (kind === 'sqlite') await sql`pragma ignore_check_constraints = off`.execute(tx);
        }
      });
      assert.deepEqual(invariants(malformed), ['transfers_balanced', 'transfers_balanced'], JSON.stringify(malformed));
      assert.match(malformed[0]!.detail, new RegExp(`^transfer \\d+ moves 700 from account ${wallet.cashAccountId} to itself$`));
      assert.match(malformed[1]!.detail, new RegExp(`^transfer \\d+ moves 0, outside 1\\.\\.1000000000000000, from account ${wallet.cashAccountId} to account ${merchant.settlementAccountId}$`));

      // A void that releases less than its hold (totals moved to agree, so only the resolution is wrong).
      const cancelledHold = await holdOf(database, activity.trx.cancelled, 'cash_transfer_id');
      const shard = await creditOf(database, cancelledHold);
      const unlike = await violationsAfter(database, async (tx) => {
        await tx.updateTable('transfers').set({ amount: 49_999n }).where('pending_id', '=', cancelledHold).execute();
        await tx.updateTable('accounts').set('debits_pending', sql<bigint>`debits_pending + 1`).where('id', '=', wallet.cashAccountId).execute();
        await tx.updateTable('accounts').set('credits_pending', sql<bigint>`credits_pending + 1`).where('id', '=', shard).execute();
      });
      assert.deepEqual(invariants(unlike), ['transfers_balanced'], JSON.stringify(unlike));
      assert.match(unlike[0]!.detail, new RegExp(`^void_pending transfer \\d+ moves 49999 from account ${wallet.cashAccountId} to account ${shard}, ` +
        `but its hold ${cancelledHold} moved 50000 from account ${wallet.cashAccountId} to account ${shard}$`));
    });

    await t.test('totals_match_transfers: a running total changed by hand', async () => {
      const merchant = activity.gw.merchants[0]!;
      const before = await database.db.selectFrom('accounts').select('credits_posted').where('id', '=', merchant.settlementAccountId).executeTakeFirstOrThrow();
      const found = await violationsAfter(database, (tx) => tx.updateTable('accounts').set('credits_posted', sql<bigint>`credits_posted + 1`)
        .where('id', '=', merchant.settlementAccountId).execute());
      assert.deepEqual(found, [{
        invariant: 'totals_match_transfers',
        detail: `account ${merchant.settlementAccountId} (merchant_settlement): credits_posted is ${before.credits_posted + 1n} but its transfers add up to ${before.credits_posted}`,
      }]);
    });

    await t.test('no_overdraft: a wallet below zero, which the schema refuses until the account is flagged like a funding account', async () => {
      const { wallet } = activity;
      const merchant = activity.gw.merchants[0]!;
      await assert.rejects(database.db.updateTable('accounts').set('debits_posted', sql<bigint>`credits_posted + 1`).where('id', '=', wallet.cashAccountId).execute(),
        /accounts_no_overdraft|CHECK constraint/i);
      const available = (await database.db.selectFrom('accounts').selectAll().where('id', '=', wallet.cashAccountId).executeTakeFirstOrThrow());
      const spendable = available.credits_posted - available.debits_posted - available.debits_pending;
      const found = await violationsAfter(database, async (tx) => {
        await tx.updateTable('accounts').set({ overdraft_allowed: 1n }).where('id', '=', wallet.cashAccountId).execute();
        // Through the ledger itself: the transfer is balanced and the totals agree; only the balance is wrong.
        await transfer(tx, { debitAccountId: wallet.cashAccountId, creditAccountId: merchant.settlementAccountId, amount: spendable + 1_000n, now: 1 });
      });
      assert.deepEqual(invariants(found), ['no_overdraft', 'no_overdraft'], JSON.stringify(found));
      assert.match(found[0]!.detail, new RegExp(`^1 wallet_cash account\\(s\\), the first account ${wallet.cashAccountId}, have overdraft_allowed = 1: only funding accounts may go below zero`));
      assert.match(found[1]!.detail, new RegExp(`^account ${wallet.cashAccountId} \\(wallet_cash\\) has -1000 available: `));
    });

    await t.test('holds_match_payments: holds and payments out of step', async () => {
      const { wallet, trx } = activity;
      const merchant = activity.gw.merchants[0]!;
      const openHold = await holdOf(database, trx.open, 'cash_transfer_id');
      const openShard = await creditOf(database, openHold);
      const cancelledHold = await holdOf(database, trx.cancelled, 'cash_transfer_id');

      const paidWhileHeld = await violationsAfter(database, (tx) => tx.updateTable('payments').set({ status: 'SUCCESS' }).where('trx_id', '=', trx.open).execute());
      assert.deepEqual(paidWhileHeld, [{
        invariant: 'holds_match_payments',
        detail: `hold ${openHold} of 40000 from account ${wallet.cashAccountId} to account ${openShard} is still open, but its payment ${trx.open} is SUCCESS`,
      }]);

      const strayHold = await violationsAfter(database, (tx) => hold(tx, { debitAccountId: wallet.cashAccountId, creditAccountId: merchant.settlementAccountId, amount: 10n, now: 1 }));
      assert.deepEqual(invariants(strayHold), ['holds_match_payments']);
      assert.match(strayHold[0]!.detail, /^hold \d+ of 10 from account \d+ to account \d+ is still open, but no payment holds it$/);

      const pendingButVoided = await violationsAfter(database, (tx) => voidHold(tx, openHold, 1));
      assert.deepEqual(pendingButVoided, [{ invariant: 'holds_match_payments', detail: `payment ${trx.open} is PENDING but has its cash hold ${openHold} already voided` }]);

      const paidButVoided = await violationsAfter(database, (tx) => tx.updateTable('payments').set({ status: 'SUCCESS' }).where('trx_id', '=', trx.cancelled).execute());
      assert.deepEqual(paidButVoided, [{ invariant: 'holds_match_payments', detail: `payment ${trx.cancelled} is SUCCESS but its cash hold ${cancelledHold} of 50000 was voided` }]);

      const pinlessTransfer = await holdOf(database, trx.pinlessCash, 'cash_transfer_id');
      const failedButPaid = await violationsAfter(database, (tx) => tx.updateTable('payments').set({ status: 'FAILED' }).where('trx_id', '=', trx.pinlessCash).execute());
      assert.deepEqual(failedButPaid, [{ invariant: 'holds_match_payments', detail: `payment ${trx.pinlessCash} is FAILED but its cash transfer ${pinlessTransfer} of 15000 was posted` }]);

      const noHold = await violationsAfter(database, (tx) => tx.updateTable('payments').set({ cash_transfer_id: null }).where('trx_id', '=', trx.open).execute());
      assert.deepEqual(noHold, [
        { invariant: 'holds_match_payments', detail: `hold ${openHold} of 40000 from account ${wallet.cashAccountId} to account ${openShard} is still open, but no payment holds it` },
        { invariant: 'holds_match_payments', detail: `payment ${trx.open} is PENDING but has no cash hold for its 40000` },
      ]);

      assert.deepEqual((await checkLedger(database.db)).violations, [], 'every break above was rolled back');
    });

    await t.test('settlement_shards: payments spread over the shards; a shard tampered with, moved, shared or orphaned', async () => {
      const { wallet, trx } = activity;
      const merchant = activity.gw.merchants[0]!;
      const shards = await settlementShardsOf(database.db, merchant);
      assert.equal(shards.length, SETTLEMENT_SHARDS);
      const credited = await database.db.selectFrom('transfers').select('credit_account_id').distinct()
        .where('reference', 'like', 'payment:%').execute();
      assert.ok(credited.length >= 2, `one payment after another, each its own batch, credit several shards: ${JSON.stringify(credited.map(String))}`);
      // LC-1 15,000 and LC-3's 70,000 cash, LC-2's 20,000 and LC-3's 30,000 points paid; LC-6's 40,000 on hold.
      const { cash, points } = await settlementBalances(database.db, merchant);
      assert.deepEqual({ cash: [cash.posted, cash.incomingHeld], points: [points.posted, points.incomingHeld] },
        { cash: [85_000n, 40_000n], points: [50_000n, 0n] });

      const last = shards[SETTLEMENT_SHARDS - 1]!;
      const bumped = await violationsAfter(database, (tx) => tx.updateTable('accounts').set('credits_posted', sql<bigint>`credits_posted + 1`)
        .where('id', '=', last.cashAccountId).execute());
      assert.deepEqual(invariants(bumped), ['totals_match_transfers'], JSON.stringify(bumped));
      assert.match(bumped[0]!.detail, new RegExp(`^account ${last.cashAccountId} \\(merchant_settlement\\): credits_posted is \\d+ but its transfers add up to \\d+$`));

      const walletAsShard = await violationsAfter(database, (tx) => tx.updateTable('settlement_shards').set({ points_account_id: wallet.pointsAccountId })
        .where('merchant_id', '=', merchant.merchantId).where('shard', '=', BigInt(SETTLEMENT_SHARDS - 1)).execute());
      assert.deepEqual(walletAsShard.filter((v) => !/is not one of that merchant's settlement shards$/.test(v.detail)), [
        { invariant: 'settlement_shards', detail: `merchant ${merchant.merchantId}'s merchant_points_settlement shard ${SETTLEMENT_SHARDS - 1} is account ${wallet.pointsAccountId}, a wallet_points account` },
        { invariant: 'settlement_shards', detail: `merchant_points_settlement account ${last.pointsAccountId} (credits_posted ${await credits(database, last.pointsAccountId)}, credits_pending 0) is a shard of no merchant, so no merchant's balance counts it` },
      ]);

      const other = { merchantId: '68002', name: 'Toko Lain', userId: 'bot68002', password: 'other-secret' };
      const shared = await violationsAfter(database, async (tx) => {
        const second = await insertMerchant(tx, other, 1, { settlementShards: 1 });
        await tx.updateTable('merchants').set({ settlement_account_id: shards[1]!.cashAccountId }).where('merchant_id', '=', other.merchantId).execute();
        return second;
      });
      assert.deepEqual(invariants(shared), ['settlement_shards', 'settlement_shards'], JSON.stringify(shared));
      assert.equal(shared[0]!.detail, `account ${shards[1]!.cashAccountId} is a settlement shard 2 times, of merchants ${merchant.merchantId} … ${other.merchantId}`);
      assert.match(shared[1]!.detail, /^merchant_settlement account \d+ \(credits_posted 0, credits_pending 0\) is a shard of no merchant, so no merchant's balance counts it$/);

      const orphan = await violationsAfter(database, (tx) => createAccount(tx, 'merchant_settlement', 1));
      assert.deepEqual(invariants(orphan), ['settlement_shards']);
      assert.match(orphan[0]!.detail, /^merchant_settlement account \d+ \(credits_posted 0, credits_pending 0\) is a shard of no merchant/);

      const pinlessTransfer = await holdOf(database, trx.pinlessCash, 'cash_transfer_id');
      const toAnother = await violationsAfter(database, async (tx) => {
        await insertMerchant(tx, other, 1);
        await tx.updateTable('payments').set({ merchant_id: other.merchantId }).where('trx_id', '=', trx.pinlessCash).execute();
      });
      assert.deepEqual(toAnother, [{
        invariant: 'settlement_shards',
        detail: `payment ${trx.pinlessCash} of merchant ${other.merchantId} moves its cash with transfer ${pinlessTransfer} to account ` +
          `${await creditOf(database, pinlessTransfer)}, which is not one of that merchant's settlement shards`,
      }]);

      assert.deepEqual((await checkLedger(database.db)).violations, [], 'every break above was rolled back');
    });

    if (kind === 'sqlite') {
      await t.test('ovo-tokenize ledger check: exit 0 and a summary on the clean file, 1 naming the broken invariant on a broken copy', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ovo-ledger-check-'));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const brokenPath = join(dir, 'broken.sqlite');
        await sql`vacuum into ${brokenPath}`.execute(database.db);
        const broken = openDatabase(`sqlite:${brokenPath}`);
        // The shard LC-1's 15,000 went to: it can carry 7 more on its debit side without going below zero.
        const settlement = await creditOf(database, await holdOf(database, activity.trx.pinlessCash, 'cash_transfer_id'));
        await broken.db.updateTable('accounts').set('debits_pending', sql<bigint>`debits_pending + 7`).where('id', '=', settlement).execute();
        await broken.close();

        const expected = await checkLedger(database.db);
        const [clean, failed] = await Promise.all([runCommand(['ledger', 'check', '--db', database.url]), runCommand(['ledger', 'check', '--db', `sqlite:${brokenPath}`])]);
        assert.equal(clean.code, 0, clean.stderr);
        assert.equal(clean.stdout, `ledger ok: ${ACCOUNTS} accounts, ${expected.transfers} transfers, 1 open hold, 6 payments\n`);
        assert.equal(failed.code, 1, failed.stdout);
        assert.equal(failed.stderr, `ledger check failed: totals_match_transfers (1 violation; ${ACCOUNTS} accounts, ${expected.transfers} transfers, 1 open hold, 6 payments)\n` +
          `  totals_match_transfers: account ${settlement} (merchant_settlement): debits_pending is 7 but its transfers add up to 0\n`);
      });
    }
  });
}

