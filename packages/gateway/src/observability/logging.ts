// What the gateway's pino logger may write. Request bodies are never logged (the access line in
// api/access-log.ts names the call, not its content), and the redaction below is the backstop should a
// header or a secret-named field ever reach a log call: PINs, OTPs, passwords, signatures, HMAC secrets.
import type { FastifyServerOptions } from 'fastify';

export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  'body',
  '*.body',
  ...['pin', 'otp', 'password', 'signature', 'hmacSecret', 'hmac_secret', 'pinPepper'].flatMap((name) => [name, `*.${name}`]),
];

/** Logger options for Fastify: the level, the redaction, and where lines go (stdout unless a stream is given). */
export function gatewayLoggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return { level, redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' }, ...(stream ? { stream } : {}) };
}

/** A run of 13–19 digits is shaped like a card number: only its first six and last four digits are logged. */
export function maskCardNumbers(text: string): string {
  return text.replace(/\d{13,19}/g, (digits) => `${digits.slice(0, 6)}…${digits.slice(-4)}`);
}
