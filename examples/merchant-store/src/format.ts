// How the shop writes money, phone numbers and pay types for people.
import type { PayType } from '@ovo-tokenize/client';

/** `1000000n` → `1.000.000` (Indonesian digit grouping). */
export function groupDigits(amount: bigint): string {
  const digits = (amount < 0n ? -amount : amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return amount < 0n ? `-${digits}` : digits;
}

/** `25000n` → `Rp 25.000`. OVO Points are worth one rupiah each but are written without `Rp`. */
export function rupiah(amount: bigint): string {
  return `Rp ${groupDigits(amount)}`;
}

export const PAY_TYPE_LABELS: Readonly<Record<PayType, string>> = {
  cash: 'OVO Cash',
  points: 'OVO Points',
  pointsThenCash: 'Points first, then Cash',
};

export const PAY_TYPES = Object.keys(PAY_TYPE_LABELS) as PayType[];

export function isPayType(value: string): value is PayType {
  return Object.hasOwn(PAY_TYPE_LABELS, value);
}

/**
 * `0812-3456-7890`, `+62 812 3456 7890` or `6281234567890` → `081234567890`, the form the gateway uses in
 * callbacks (so the shop can find the customer again); null when it is no Indonesian mobile number.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.replace(/[\s.-]/g, '');
  const match = /^(?:\+62|62|0)(8[0-9]{8,11})$/.exec(compact);
  return match ? `0${match[1]}` : null;
}

/** `081234567890` → `0812****7890` */
export function maskPhone(phone: string): string {
  return phone.length <= 8 ? phone : `${phone.slice(0, 4)}${'*'.repeat(phone.length - 8)}${phone.slice(-4)}`;
}

/** `YYYY-MM-DD` in Jakarta (UTC+7, no daylight saving), the calendar the gateway's dates are in. */
export function jakartaDate(at: Date = new Date()): string {
  return new Date(at.getTime() + 7 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
