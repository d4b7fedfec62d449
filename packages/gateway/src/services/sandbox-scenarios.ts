// Sandbox scenarios (README "Scenarios"): put a test wallet into a state at once, or arm the next payments
// of a phone or the next calls of an operation to end a chosen way. Immediate ones change the wallet, its
// links or its PIN the way the real event does, through the same store functions, and are recorded; armed
// ones are taken one use at a time by the payment path (services/payments.ts) and by the operation routes
// (api/sandbox/scenarios.ts), both only in sandbox mode.
import {
  OPERATION_NAMES, RESPONSE_CODES, isMerchantId, isOperationName, isResponseCode, normalizePhone, type ResponseCode,
} from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import type { Wallet } from '../domain/wallet.ts';
import type { Database } from '../store/database.ts';
import { fundingAccount, lockAccounts, transfer } from '../store/ledger.ts';
import { endLink, expireLinkNow } from '../store/links.ts';
import { findMerchant } from '../store/merchants.ts';
import {
  deleteAllScenarios, disarmScenario, insertScenario, listArmedKeys, listScenarios, takeArmedScenario, type ScenarioRow,
} from '../store/sandbox-scenarios.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';
import { endOtherSessionsOfWallet } from '../store/wallet-sessions.ts';
import { changeWalletPhone, findWalletByPhone, lockPin, walletBalances } from '../store/wallets.ts';

export const SCENARIO_TYPES = ['set_balance', 'expire_link', 'break_link', 'change_phone', 'lock_pin', 'payment_outcome', 'response_code'] as const;
export type ScenarioType = (typeof SCENARIO_TYPES)[number];

export const PAYMENT_OUTCOMES = ['insufficient_funds', 'failed', 'expired', 'pending'] as const;
export type PaymentOutcome = (typeof PAYMENT_OUTCOMES)[number];

/** What each type does, for the API's refusals and the CLI's help. */
export const SCENARIO_HELP: Readonly<Record<ScenarioType, string>> = {
  set_balance: 'phone_no, cash and/or points: sets the available balances (through the ledger)',
  expire_link: 'phone_no, merchant_id: the link runs out now; the next payment answers 02 with a relink url',
  break_link: 'phone_no, merchant_id: the customer unlinks the shop in the OVO app; the next call answers 02',
  change_phone: 'phone_no, new_phone_no: the customer changes their number; every link of the wallet stops working',
  lock_pin: 'phone_no: the PIN is locked as after too many wrong attempts (for pin_lock_s)',
  payment_outcome: `phone_no, outcome (${PAYMENT_OUTCOMES.join(' | ')}), count: how the next payments of the phone end`,
  response_code: 'operation, response_code, count, merchant_id (optional): the next calls answer that code and do nothing',
};

/** Limits on what a scenario may ask for. */
export const SCENARIO_LIMITS = { count_max: 1000, balance_max: 10_000_000_000n } as const;

/** A scenario the sandbox refused: bad input (`invalid`), an unknown wallet, link or merchant, or a number taken. */
export class ScenarioRefused extends Error {
  constructor(readonly kind: 'invalid' | 'unknown' | 'conflict', message: string) {
    super(message);
    this.name = 'ScenarioRefused';
  }
}

/** A scenario as the sandbox API shows it. */
export interface ScenarioView {
  id: string;
  type: string;
  [parameter: string]: string | number | null;
  state: string;
  remaining: number | null;
  created_at: string;
}

export function scenarioView(row: ScenarioRow): ScenarioView {
  return {
    id: String(row.id), type: row.type, ...row.parameters, state: row.state, remaining: row.remaining,
    created_at: new Date(row.createdAt).toISOString(),
  };
}

/** Checks `input` (`type` and its parameters), applies an immediate scenario or arms one, and records it. */
export async function addScenario(ctx: GatewayContext, input: Record<string, unknown>): Promise<ScenarioRow> {
  const type = input.type;
  if (typeof type !== 'string' || !(SCENARIO_TYPES as readonly string[]).includes(type)) {
    throw new ScenarioRefused('invalid', `type must be one of ${SCENARIO_TYPES.join(', ')}`);
  }
  const row = await ADD[type as ScenarioType](ctx, input);
  await refreshArmed(ctx.database);
  return row;
}

