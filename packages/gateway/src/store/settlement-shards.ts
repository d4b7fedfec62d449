// A merchant's settlement accounts (SETTLEMENT_SHARDS in domain/ledger-rules.ts): shard 0 is the pair of
// accounts in its merchants row, the others are rows of settlement_shards. A payment credits one shard,
// picked by its group-commit batch's lane, so one merchant's batches in flight lock different rows; the
// merchant's balance is the sum over all of them. Shards are made with the merchant (or by migration 010)
// and never change, so a process reads them once.
import type { Kysely } from 'kysely';
import type { Merchant } from '../domain/merchant.ts';
import { createAccount, getBalances, type AccountBalance } from './ledger.ts';
import type { Schema } from './schema.ts';
import type { Tx } from './transaction.ts';

/** One shard: a cash and a points settlement account. */
export interface SettlementShard {
  cashAccountId: bigint;
  pointsAccountId: bigint;
}

type MerchantAccounts = Pick<Merchant, 'merchantId' | 'settlementAccountId' | 'pointsSettlementAccountId'>;

/** A merchant's settlement balance in one currency: the sums over its shards. */
export type SettlementBalance = Omit<AccountBalance, 'id' | 'kind'>;

/** Gives a new merchant its shards 1 .. count − 1 (count 1: only its own accounts). */
export async function createSettlementShards(tx: Tx, merchantId: string, count: number, now: number): Promise<void> {
  for (let shard = 1; shard < count; shard++) {
    await tx.insertInto('settlement_shards').values({
      merchant_id: merchantId, shard: BigInt(shard),
      cash_account_id: await createAccount(tx, 'merchant_settlement', now),
      points_account_id: await createAccount(tx, 'merchant_points_settlement', now),
      created_at: BigInt(now),
    }).execute();
  }
}

/** The merchant's shards, shard 0 (its own accounts) first. */
export async function settlementShardsOf(tx: Tx, merchant: MerchantAccounts): Promise<SettlementShard[]> {
  const rows = await tx.selectFrom('settlement_shards').select(['cash_account_id', 'points_account_id'])
    .where('merchant_id', '=', merchant.merchantId).orderBy('shard').execute();
  return [
    { cashAccountId: merchant.settlementAccountId, pointsAccountId: merchant.pointsSettlementAccountId },
    ...rows.map((r) => ({ cashAccountId: BigInt(r.cash_account_id), pointsAccountId: BigInt(r.points_account_id) })),
  ];
}

const shardCaches = new WeakMap<object, Map<string, SettlementShard[]>>();

/** settlementShardsOf for the payment path: read once per merchant and process. */
export async function settlementShardsCached(db: Kysely<Schema>, merchant: MerchantAccounts): Promise<SettlementShard[]> {
  let cache = shardCaches.get(db);
  if (!cache) shardCaches.set(db, (cache = new Map()));
  let shards = cache.get(merchant.merchantId);
  if (!shards) cache.set(merchant.merchantId, (shards = await settlementShardsOf(db, merchant)));
  return shards;
}

/** The shard a group-commit batch credits (see Batch.lane in group-commit.ts). */
export function shardForLane(shards: readonly SettlementShard[], lane: number): SettlementShard {
  return shards[lane % shards.length]!;
}

/** The merchant's settlement balances, each the sum over its shards. */
export async function settlementBalances(tx: Tx, merchant: MerchantAccounts): Promise<{ cash: SettlementBalance; points: SettlementBalance }> {
  const shards = await settlementShardsOf(tx, merchant);
  const balances = await getBalances(tx, shards.flatMap((s) => [s.cashAccountId, s.pointsAccountId]));
  const sum = (ids: bigint[]): SettlementBalance => {
    const total: SettlementBalance = { available: 0n, held: 0n, incomingHeld: 0n, posted: 0n };
    for (const id of ids) {
      const b = balances.get(id);
      if (!b) throw new Error(`settlement account ${id} of merchant ${merchant.merchantId} does not exist`);
      total.available += b.available;
      total.held += b.held;
      total.incomingHeld += b.incomingHeld;
      total.posted += b.posted;
    }
    return total;
  };
  return { cash: sum(shards.map((s) => s.cashAccountId)), points: sum(shards.map((s) => s.pointsAccountId)) };
}
