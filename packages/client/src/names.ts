// The wire speaks snake_case; TypeScript callers read camelCase. A wire name becomes a TypeScript name by
// camel-casing it, except for the few renamed here to what a merchant's code would call them. Which fields
// an operation has is never listed here: that comes from the protocol catalogue.

/** Wire names whose TypeScript name is not their plain camelCase. */
export const RENAMED = {
  phone_no: 'phone',
  phone_number: 'phone',
  cust_name: 'customerName',
  bill_desc: 'description',
  bill_total: 'amount',
  pay_type: 'payType',
  payment_cancel: 'reason',
  redirectURL: 'redirectUrl',
} as const;

type Renamed = typeof RENAMED;

export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The TypeScript name of a wire field. */
export type TsName<W extends string> = W extends keyof Renamed ? Renamed[W] : CamelCase<W>;

export function tsName<W extends string>(wire: W): TsName<W> {
  const renamed = (RENAMED as Readonly<Record<string, string>>)[wire];
  if (renamed !== undefined && Object.hasOwn(RENAMED, wire)) return renamed as TsName<W>;
  return wire.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) as TsName<W>;
}

/** Request fields the client fills from its own configuration; a caller never passes them. */
export const CLIENT_FILLED = ['request', 'merchant_id', 'merchant', 'payment_channel', 'bill_currency', 'signature'] as const;
export type ClientFilled = (typeof CLIENT_FILLED)[number];

/** Reply fields that only repeat the caller's own configuration back; results leave them out. */
export const ECHOED = ['merchant_id', 'merchant', 'payment_channel'] as const;
/** Every reply's envelope: it decides the outcome instead of becoming a result field. */
export const ENVELOPE = ['response', 'response_code', 'response_desc', 'url'] as const;

/** Whole rupiah (or points), read as bigint. */
export const AMOUNT_FIELDS = ['amount', 'bill_total', 'payment_total'] as const;
/** Small counts, read as number. */
export const COUNT_FIELDS = ['page', 'limit', 'total'] as const;
/** Faspay payment status codes (0–9), read as the protocol's PaymentStatusCode. */
export const STATUS_CODE_FIELDS = ['payment_status_code', 'trx_status_code'] as const;
