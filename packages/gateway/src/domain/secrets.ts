// Comparing and storing the secrets a hosted page hands a browser (cookie keys, CSRF tokens, session
// tokens): one way, so no copy compares with `===` and leaks by timing how much of a secret matched.
import { createHash, timingSafeEqual } from 'node:crypto';

/** What is stored of a browser key or a session token: its SHA-256, never the secret itself. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant time whatever the inputs' lengths (both are hashed to 32 bytes first). */
export function secretsEqual(expected: string, given: string | undefined | null): boolean {
  if (given === undefined || given === null) return false;
  return timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(given).digest());
}
