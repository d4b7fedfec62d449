// The merchant's amount scale (PROTOCOL.md §3.1): the ledger keeps whole rupiah, the wire may carry two
// implied decimals. Every amount crossing the wire for a merchant goes through these two functions.
import type { AmountDecimals } from './merchant.ts';

const FACTOR: Readonly<Record<AmountDecimals, bigint>> = { 0: 1n, 2: 100n };

/** Whole rupiah → the merchant's wire amount. */
export function toWireAmount(scale: { amountDecimals: AmountDecimals }, rupiah: bigint): bigint {
  return rupiah * FACTOR[scale.amountDecimals];
}

/** The merchant's wire amount → whole rupiah, or null when it names a fraction of a rupiah. */
export function fromWireAmount(scale: { amountDecimals: AmountDecimals }, wire: bigint): bigint | null {
  const factor = FACTOR[scale.amountDecimals];
  return wire % factor === 0n ? wire / factor : null;
}
