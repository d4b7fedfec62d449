// The activation callback (spec §4.2): a GET to the merchant's callback URL when a linking attempt ends,
// with the same parameters appended to the return URL the customer's browser comes back to.
import { ACTIVATION_CALLBACK, activationCallbackSignature, signaturesEqual } from '@ovo-tokenize/protocol';
import { OvoFormatError, OvoSignatureVerificationError } from '../errors.ts';
import { tsName } from '../names.ts';
import type { ActivationCallback } from '../types.ts';

/** The query: URLSearchParams, a query string or URL, or a framework's parsed `req.query` object. */
export type CallbackQuery = URLSearchParams | string | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyActivationCallbackOptions {
  readonly userId: string;
  readonly password: string;
}

function invalid(message: string): OvoFormatError {
  return new OvoFormatError(message, { code: 'invalid_callback' });
}

/** Any accepted query shape as URLSearchParams (shared with the payment return). */
export function toParams(query: CallbackQuery): URLSearchParams {
  if (query instanceof URLSearchParams) return query;
  if (typeof query === 'string') {
    const question = query.indexOf('?');
    return new URLSearchParams(question === -1 ? query : query.slice(question + 1));
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) params.append(key, item);
  }
  return params;
}

/**
 * Reads the callback (or the return URL's query) and checks its signature,
 * sha1(md5(user_id + password + phone_number + response_code)), in constant time. Only a verified
 * `linked: true` means the customer linked: the browser's return alone proves nothing.
 */
export function verifyActivationCallback(query: CallbackQuery, options: VerifyActivationCallbackOptions): ActivationCallback {
  const params = toParams(query);
  const fields: Record<string, string> = {};
  const out: Record<string, unknown> = {};
  for (const wire of ACTIVATION_CALLBACK.fields) {
    const values = params.getAll(wire);
    if (values.length === 0) throw invalid(`activation callback has no ${wire}`);
    if (values.length > 1) throw invalid(`activation callback has ${wire} more than once`);
    fields[wire] = values[0]!;
    out[tsName(wire)] = values[0];
  }
  const expected = activationCallbackSignature(options.userId, options.password, fields.phone_number!, fields.response_code!);
  if (!signaturesEqual(expected, fields.signature!)) {
    throw new OvoSignatureVerificationError('activation callback signature does not match', 'signature_mismatch');
  }
  return { ...out, linked: fields.response_code === '00' } as ActivationCallback;
}
