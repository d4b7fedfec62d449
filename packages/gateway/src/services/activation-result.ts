import { ACTIVATION_CALLBACK, activationCallbackSignature } from '@ovo-tokenize/protocol';
import type { Merchant } from '../domain/merchant.ts';

export const ACTIVATION_CALLBACK_RESPONSE = 'Callback Activation OVO Open API';

/** The callback's query parameters (spec §4.2), also appended to the merchant's return URL. */
export function activationResultParams(merchant: Merchant, phone: string, code: '00' | '01', desc: string): URLSearchParams {
  const values: Record<(typeof ACTIVATION_CALLBACK.fields)[number], string> = {
    response: ACTIVATION_CALLBACK_RESPONSE,
    phone_number: phone,
    response_code: code,
    response_desc: desc,
    merchant_id: merchant.merchantId,
    signature: activationCallbackSignature(merchant.userId, merchant.password, phone, code),
  };
  return new URLSearchParams(ACTIVATION_CALLBACK.fields.map((f) => [f, values[f]]));
}

export function withParams(url: string, params: URLSearchParams): string {
  const target = new URL(url);
  for (const [k, v] of params) target.searchParams.set(k, v);
  return target.toString();
}