export async function scenarios(ctx: GatewayContext): Promise<ScenarioRow[]> {
  return listScenarios(ctx.database.db);
}

/** Disarms one scenario; an immediate or used one stays as it is. */
export async function removeScenario(ctx: GatewayContext, id: string): Promise<ScenarioRow> {
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new ScenarioRefused('invalid', 'id must be a scenario id (a positive integer)');
  const row = await disarmScenario(ctx.database.db, BigInt(id), ctx.clock.now());
  if (!row) throw new ScenarioRefused('unknown', `no scenario ${id}`);
  await refreshArmed(ctx.database);
  return row;
}

/** Disarms and forgets every scenario. What immediate ones did stays done. */
export async function resetScenarios(ctx: GatewayContext): Promise<number> {
  const removed = await deleteAllScenarios(ctx.database.db);
  await refreshArmed(ctx.database);
  return removed;
}

// ——— immediate scenarios ———

type Add = (ctx: GatewayContext, input: Record<string, unknown>) => Promise<ScenarioRow>;

const ADD: Readonly<Record<ScenarioType, Add>> = {
  async set_balance(ctx, input) {
    const phone = phoneField(input, 'phone_no');
    const cash = optionalAmount(input, 'cash');
    const points = optionalAmount(input, 'points');
    if (cash === undefined && points === undefined) throw new ScenarioRefused('invalid', 'set_balance needs cash, points or both');
    return withWallet(ctx, phone, async (tx, wallet, now) => {
      await lockAccounts(ctx.database, tx, [wallet.cashAccountId, wallet.pointsAccountId]);
      const current = await walletBalances(tx, wallet);
      if (cash !== undefined) await moveTo(tx, wallet.cashAccountId, 'funding_cash', current.cash, cash, now);
      if (points !== undefined) await moveTo(tx, wallet.pointsAccountId, 'funding_points', current.points, points, now);
      const parameters: Record<string, string> = { phone_no: phone };
      if (cash !== undefined) parameters.cash = String(cash);
      if (points !== undefined) parameters.points = String(points);
      return insertScenario(tx, { type: 'set_balance', parameters, now });
    });
  },
  async expire_link(ctx, input) {
    const { phone, merchantId } = linkFields(input);
    return withWallet(ctx, phone, async (tx, wallet, now) => {
      if (!await expireLinkNow(tx, merchantId, wallet.id, now)) throw noLink(phone, merchantId);
      return insertScenario(tx, { type: 'expire_link', parameters: { phone_no: phone, merchant_id: merchantId }, now });
    });
  },
  async break_link(ctx, input) {
    const { phone, merchantId } = linkFields(input);
    return withWallet(ctx, phone, async (tx, wallet, now) => {
      // What the customer's unlink in the wallet app does (services/wallet-app.ts unlinkMerchant).
      if (!await endLink(tx, merchantId, wallet.id, 'customer', now)) throw noLink(phone, merchantId);
      return insertScenario(tx, { type: 'break_link', parameters: { phone_no: phone, merchant_id: merchantId }, now });
    });
  },
  async change_phone(ctx, input) {
    const phone = phoneField(input, 'phone_no');
    const newPhone = phoneField(input, 'new_phone_no');
    if (newPhone === phone) throw new ScenarioRefused('invalid', 'new_phone_no is the wallet\'s phone number already');
    try {
      return await withWallet(ctx, phone, async (tx, wallet, now) => {
        if (await findWalletByPhone(tx, newPhone)) throw numberTaken(newPhone);
        // As the wallet app's change (services/wallet-app.ts changePhone): new number and phone_version, and
        // the wallet's app sessions are signed out.
        if (!await changeWalletPhone(tx, wallet.id, wallet.phone, newPhone)) throw new ScenarioRefused('conflict', `the wallet of ${phone} changed meanwhile; try again`);
        await endOtherSessionsOfWallet(tx, wallet.id, '', 'phone_changed', now);
        return insertScenario(tx, { type: 'change_phone', parameters: { phone_no: phone, new_phone_no: newPhone }, now });
      });
    } catch (error) {
      // Another wallet took the number between the check and the update: the unique index refused it.
      if (!(error instanceof ScenarioRefused) && await findWalletByPhone(ctx.database.db, newPhone)) throw numberTaken(newPhone);
      throw error;
    }
  },
  async lock_pin(ctx, input) {
    const phone = phoneField(input, 'phone_no');
    return withWallet(ctx, phone, async (tx, wallet, now) => {
      const until = now + ctx.config.pin_lock_s * 1000;
      await lockPin(tx, wallet.id, until, ctx.config.pin_attempts_max);
      return insertScenario(tx, { type: 'lock_pin', parameters: { phone_no: phone, locked_until: new Date(until).toISOString() }, now });
    });
  },

  // ——— armed scenarios ———

  async payment_outcome(ctx, input) {
    const phone = phoneField(input, 'phone_no');
    const outcome = input.outcome;
    if (typeof outcome !== 'string' || !(PAYMENT_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new ScenarioRefused('invalid', `outcome must be one of ${PAYMENT_OUTCOMES.join(', ')}`);
    }
    const count = countField(input);
    return withWallet(ctx, phone, (tx, _wallet, now) => insertScenario(tx, {
      type: 'payment_outcome', parameters: { phone_no: phone, outcome }, key: { phone }, count, now,
    }));
  },
  async response_code(ctx, input) {
    const operation = input.operation;
    if (typeof operation !== 'string' || !isOperationName(operation)) {
      throw new ScenarioRefused('invalid', `operation must be one of ${OPERATION_NAMES.join(', ')}`);
    }
    const code = typeof input.response_code === 'number' ? String(input.response_code).padStart(2, '0') : input.response_code;
    if (typeof code !== 'string' || !isResponseCode(code) || code === '00') {
      throw new ScenarioRefused('invalid', `response_code must be one of ${Object.keys(RESPONSE_CODES).filter((c) => c !== '00').join(', ')}`);
    }
    const count = countField(input);
    let merchantId: string | undefined;
    if (input.merchant_id !== undefined) {
      merchantId = merchantIdField(input);
      if (!await findMerchant(ctx.database.db, merchantId)) throw new ScenarioRefused('unknown', `no merchant ${merchantId}`);
    }
    const parameters: Record<string, string> = { operation, response_code: code };
    if (merchantId !== undefined) parameters.merchant_id = merchantId;
    return insertScenario(ctx.database.db, { type: 'response_code', parameters, key: { operation, merchantId }, count, now: ctx.clock.now() });
  },
};

/** Runs `work` in one transaction with the wallet of `phone`; an unknown phone is refused. */
async function withWallet(ctx: GatewayContext, phone: string, work: (tx: Tx, wallet: Wallet, now: number) => Promise<ScenarioRow>): Promise<ScenarioRow> {
  return inTransaction(ctx.database, async (tx) => {
    const wallet = await findWalletByPhone(tx, phone);
    if (!wallet) throw new ScenarioRefused('unknown', `no OVO wallet with phone_no ${phone} (a sandbox wallet is made by its first activation)`);
    return work(tx, wallet, ctx.clock.now());
  });
}

/** Brings an account's available balance from `current` to `target` by a transfer to or from its funding account. */
async function moveTo(tx: Tx, accountId: bigint, funding: 'funding_cash' | 'funding_points', current: bigint, target: bigint, now: number): Promise<void> {
  if (current === target) return;
  const source = await fundingAccount(tx, funding, now);
  const reference = 'sandbox:set_balance';
  if (target > current) await transfer(tx, { debitAccountId: source, creditAccountId: accountId, amount: target - current, reference, now });
  else await transfer(tx, { debitAccountId: accountId, creditAccountId: source, amount: current - target, reference, now });
}

function phoneField(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  const phone = typeof value === 'string' ? normalizePhone(value.trim()) : null;
  if (!phone) throw new ScenarioRefused('invalid', `${name} must be an Indonesian mobile number, e.g. 081234567890`);
  return phone;
}

function merchantIdField(input: Record<string, unknown>): string {
  const value = typeof input.merchant_id === 'number' ? String(input.merchant_id) : input.merchant_id;
  if (!isMerchantId(value)) throw new ScenarioRefused('invalid', 'merchant_id must be a merchant id, e.g. 99999');
  return value;
}

function linkFields(input: Record<string, unknown>): { phone: string; merchantId: string } {
  const phone = phoneField(input, 'phone_no');
  if (input.merchant_id === undefined) throw new ScenarioRefused('invalid', 'merchant_id is required: the shop whose link it is');
  return { phone, merchantId: merchantIdField(input) };
}

function optionalAmount(input: Record<string, unknown>, name: 'cash' | 'points'): bigint | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[0-9]{1,15}$/.test(text) || BigInt(text) > SCENARIO_LIMITS.balance_max) {
    throw new ScenarioRefused('invalid', `${name} must be a whole number from 0 to ${SCENARIO_LIMITS.balance_max}`);
  }
  return BigInt(text);
}

