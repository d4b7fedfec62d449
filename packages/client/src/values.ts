// Wire text → typed value, by field kind (names.ts). Shared by replies and notifications.
import { isPaymentStatusCode, parseAmount } from '@ovo-tokenize/protocol';
import { AMOUNT_FIELDS, COUNT_FIELDS, STATUS_CODE_FIELDS } from './names.ts';

const AMOUNTS: ReadonlySet<string> = new Set<string>(AMOUNT_FIELDS);
const COUNTS: ReadonlySet<string> = new Set<string>(COUNT_FIELDS);
const STATUS_CODES: ReadonlySet<string> = new Set<string>(STATUS_CODE_FIELDS);

/**
 * Implied decimals of every amount on the wire (PROTOCOL.md §3.1), as the gateway has them set for the
 * merchant: 0 (`25000` is Rp 25.000) or 2 (`2500000` is Rp 25.000,00). Callers always see whole rupiah.
 */
export type AmountDecimals = 0 | 2;

const WIRE_FACTOR: Readonly<Record<AmountDecimals, bigint>> = { 0: 1n, 2: 100n };

export function checkAmountDecimals(value: unknown): AmountDecimals {
  if (value !== 0 && value !== 2) throw new TypeError('amountDecimals must be 0 or 2');
  return value;
}

/** Whole rupiah → the amount as the wire carries it. */
export function amountToWire(rupiah: bigint, decimals: AmountDecimals): bigint {
  return rupiah * WIRE_FACTOR[decimals];
}

/** Builds the caller's own error type for a value that cannot be read. */
export type Complain = (message: string) => Error;

export function wireValue(wire: string, value: string, complain: Complain, decimals: AmountDecimals): string | bigint | number {
  if (AMOUNTS.has(wire)) return wireAmount(wire, value, complain, decimals);
  if (COUNTS.has(wire)) {
    if (!/^[0-9]{1,9}$/.test(value)) throw complain(`${wire} is not a whole number: ${value}`);
    return Number(value);
  }
  // A status code this client does not know is reported as 9 (Unknown), never mistaken for another.
  if (STATUS_CODES.has(wire)) return isPaymentStatusCode(value) ? value : '9';
  return value;
}

/**
 * The wire amount in whole rupiah; Faspay itself writes `10000.00`. A fraction of a rupiah is refused, not
 * rounded: it means the client's amountDecimals is not the gateway's setting for this merchant.
 */
export function wireAmount(wire: string, value: string, complain: Complain, decimals: AmountDecimals): bigint {
  const parsed = parseAmount(value);
  if (parsed === null) throw complain(`${wire} is not a whole amount: ${value}`);
  const factor = WIRE_FACTOR[decimals];
  if (parsed % factor !== 0n) throw complain(`${wire} ${value} is not whole rupiah with ${decimals} implied decimals`);
  return parsed / factor;
}
