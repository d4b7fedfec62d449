import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from './ports.ts';

export const systemRandom: Random = {
  bytes: (length) => randomBytes(length),
  int: (min, max) => randomInt(min, max),
};

/** An unguessable URL-safe token: 32 bytes, base64url. */
export function randomToken(random: Random): string {
  return random.bytes(32).toString('base64url');
}
