// The benchmark's world: one merchant (pinless up to a limit, notifications on), paying customers with
// funded, linked wallets and a past of their own, and the customers whose history is read, each past
// written with one bulk INSERT … SELECT. The same paying wallets are also linked to a merchant without a
// notify_url, and spread over several merchants (one each), for the rows that compare those.
import { requestSignature } from '@ovo-tokenize/protocol';
import { sql } from 'kysely';
import type { GatewayContext } from '../packages/gateway/src/context.ts';
import type { Merchant } from '../packages/gateway/src/domain/merchant.ts';
import { hashPin } from '../packages/gateway/src/domain/pin.ts';
import type { Wallet } from '../packages/gateway/src/domain/wallet.ts';
import { createLink } from '../packages/gateway/src/store/links.ts';
import { insertMerchant } from '../packages/gateway/src/store/merchants.ts';
import { backfillPaymentDayCounts } from '../packages/gateway/src/store/migrations/005-payment-day-counts.ts';
import { inTransaction } from '../packages/gateway/src/store/transaction.ts';
import { insertWallet } from '../packages/gateway/src/store/wallets.ts';

export const PIN = '246810';
/** Payments at or below this complete at once; above it they wait for the PIN. */
export const PINLESS_LIMIT = 50_000n;
export const PINLESS_AMOUNT = 10_000n;
export const PIN_AMOUNT = 100_000n;
const DAY_MS = 24 * 60 * 60 * 1000;
/** History spreads over this many days before now. */
export const HISTORY_SPAN_DAYS = 364;

/** A wallet as one merchant it is linked to sees it. */
export interface Customer {
  wallet: Wallet;
  phone: string;
  name: string;
  merchantId: string;
  /** The merchant's legacy signature for this phone (same for every phone_no-signed operation). */
  signature: string;
}

export interface World {
  merchant: Merchant;
  payers: Customer[];
  /** The paying wallets, linked to a merchant that has no notify_url (no notification is queued). */
  quietPayers: Customer[];
  /** The paying wallets, payer i linked to merchant i % spreadMerchants (merchant 0 is `merchant`). */
  spreadPayers: Customer[];
  /** Past payments of the paying customers, so the measured customers are a minority of the table. */
  crowdTransactions: number;
  /** Customers with this many past transactions with the merchant. */
  history: Array<{ transactions: number; customer: Customer }>;
}

export async function seedWorld(ctx: GatewayContext, options: {
  payers: number; receiverUrl: string; historySizes: readonly number[]; crowdPerPayer: number; spreadMerchants: number;
}): Promise<World> {
  const { database } = ctx;
  const now = Date.now();
  const newMerchant = (n: number, notifyUrl: string | null) => inTransaction(database, (tx) => insertMerchant(tx, {
    merchantId: String(7_000_000 + n),
    name: n === 1 ? 'Bench Store' : `Bench Store ${n}`,
    userId: `bench${7_000_000 + n}`,
    password: 'bench-password',
    notifyUrl,
    pinlessLimit: PINLESS_LIMIT,
  }, now));
  const merchant = await newMerchant(1, `${options.receiverUrl}/notify`);
  // One hash for every wallet: hashing is what the PIN page measures, not what seeding should spend time on.
  const pinHash = await hashPin(PIN, ctx.config.pinPepper);

  const customer = async (n: number): Promise<Customer> => {
    const phone = `0812${String(70_000_000 + n)}`;
    const name = `Bench Customer ${n}`;
    const wallet = await inTransaction(database, async (tx) => {
      const created = await insertWallet(tx, { phone, name, pinHash, cash: 10n ** 13n, points: 10n ** 9n, sandbox: true }, now);
      await createLink(tx, { merchantId: merchant.merchantId, walletId: created.id, phoneVersion: created.phoneVersion, now, ttlS: ctx.config.link_ttl_s });
      return created;
    });
    return { wallet, phone, name, merchantId: merchant.merchantId, signature: requestSignature(merchant.userId, merchant.password, phone) };
  };
  const linkTo = async (m: Merchant, c: Customer): Promise<Customer> => {
    if (m.merchantId === c.merchantId) return c;
    await inTransaction(database, (tx) => createLink(tx, {
      merchantId: m.merchantId, walletId: c.wallet.id, phoneVersion: c.wallet.phoneVersion, now, ttlS: ctx.config.link_ttl_s,
    }));
    return { ...c, merchantId: m.merchantId, signature: requestSignature(m.userId, m.password, c.phone) };
  };

  const payers: Customer[] = [];
  for (let i = 0; i < options.payers; i++) {
    const c = await customer(i);
    await insertHistory(ctx, merchant, c, options.crowdPerPayer, now);
    payers.push(c);
  }
  const quiet = await newMerchant(100, null);
  const spread = [merchant];
  for (let n = 2; n <= options.spreadMerchants; n++) spread.push(await newMerchant(n, `${options.receiverUrl}/notify`));
  const quietPayers: Customer[] = [];
  const spreadPayers: Customer[] = [];
  for (const [i, c] of payers.entries()) {
    quietPayers.push(await linkTo(quiet, c));
    spreadPayers.push(await linkTo(spread[i % spread.length]!, c));
  }
  const history: World['history'] = [];
  for (const [i, transactions] of options.historySizes.entries()) {
    const c = await customer(1000 + i);
    await insertHistory(ctx, merchant, c, transactions, now);
    history.push({ transactions, customer: c });
  }
  if (database.kind === 'postgres') {
    // What autovacuum does shortly after a bulk load: fresh statistics and a visibility map (index-only scans).
    await sql`vacuum analyze payments`.execute(database.db);
    await sql`vacuum analyze payment_day_counts`.execute(database.db);
  }
  return { merchant, payers, quietPayers, spreadPayers, crowdTransactions: options.payers * options.crowdPerPayer, history };
}

