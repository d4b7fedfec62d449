// Wire text → typed value, by field kind (names.ts). Shared by replies and notifications.
import { isPaymentStatusCode, parseAmount } from '@ovo-tokenize/protocol';
import { AMOUNT_FIELDS, COUNT_FIELDS, STATUS_CODE_FIELDS } from './names.ts';

const AMOUNTS: ReadonlySet<string> = new Set<string>(AMOUNT_FIELDS);
const COUNTS: ReadonlySet<string> = new Set<string>(COUNT_FIELDS);
const STATUS_CODES: ReadonlySet<string> = new Set<string>(STATUS_CODE_FIELDS);

/** Thrown to the caller's own error type by `onError`. */
export type Complain = (message: string) => Error;

export function wireValue(wire: string, value: string, complain: Complain): string | bigint | number {
  if (AMOUNTS.has(wire)) return wireAmount(wire, value, complain);
  if (COUNTS.has(wire)) {
    if (!/^[0-9]{1,9}$/.test(value)) throw complain(`${wire} is not a whole number: ${value}`);
    return Number(value);
  }
  // A status code this client does not know is reported as 9 (Unknown), never mistaken for another.
  if (STATUS_CODES.has(wire)) return isPaymentStatusCode(value) ? value : '9';
  return value;
}

/** Whole rupiah; Faspay itself writes `10000.00`. */
export function wireAmount(wire: string, value: string, complain: Complain): bigint {
  const parsed = parseAmount(value);
  if (parsed === null) throw complain(`${wire} is not a whole amount: ${value}`);
  return parsed;
}
