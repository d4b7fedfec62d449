export type FieldKind = 'text' | 'digits' | 'phone' | 'amount' | 'date' | 'email' | 'enum' | 'int';

export interface FieldSpec {
  readonly name: string;
  readonly required: boolean;
  readonly kind: FieldKind;
  /** characters for text/email, digits for digits, value for int */
  readonly max?: number;
  readonly values?: readonly string[];
  readonly min?: number;
}

export interface OperationSpec {
  readonly name: string;
  /** the `response` text of the reply */
  readonly response: string;
  /** the request field that, after user_id and password, goes into the legacy signature */
  readonly signedField: 'phone_no' | 'bill_no';
  readonly request: readonly FieldSpec[];
  /** top-level reply field names in wire order */
  readonly reply: readonly string[];
}

export const OVO_PAYMENT_CHANNEL = '720';
export const OVO_PAYMENT_CHANNEL_NAME = 'OVO Tokenize';
export const CURRENCY = 'IDR';

const REQUEST = { name: 'request', required: false, kind: 'text', max: 100 } as const satisfies FieldSpec;
const MERCHANT_ID = { name: 'merchant_id', required: true, kind: 'digits', max: 10 } as const satisfies FieldSpec;
const MERCHANT = { name: 'merchant', required: true, kind: 'text', max: 100 } as const satisfies FieldSpec;
// Faspay's channel codes name other products too (e.g. debit's own OVO channel): a call for one of them is
// not an OVO Tokenize call, so it is refused (30) rather than served as if it were.
const PAYMENT_CHANNEL = { name: 'payment_channel', required: true, kind: 'enum', values: [OVO_PAYMENT_CHANNEL] } as const satisfies FieldSpec;
const PHONE_NO = { name: 'phone_no', required: true, kind: 'phone' } as const satisfies FieldSpec;
const CUST_NAME = { name: 'cust_name', required: true, kind: 'text', max: 100 } as const satisfies FieldSpec;
const BILL_NO = { name: 'bill_no', required: true, kind: 'text', max: 32 } as const satisfies FieldSpec;
const TRX_ID = { name: 'trx_id', required: true, kind: 'digits', max: 16 } as const satisfies FieldSpec;
const SIGNATURE = { name: 'signature', required: true, kind: 'text', max: 64 } as const satisfies FieldSpec;

const OVO_REPLY_TAIL = ['response_code', 'response_desc'] as const;
/** `url` comes only with response code 02: where the customer re-links (spec §3). */
const RELINK_TAIL = [...OVO_REPLY_TAIL, 'url'] as const;

