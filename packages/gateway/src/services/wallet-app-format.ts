// How the wallet app writes money, points and times for people: `Rp 1.000.000`, `50.000`, `12 Mar 2025, 14:05 WIB`.
import { formatJakartaDateTime } from '@ovo-tokenize/protocol';

/** Thousands separated by dots, the Indonesian way; a minus sign in front when negative. */
export function groupThousands(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return negative ? `−${grouped}` : grouped;
}

export function formatRupiah(value: bigint): string {
  return value < 0n ? `−Rp ${groupThousands(-value)}` : `Rp ${groupThousands(value)}`;
}

export function formatPoints(value: bigint): string {
  return groupThousands(value);
}

const MONTHS = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  id: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
} as const;

/** `12 Mar 2025, 14:05 WIB` (Asia/Jakarta). */
export function formatJakartaTime(ms: number, lang: 'en' | 'id' = 'en'): string {
  return `${formatJakartaDay(ms, lang)}, ${formatJakartaDateTime(new Date(ms)).slice(11, 16)} WIB`;
}

/** `12 Mar 2025` (Asia/Jakarta). */
export function formatJakartaDay(ms: number, lang: 'en' | 'id' = 'en'): string {
  const [y, m, d] = formatJakartaDateTime(new Date(ms)).slice(0, 10).split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[lang][m - 1]} ${y}`;
}

/**
 * Reads an amount typed by a person: `100000`, `100.000`, `Rp 100.000` or `100,000`; whole rupiah only.
 * Returns null for anything else.
 */
export function parseRupiahInput(text: string): bigint | null {
  const match = /^(?:rp\.?\s*)?([0-9]{1,3}(?:[.,\s][0-9]{3})+|[0-9]{1,13})$/i.exec(text.trim());
  if (!match) return null;
  return BigInt(match[1]!.replace(/[^0-9]/g, ''));
}