function countField(input: Record<string, unknown>): number {
  const value = input.count ?? 1;
  const count = typeof value === 'string' && /^[0-9]{1,4}$/.test(value.trim()) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > SCENARIO_LIMITS.count_max) {
    throw new ScenarioRefused('invalid', `count must be a whole number from 1 to ${SCENARIO_LIMITS.count_max}`);
  }
  return count;
}

function noLink(phone: string, merchantId: string): ScenarioRefused {
  return new ScenarioRefused('unknown', `the wallet of ${phone} has no live link with merchant ${merchantId}`);
}

function numberTaken(phone: string): ScenarioRefused {
  return new ScenarioRefused('conflict', `new_phone_no ${phone} already belongs to another OVO wallet`);
}

// ——— taking armed scenarios ———

/**
 * What the armed scenarios wait for, kept in memory so that a payment or call nobody armed anything for
 * costs no statement (the payment path's statement count is measured in sandbox mode too). Loaded from the
 * database on first use and again after every change made here: scenarios are armed through this gateway's
 * /sandbox API (the CLI is a client of it), so the process that arms one is the one that acts on it.
 */
interface ArmedIndex {
  phones: ReadonlySet<string>;
  operations: ReadonlySet<string>;
}

const armedIndexes = new WeakMap<Database, Promise<ArmedIndex>>();