/**
 * `count` finished payments of `c` with `merchant`, created over the last HISTORY_SPAN_DAYS in a shuffled
 * order (created_at does not follow trx_id), all three pay types with their split, 5 % failed and 5 %
 * expired. Straight into `payments` with one INSERT … SELECT over a generated series: no holds (null is
 * allowed), the split columns satisfy the CHECK cash_amount + points_amount = amount. Bypassing
 * insertPayment, it then writes the customer's per-day counts (history's `total`) in the same transaction:
 * one GROUP BY over the new rows and a bulk insert of the aggregated rows, as the migration's backfill does.
 */
async function insertHistory(ctx: GatewayContext, merchant: Merchant, c: Customer, count: number, now: number): Promise<void> {
  if (count <= 0) return;
  const pg = ctx.database.kind === 'postgres';
  const pad = (expr: string, width: number) => (pg ? `lpad(cast(${expr} as text), ${width}, '0')` : `printf('%0${width}d', ${expr})`);
  const walletId = Number(c.wallet.id);
  const newest = now - 60_000;
  const stepMs = Math.floor((HISTORY_SPAN_DAYS * DAY_MS) / count);
  // 7919 is prime and divides no count used here, so (g * 7919) % count visits every slot once.
  const points = `(case r.pt when 0 then 0 when 1 then r.amount else (case when r.amount < 2500 then r.amount else 2500 end) end)`;
  const createdAt = `(${newest} - cast(r.slot as bigint) * ${stepMs})`;
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const statement = `
    with recursive s(g) as (select 1 union all select g + 1 from s where g < ${count}),
    r as (select g, 5000 + (g % 97) * 1000 as amount, g % 3 as pt, (g * 7919) % ${count} as slot from s)
    insert into payments (trx_id, merchant_id, bill_no, fingerprint, wallet_id, phone, cust_name, email, bill_desc,
      amount, pay_type, cash_amount, points_amount, cash_transfer_id, points_transfer_id, status, payment_reff,
      failure_reason, cancel_reason, created_at, expires_at, finished_at)
    select
      '9' || ${pad(String(walletId), 5)} || ${pad('r.g', 10)},
      ${q(merchant.merchantId)}, 'H${walletId}-' || r.g, 'history', ${walletId}, ${q(c.phone)}, ${q(c.name)},
      'customer@example.com', 'Bench history', r.amount, cast(r.pt as text),
      r.amount - ${points}, ${points}, null, null,
      case r.g % 20 when 0 then 'FAILED' when 1 then 'EXPIRED' else 'SUCCESS' end,
      ${pad('r.g', 12)},
      case r.g % 20 when 0 then 'Insufficient balance' when 1 then 'Payment expired' else null end, null,
      ${createdAt}, ${createdAt} + ${ctx.config.payment_ttl_s * 1000}, ${createdAt} + 30000
    from r`;
  await inTransaction(ctx.database, async (tx) => {
    // The benchmark's server may run with synchronous_commit=off; VACUUM cannot mark a page all-visible
    // (no index-only scans) until the inserting commit is flushed, so this one commit waits for its flush.
    if (pg) await sql`set local synchronous_commit = on`.execute(tx);
    await sql.raw(statement).execute(tx);
    await backfillPaymentDayCounts(tx, { merchantId: merchant.merchantId, walletId: c.wallet.id });
  });
}
