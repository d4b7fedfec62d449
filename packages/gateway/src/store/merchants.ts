import type { Kysely, Selectable, Updateable } from 'kysely';
import type { WireFormat } from '@ovo-tokenize/protocol';
import type { AmountDecimals, Merchant } from '../domain/merchant.ts';
import { SETTLEMENT_SHARDS } from '../domain/ledger-rules.ts';
import { createAccount } from './ledger.ts';
import { createSettlementShards } from './settlement-shards.ts';
import type { MerchantTable, Schema } from './schema.ts';
import type { Tx } from './transaction.ts';

export interface MerchantInput {
  merchantId: string;
  name: string;
  userId: string;
  password: string;
  callbackUrl?: string | null;
  returnUrl?: string | null;
  paymentReturnUrl?: string | null;
  notifyUrl?: string | null;
  notifyFormat?: WireFormat;
  allowIps?: readonly string[];
  hmacSecret?: string | null;
  pinlessLimit?: bigint;
  paymentOtp?: boolean;
  maxAmount?: bigint | null;
  amountDecimals?: AmountDecimals;
}

/**
 * `settlementShards`: how many settlement accounts of each currency; 1 (only the merchants row's own) also
 * provisions a database migrated to before migration 010 (tests).
 */
export async function insertMerchant(tx: Tx, input: MerchantInput, now: number,
  { settlementShards = SETTLEMENT_SHARDS }: { settlementShards?: number } = {}): Promise<Merchant> {
  const settlementAccountId = await createAccount(tx, 'merchant_settlement', now);
  const pointsSettlementAccountId = await createAccount(tx, 'merchant_points_settlement', now);
  await tx.insertInto('merchants').values({
    merchant_id: input.merchantId,
    name: input.name,
    user_id: input.userId,
    password: input.password,
    callback_url: input.callbackUrl ?? null,
    return_url: input.returnUrl ?? null,
    notify_url: input.notifyUrl ?? null,
    notify_format: input.notifyFormat ?? 'json',
    allow_ips: JSON.stringify(input.allowIps ?? []),
    hmac_secret: input.hmacSecret ?? null,
    pinless_limit: input.pinlessLimit ?? 0n,
    payment_otp: input.paymentOtp ? 1n : 0n,
    max_amount: input.maxAmount ?? null,
    status: 'active',
    settlement_account_id: settlementAccountId,
    points_settlement_account_id: pointsSettlementAccountId,
    created_at: BigInt(now),
    // Later settings only when given, so this also provisions a database migrated to an older version (tests).
    ...(input.paymentReturnUrl ? { payment_return_url: input.paymentReturnUrl } : {}),
    ...(input.amountDecimals ? { amount_decimals: BigInt(input.amountDecimals) } : {}),
  }).execute();
  await createSettlementShards(tx, input.merchantId, settlementShards, now);
  return (await findMerchant(tx, input.merchantId))!;
}

export type MerchantChanges = Partial<Omit<MerchantInput, 'merchantId'>> & { status?: 'active' | 'suspended' };

export async function updateMerchant(tx: Tx, merchantId: string, changes: MerchantChanges): Promise<Merchant | undefined> {
  const set: Updateable<MerchantTable> = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.userId !== undefined) set.user_id = changes.userId;
  if (changes.password !== undefined) set.password = changes.password;
  if (changes.callbackUrl !== undefined) set.callback_url = changes.callbackUrl;
  if (changes.returnUrl !== undefined) set.return_url = changes.returnUrl;
  if (changes.paymentReturnUrl !== undefined) set.payment_return_url = changes.paymentReturnUrl;
  if (changes.notifyUrl !== undefined) set.notify_url = changes.notifyUrl;
  if (changes.notifyFormat !== undefined) set.notify_format = changes.notifyFormat;
  if (changes.allowIps !== undefined) set.allow_ips = JSON.stringify(changes.allowIps);
  if (changes.hmacSecret !== undefined) set.hmac_secret = changes.hmacSecret;
  if (changes.pinlessLimit !== undefined) set.pinless_limit = changes.pinlessLimit;
  if (changes.paymentOtp !== undefined) set.payment_otp = changes.paymentOtp ? 1n : 0n;
  if (changes.maxAmount !== undefined) set.max_amount = changes.maxAmount;
  if (changes.amountDecimals !== undefined) set.amount_decimals = BigInt(changes.amountDecimals);
  if (changes.status !== undefined) set.status = changes.status;
  if (Object.keys(set).length > 0) {
    await tx.updateTable('merchants').set(set).where('merchant_id', '=', merchantId).execute();
    merchantsChanged += 1;
  }
  return findMerchant(tx, merchantId);
}

/**
 * How long a running gateway may answer with a merchant's settings as it read them. A change made in this
 * process is seen at once; one made by another process (`ovo-tokenize merchant update` beside `serve`, a
 * second gateway) within this time.
 */
export const MERCHANT_CACHE_TTL_MS = 1_000;

/** Bumped by every change made in this process: a cached merchant read before it is read again. */
let merchantsChanged = 0;
const merchantCaches = new WeakMap<object, Map<string, { merchant: Merchant; readAt: number; generation: number }>>();

/** findMerchant for every request's hot path (the API, deliveries): read at most once per MERCHANT_CACHE_TTL_MS. */
export async function findMerchantCached(db: Kysely<Schema>, merchantId: string, now = Date.now()): Promise<Merchant | undefined> {
  let cache = merchantCaches.get(db);
  if (!cache) merchantCaches.set(db, (cache = new Map()));
  const cached = cache.get(merchantId);
  if (cached && cached.generation === merchantsChanged && now - cached.readAt < MERCHANT_CACHE_TTL_MS) return cached.merchant;
  const generation = merchantsChanged;
  const merchant = await findMerchant(db, merchantId);
  if (merchant) cache.set(merchantId, { merchant, readAt: now, generation });
  else cache.delete(merchantId);
  return merchant;
}

export async function findMerchant(tx: Tx, merchantId: string): Promise<Merchant | undefined> {
  const row = await tx.selectFrom('merchants').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst();
  return row && toMerchant(row);
}

export async function listMerchants(tx: Tx): Promise<Merchant[]> {
  const rows = await tx.selectFrom('merchants').selectAll().orderBy('created_at').orderBy('merchant_id').execute();
  return rows.map(toMerchant);
}

export async function countMerchants(tx: Tx): Promise<number> {
  const row = await tx.selectFrom('merchants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function toMerchant(row: Selectable<MerchantTable>): Merchant {
  return {
    merchantId: row.merchant_id,
    name: row.name,
    userId: row.user_id,
    password: row.password,
    callbackUrl: row.callback_url,
    returnUrl: row.return_url,
    paymentReturnUrl: row.payment_return_url ?? null,
    notifyUrl: row.notify_url,
    notifyFormat: row.notify_format === 'xml' ? 'xml' : 'json',
    allowIps: JSON.parse(row.allow_ips) as string[],
    hmacSecret: row.hmac_secret,
    pinlessLimit: BigInt(row.pinless_limit),
    paymentOtp: BigInt(row.payment_otp) === 1n,
    maxAmount: row.max_amount === null ? null : BigInt(row.max_amount),
    amountDecimals: BigInt(row.amount_decimals ?? 0n) === 2n ? 2 : 0,
    status: row.status === 'suspended' ? 'suspended' : 'active',
    settlementAccountId: BigInt(row.settlement_account_id),
    pointsSettlementAccountId: BigInt(row.points_settlement_account_id ?? 0n),
  };
}