function refreshArmed(database: Database): Promise<ArmedIndex> {
  const loading = listArmedKeys(database.db).then((keys) => ({
    phones: new Set(keys.flatMap((k) => (k.type === 'payment_outcome' && k.phone !== null ? [k.phone] : []))),
    operations: new Set(keys.flatMap((k) => (k.type === 'response_code' && k.operation !== null ? [k.operation] : []))),
  }));
  armedIndexes.set(database, loading);
  loading.catch(() => armedIndexes.delete(database));
  return loading;
}

function armedIndex(database: Database): Promise<ArmedIndex> {
  return armedIndexes.get(database) ?? refreshArmed(database);
}

/** The outcome an armed scenario gives this payment of `phone`, taking one use of it; undefined when none is armed. */
export async function takePaymentOutcome(ctx: GatewayContext, phone: string): Promise<PaymentOutcome | undefined> {
  if (!(await armedIndex(ctx.database)).phones.has(phone)) return undefined;
  const taken = await takeArmedScenario(ctx.database.db, 'payment_outcome', { phone });
  if (taken?.state !== 'armed') await refreshArmed(ctx.database);
  return taken?.parameters.outcome as PaymentOutcome | undefined;
}

/** The response code an armed scenario gives this call, taking one use of it; undefined when none is armed. */
export async function takeResponseCode(ctx: GatewayContext, operation: string, merchantId: string): Promise<ResponseCode | undefined> {
  if (!(await armedIndex(ctx.database)).operations.has(operation)) return undefined;
  const taken = await takeArmedScenario(ctx.database.db, 'response_code', { operation, merchantId });
  if (taken?.state !== 'armed') await refreshArmed(ctx.database);
  return taken?.parameters.response_code as ResponseCode | undefined;
}
