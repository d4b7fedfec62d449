import { OPERATION_NAMES, type OperationName, type WireFormat } from '@ovo-tokenize/protocol';

/** A path under `baseUrl` (or an absolute URL), the same for both formats or one per format. */
export type EndpointPath = string | { readonly json: string; readonly xml: string };

export type Endpoints = Readonly<Record<OperationName, EndpointPath>>;

/** This gateway: every operation at `POST /ovo/<operation>`, JSON or XML by Content-Type. */
export const GATEWAY_ENDPOINTS: Endpoints = Object.freeze(
  Object.fromEntries(OPERATION_NAMES.map((op) => [op, `/ovo/${op}`])) as Record<OperationName, string>,
);

/**
 * Faspay's sandbox paths where the guide publishes them: activation (JSON and XML differ) and the debit
 * API's Inquiry Payment Status and Cancel Transaction. The guide publishes no path for payment, top-up
 * instruction, balance, history or unlink; those stay at `/ovo/<operation>` here and must be set from what
 * Faspay gives the merchant, e.g. `endpoints: { ...FASPAY_SANDBOX_ENDPOINTS, payment: '/cvr/…' }`.
 */
export const FASPAY_SANDBOX_ENDPOINTS: Endpoints = Object.freeze({
  ...GATEWAY_ENDPOINTS,
  activation: { json: '/cvr/100037/10', xml: '/pws/100037/183xx00010100000/' },
  'payment-status': { json: '/cvr/100004/10', xml: '/pws/100004/183xx00010100000' },
  cancel: { json: '/cvr/100005/10', xml: '/pws/100005/183xx00010100000' },
});

/** The URL an operation is posted to. A path is appended to `baseUrl` (keeping any prefix it has). */
export function endpointUrl(baseUrl: string, endpoint: EndpointPath, format: WireFormat): string {
  const path = typeof endpoint === 'string' ? endpoint : endpoint[format];
  if (/^https?:\/\//i.test(path)) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
