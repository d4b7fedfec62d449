const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const PHONE_DIGITS_MIN = 10;
const PHONE_DIGITS_MAX = 13;
const AMOUNT_DIGITS_MAX = 15;

/** `08…`, `628…` or `+628…` → `08…` (10–13 digits), or null. */
export function normalizePhone(input: string): string | null {
  const match = /^(?:\+62|62|0)(8[0-9]+)$/.exec(input);
  if (match === null) return null;
  const national = `0${match[1]}`;
  if (national.length < PHONE_DIGITS_MIN || national.length > PHONE_DIGITS_MAX) return null;
  return national;
}

/** Keeps the first 4 and last 4 characters: `081382826301` → `0813****6301`. */
export function maskPhone(phone: string): string {
  const keep = 4;
  if (phone.length <= keep * 2) {
    return '*'.repeat(Math.max(0, phone.length - keep)) + phone.slice(-keep);
  }
  return phone.slice(0, keep) + '*'.repeat(phone.length - keep * 2) + phone.slice(-keep);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

// Indonesia has had no daylight saving time since 1964, so Jakarta is a fixed UTC+7.
function shiftToJakarta(date: Date): Date {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  return new Date(ms + JAKARTA_OFFSET_MS);
}

/** `YYYY-MM-DD HH:MM:SS` in Asia/Jakarta. */
export function formatJakartaDateTime(date: Date): string {
  const j = shiftToJakarta(date);
  return (
    `${formatUtcDate(j)} ` +
    `${two(j.getUTCHours())}:${two(j.getUTCMinutes())}:${two(j.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DD` in Asia/Jakarta. */
export function formatJakartaDate(date: Date): string {
  return formatUtcDate(shiftToJakarta(date));
}

function formatUtcDate(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** Strict `YYYY-MM-DD` naming a real calendar day; returns the input or null. */
export function parseDate(s: string): string | null {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  // Date.UTC maps years 0–99 to 1900–1999, so build the date with setUTCFullYear.
  const probe = new Date(0);
  probe.setUTCFullYear(year, month, 0);
  if (day > probe.getUTCDate()) return null;
  return s;
}

function requireDate(date: string): [number, number, number] {
  if (parseDate(date) === null) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

/** The instant 00:00:00 Asia/Jakarta of the given day (17:00 UTC the day before). */
export function jakartaDayStart(date: string): Date {
  const [y, m, d] = requireDate(date);
  const utc = new Date(0);
  utc.setUTCFullYear(y, m - 1, d);
  return new Date(utc.getTime() - JAKARTA_OFFSET_MS);
}

/** The instant the day after `date` starts in Asia/Jakarta; use as an exclusive upper bound. */
export function jakartaDayEndExclusive(date: string): Date {
  return new Date(jakartaDayStart(date).getTime() + DAY_MS);
}

/**
 * Whole rupiah: digits only, optionally followed by `.0` or `.00` (Faspay itself sends `10000.00`),
 * at most 15 digits. Returns null for anything else; the caller decides whether 0 is allowed.
 */
export function parseAmount(s: string): bigint | null {
  const match = /^([0-9]+)(?:\.00?)?$/.exec(s);
  if (match === null) return null;
  const digits = match[1] as string;
  if (digits.length > AMOUNT_DIGITS_MAX) return null;
  return BigInt(digits);
}