export const OPERATIONS = {
  activation: {
    name: 'activation',
    response: 'Account Activation OVO Open API',
    signedField: 'phone_no',
    request: [REQUEST, MERCHANT_ID, PAYMENT_CHANNEL, PHONE_NO, CUST_NAME, SIGNATURE],
    reply: ['response', 'status', 'message', 'redirectURL', ...OVO_REPLY_TAIL],
  },
  payment: {
    name: 'payment',
    response: 'Payment OVO Open API',
    signedField: 'phone_no',
    request: [
      REQUEST,
      MERCHANT_ID,
      BILL_NO,
      { name: 'bill_desc', required: true, kind: 'text', max: 255 },
      { name: 'bill_total', required: true, kind: 'amount' },
      { name: 'bill_currency', required: true, kind: 'enum', values: [CURRENCY] },
      PAYMENT_CHANNEL,
      PHONE_NO,
      CUST_NAME,
      { name: 'email', required: true, kind: 'email', max: 254 },
      { name: 'pay_type', required: true, kind: 'enum', values: ['0', '1', '2'] },
      SIGNATURE,
    ],
    reply: [
      'response',
      'redirectURL',
      'status',
      'trx_id',
      'bill_no',
      'amount',
      'payment_day',
      ...OVO_REPLY_TAIL,
      'url',
    ],
  },
  'topup-instruction': {
    name: 'topup-instruction',
    response: 'Top Up Instruction OVO Open API',
    signedField: 'phone_no',
    request: [REQUEST, MERCHANT_ID, MERCHANT, PHONE_NO, PAYMENT_CHANNEL, SIGNATURE],
    reply: [
      'response',
      'merchant_id',
      'phone_no',
      'payment_channel',
      'merchant',
      'topup_instruction',
      ...OVO_REPLY_TAIL,
    ],
  },
  balance: {
    name: 'balance',
    response: 'Check Balance OVO Open API',
    signedField: 'phone_no',
    request: [REQUEST, MERCHANT_ID, PAYMENT_CHANNEL, PHONE_NO, SIGNATURE],
    reply: ['response', 'phone_no', 'payment_channel', 'merchant_id', 'detail', ...RELINK_TAIL],
  },
  history: {
    name: 'history',
    response: 'History Transaction OVO Open API',
    signedField: 'phone_no',
    request: [
      REQUEST,
      MERCHANT_ID,
      MERCHANT,
      PHONE_NO,
      PAYMENT_CHANNEL,
      { name: 'start_date', required: true, kind: 'date' },
      { name: 'end_date', required: true, kind: 'date' },
      { name: 'page', required: true, kind: 'int', min: 1, max: 1_000_000 },
      { name: 'limit', required: true, kind: 'int', min: 1, max: 100 },
      SIGNATURE,
    ],
    reply: [
      'response',
      'phone_no',
      'merchant_id',
      'payment_channel',
      'merchant',
      'list_transaction',
      'page',
      'limit',
      'total',
      ...RELINK_TAIL,
    ],
  },
  unlink: {
    name: 'unlink',
    response: 'Unlink OVO Open API',
    signedField: 'phone_no',
    request: [REQUEST, MERCHANT_ID, MERCHANT, PHONE_NO, PAYMENT_CHANNEL, SIGNATURE],
    reply: ['response', 'merchant_id', 'phone_no', 'payment_channel', ...OVO_REPLY_TAIL],
  },
  'payment-status': {
    name: 'payment-status',
    response: 'Inquiry Payment Status',
    signedField: 'bill_no',
    request: [REQUEST, TRX_ID, MERCHANT_ID, BILL_NO, SIGNATURE],
    reply: [
      'response',
      'trx_id',
      'merchant_id',
      'merchant',
      'bill_no',
      'payment_reff',
      'payment_date',
      'payment_status_code',
      'payment_status_desc',
      ...OVO_REPLY_TAIL,
    ],
  },
  cancel: {
    name: 'cancel',
    response: 'Cancel Transaction',
    signedField: 'bill_no',
    request: [
      REQUEST,
      TRX_ID,
      MERCHANT_ID,
      { ...MERCHANT, required: false },
      BILL_NO,
      { name: 'payment_cancel', required: true, kind: 'text', max: 255 },
      SIGNATURE,
    ],
    reply: [
      'response',
      'trx_id',
      'merchant_id',
      'merchant',
      'bill_no',
      'trx_status_code',
      'trx_status_desc',
      'payment_status_code',
      'payment_status_desc',
      'payment_cancel_date',
      'payment_cancel',
      ...OVO_REPLY_TAIL,
    ],
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

export const OPERATION_NAMES: readonly OperationName[] = Object.freeze(
  Object.keys(OPERATIONS) as OperationName[],
);

/** A merchant_id as the catalogue allows it (1–10 digits): checked before any lookup by one. */
export function isMerchantId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MERCHANT_ID.max && /^[0-9]+$/.test(value);
}

export function isOperationName(value: string): value is OperationName {
  return Object.hasOwn(OPERATIONS, value);
}

/** Messages the gateway sends to the merchant (§4.2, §4.5, §4.11); not requests, so not in OPERATIONS. */
export const PAYMENT_NOTIFICATION = {
  request: 'Payment Notification',
  fields: [
    'request',
    'trx_id',
    'merchant_id',
    'merchant',
    'bill_no',
    'payment_reff',
    'payment_date',
    'payment_status_code',
    'payment_status_desc',
    'bill_total',
    'payment_total',
    'payment_channel_uid',
    'payment_channel',
    'signature',
  ],
  /** the merchant's acknowledgement */
  ack: ['response', 'trx_id', 'merchant_id', 'bill_no', 'response_code', 'response_desc', 'response_date'],
} as const;

export const ACTIVATION_CALLBACK = {
  /** query parameters of the GET to the merchant's activation-callback URL */
  fields: ['response', 'phone_number', 'response_code', 'response_desc', 'merchant_id', 'signature'],
} as const;

export const PAYMENT_RETURN = {
  /** query parameters on the merchant's payment return URL when the payment page ends (§4.11) */
  fields: [
    'trx_id', 'merchant_id', 'merchant', 'bill_no', 'bill_reff', 'bill_total', 'payment_reff', 'payment_date', 'status', 'signature',
  ],
} as const;

type RequestSpecOf<Op extends OperationName> = (typeof OPERATIONS)[Op]['request'][number];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The request as it arrives, every field a string; mandatory fields are non-optional. */
export type RequestFields<Op extends OperationName> = Simplify<
  { [S in RequestSpecOf<Op> as S['required'] extends true ? S['name'] : never]: string } & {
    [S in RequestSpecOf<Op> as S['required'] extends true ? never : S['name']]?: string;
  }
>;

type ValidValue<S extends FieldSpec> = S['kind'] extends 'amount'
  ? bigint
  : S['kind'] extends 'int'
    ? number
    : S extends { readonly values: readonly (infer V extends string)[] }
      ? V
      : string;

/** The request after `validateRequest`: trimmed, amounts as bigint, ints as number, phone as `08…`. */
export type ValidRequest<Op extends OperationName> = Simplify<
  { [S in RequestSpecOf<Op> as S['required'] extends true ? S['name'] : never]: ValidValue<S> } & {
    [S in RequestSpecOf<Op> as S['required'] extends true ? never : S['name']]?: ValidValue<S>;
  }
>;
