import { createHmac, scrypt as scryptCallback, timingSafeEqual, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (pw: Buffer, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// A 6-digit PIN has only a million values: the hash must be slow (scrypt) and keyed by a pepper that is not
// in the database, so a stolen database alone cannot be brute-forced. Lockout does the rest.
const COST = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

export function isValidPin(pin: string): boolean {
  return /^[0-9]{6}$/.test(pin);
}

export async function hashPin(pin: string, pepper: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(peppered(pin, pepper), salt, KEY_BYTES, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPin(pin: string, stored: string, pepper: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(peppered(pin, pepper), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: COST.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** One-time codes live minutes and allow five tries, so a keyed fast hash is enough. */
export function hashOtp(sessionId: string, otp: string, pepper: string): string {
  return createHmac('sha256', pepper).update(`otp:${sessionId}:${otp}`).digest('base64url');
}

export function otpMatches(sessionId: string, otp: string, stored: string, pepper: string): boolean {
  const actual = Buffer.from(hashOtp(sessionId, otp, pepper));
  const expected = Buffer.from(stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function peppered(pin: string, pepper: string): Buffer {
  return createHmac('sha256', pepper).update(`pin:${pin}`).digest();
}
