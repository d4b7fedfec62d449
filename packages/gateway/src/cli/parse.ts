import { isIP } from 'node:net';
import { isMerchantId, normalizePhone } from '@ovo-tokenize/protocol';
import { InvalidArgumentError } from 'commander';

export function rupiah(value: string): bigint {
  if (!/^[0-9]{1,15}$/.test(value)) throw new InvalidArgumentError('must be a whole number of rupiah');
  return BigInt(value);
}

export function phone(value: string): string {
  const normalised = normalizePhone(value);
  if (!normalised) throw new InvalidArgumentError('must be an Indonesian mobile number (08…, 10–13 digits)');
  return normalised;
}

export function pin(value: string): string {
  if (!/^[0-9]{6}$/.test(value)) throw new InvalidArgumentError('must be 6 digits');
  return value;
}

export function merchantId(value: string): string {
  if (!isMerchantId(value)) throw new InvalidArgumentError('must be 1–10 digits');
  return value;
}

export function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http(s) URL');
  return url.toString();
}

export function amountDecimals(value: string): 0 | 2 {
  if (value !== '0' && value !== '2') throw new InvalidArgumentError('must be 0 or 2');
  return value === '2' ? 2 : 0;
}

export function wireFormat(value: string): 'json' | 'xml' {
  if (value !== 'json' && value !== 'xml') throw new InvalidArgumentError('must be json or xml');
  return value;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A repeatable IPv4/IPv6 address option: a typo would otherwise lock the merchant out with 56. */
export function collectIp(value: string, previous: string[] = []): string[] {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IP address (IPv4 or IPv6)');
  return [...previous, value];
}

/** Prints rows as an aligned plain-text table. */
export function printTable(rows: ReadonlyArray<Record<string, string>>): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => row[c] ?? '')));
}
