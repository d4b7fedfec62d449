// The wire contract as an OpenAPI 3.1 document, generated from the catalogue so that every field list still
// exists once. Pure: the caller says at which paths each operation is served and at which address.
import {
  ACTIVATION_CALLBACK, OPERATIONS, OPERATION_NAMES, OVO_PAYMENT_CHANNEL, OVO_PAYMENT_CHANNEL_NAME, PAYMENT_NOTIFICATION,
  PAYMENT_RETURN, type FieldSpec, type OperationName, type OperationSpec,
} from './catalogue.ts';
import { PAYMENT_STATUS, RESPONSE_CODES, type ResponseCode } from './codes.ts';
import { HMAC_TOLERANCE_S } from './signatures.ts';
import { REQUEST_ID_PATTERN } from './wire.ts';

/** The subset of JSON Schema 2020-12 (with OpenAPI's `xml`) the document uses. */
export interface SchemaObject {
  readonly $ref?: string;
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly const?: string;
  readonly enum?: readonly (string | number)[];
  /** One description per `enum` value, in the same order (the convention of OpenAPI code generators). */
  readonly 'x-enum-descriptions'?: readonly string[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, SchemaObject>>;
  readonly patternProperties?: Readonly<Record<string, SchemaObject>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: SchemaObject;
  readonly anyOf?: readonly SchemaObject[];
  readonly oneOf?: readonly SchemaObject[];
  readonly xml?: { readonly name: string };
}

export interface ParameterObject {
  readonly name: string;
  readonly in: 'query' | 'header';
  readonly required: boolean;
  readonly description: string;
  readonly schema: SchemaObject;
}

export type Content = Readonly<Record<string, { readonly schema: SchemaObject }>>;

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly required: boolean; readonly schema: SchemaObject }>>;
  readonly content?: Content;
}

export interface OperationObject {
  readonly operationId: string;
  readonly tags?: readonly string[];
  readonly summary: string;
  readonly description: string;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: { readonly required: boolean; readonly content: Content };
  readonly responses: Readonly<Record<string, ResponseObject>>;
}

export interface PathItemObject {
  readonly get?: OperationObject;
  readonly post?: OperationObject;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string }[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly webhooks: Readonly<Record<string, PathItemObject>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, SchemaObject>>;
    readonly securitySchemes: Readonly<Record<string, { readonly type: 'apiKey'; readonly in: 'header'; readonly name: string; readonly description: string }>>;
  };
}

export interface OpenApiInput {
  /** The gateway's address as merchants reach it, e.g. `https://ovo.example.com`. */
  readonly serverUrl: string;
  /** Every path each operation is served at, canonical `/ovo/<name>` first. */
  readonly paths: Readonly<Record<OperationName, readonly string[]>>;
}

/** The version of the wire contract this document describes (not of any package). */
export const OPENAPI_CONTRACT_VERSION = '1.0.0';

export const HMAC_SECURITY_SCHEME = 'hmacSignature';

const JSON_TYPE = 'application/json';
const XML_TYPE = 'application/xml';
const XML_ROOT = { name: 'faspay' } as const;

const INTRODUCTION = [
  'Every operation is a `POST` whose body is JSON or XML (root element `<faspay>`, one child element per field); the reply comes in the same format. The body is read by its first character (`{` JSON, `<` XML), else by a Content-Type naming JSON or XML: any other label is fine.',
  'Every reply is HTTP 200 whatever its `response_code`, except over the rate limit (429 with `Retry-After`, `response_code` 96) and the gateway\'s own failure (500, 96). Every reply carries every field of its operation, `\'\'` where there is no value.',
  'JSON request values may be strings or numbers (send long ids and amounts as strings); reply values are always strings. Unknown request fields are ignored. Every path is also served with (or without) a trailing slash.',
  'Each request carries the legacy Faspay `signature` field, `sha1(md5(user_id + password + <signed field>))` in lower-case hex (each operation\'s `signature` field names the field it signs). A merchant given an HMAC secret must also send the `X-Signature` header.',
].join('\n\n');

/** The document for a gateway at `input.serverUrl` serving each operation at `input.paths`. */
export function openApiDocument(input: OpenApiInput): OpenApiDocument {
  const paths: Record<string, PathItemObject> = {};
  const schemas: Record<string, SchemaObject> = { ...NESTED_SCHEMAS, ...MESSAGE_SCHEMAS };
  for (const name of OPERATION_NAMES) {
    const spec: OperationSpec = OPERATIONS[name];
    schemas[schemaName(name, 'Request')] = requestSchema(spec, 'json');
    schemas[schemaName(name, 'RequestXml')] = requestSchema(spec, 'xml');
    schemas[schemaName(name, 'Reply')] = replySchema(spec);
    input.paths[name].forEach((path, i) => {
      paths[path] = { post: operationObject(name, path, i === 0) };
    });
  }
  return {
    openapi: '3.1.0',
    info: { title: 'OVO Tokenize (Faspay) merchant API', version: OPENAPI_CONTRACT_VERSION, description: INTRODUCTION },
    servers: [{ url: input.serverUrl }],
    tags: OPERATION_NAMES.map((name) => ({ name, description: OPERATIONS[name].response })),
    // Every call needs the body signature; X-Signature only for a merchant that was given an HMAC secret.
    security: [{}, { [HMAC_SECURITY_SCHEME]: [] }],
    paths,
    webhooks: WEBHOOKS,
    components: { schemas, securitySchemes: { [HMAC_SECURITY_SCHEME]: HMAC_SCHEME } },
  };
}

/** `topup-instruction` + `Reply` → `TopupInstructionReply`. */
export function schemaName(op: OperationName, suffix: 'Request' | 'RequestXml' | 'Reply'): string {
  return op.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') + suffix;
}

function ref(name: string): SchemaObject {
  return { $ref: `#/components/schemas/${name}` };
}

function both(json: SchemaObject, xml: SchemaObject = json): Content {
  return { [JSON_TYPE]: { schema: json }, [XML_TYPE]: { schema: xml } };
}

/** Taken from the caller when it matches REQUEST_ID_PATTERN, else made by the gateway; echoed on every reply. */
const REQUEST_ID_SCHEMA: SchemaObject = { type: 'string', pattern: REQUEST_ID_PATTERN.source };
const REQUEST_ID_PARAMETER: ParameterObject = {
  name: 'X-Request-Id', in: 'header', required: false, schema: REQUEST_ID_SCHEMA,
  description: 'Names the call in the gateway\'s log, on its reply and on the notifications it causes; keep it across retries.',
};
const REQUEST_ID_HEADER = { 'X-Request-Id': { description: 'The request id: the caller\'s, or one the gateway made.', required: true, schema: REQUEST_ID_SCHEMA } };

function operationObject(op: OperationName, path: string, canonical: boolean): OperationObject {
  const spec = OPERATIONS[op];
  const reply = both(ref(schemaName(op, 'Reply')));
  return {
    operationId: canonical ? op : `${op}${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, '')}`,
    tags: [op],
    summary: spec.response,
    description: canonical ? `${spec.response}, at its canonical path.` : `${spec.response}, at a Faspay path: the same as /ovo/${op}.`,
    parameters: [REQUEST_ID_PARAMETER],
    requestBody: { required: true, content: both(ref(schemaName(op, 'Request')), ref(schemaName(op, 'RequestXml'))) },
    responses: {
      200: { description: 'The reply, whatever its response_code: read response_code.', headers: REQUEST_ID_HEADER, content: reply },
      429: {
        description: 'Over the rate limit: nothing was done. response_code is 96; retry after Retry-After seconds.',
        headers: {
          ...REQUEST_ID_HEADER,
          'Retry-After': { description: 'Seconds to wait before the next call.', required: true, schema: { type: 'integer', minimum: 1 } },
        },
        content: reply,
      },
      500: { description: "The gateway's own failure: response_code 96. Safe to retry later.", headers: REQUEST_ID_HEADER, content: reply },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Requests: each FieldSpec as the text validateRequest accepts (openapi.test.ts checks the two agree).

const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';
/** `08…` with 10–13 digits, or the same number as `62…` / `+62…` (formats.ts normalizePhone). */
const PHONE_PATTERN = '^(\\+62|62|0)8[0-9]{8,11}$';
/** Whole rupiah above 0, at most 15 digits, `.0` or `.00` allowed (formats.ts parseAmount). */
const AMOUNT_DIGITS_MAX = 15;
const AMOUNT_PATTERN = `^(?!0+(\\.00?)?$)[0-9]{1,${AMOUNT_DIGITS_MAX}}(\\.00?)?$`;
const INT_DIGITS_MAX = 9;

function requestSchema(spec: OperationSpec, format: 'json' | 'xml'): SchemaObject {
  const properties = Object.fromEntries(spec.request.map((field) => [field.name, requestFieldSchema(spec, field, format)]));
  return {
    type: 'object',
    ...(format === 'xml' && { xml: XML_ROOT }),
    description: `${spec.response} request${format === 'xml' ? ' in XML: every value is the text of its element' : ''}.`,
    required: spec.request.filter((field) => field.required).map((field) => field.name),
    properties,
  };
}

function requestFieldSchema(spec: OperationSpec, field: FieldSpec, format: 'json' | 'xml'): SchemaObject {
  const description = describeField(spec, field);
  const number = format === 'json' ? numberSchema(field) : undefined;
  if (number === undefined) return { ...textSchema(field), description };
  return { description, anyOf: [textSchema(field), { ...number, description: 'a JSON number, read as its digits' }] };
}

function textSchema(field: FieldSpec): SchemaObject {
  switch (field.kind) {
    case 'text':
      return { type: 'string', ...(field.required && { minLength: 1 }), ...maxLength(field), pattern: NO_CONTROL_CHARACTERS };
    case 'digits':
      return { type: 'string', pattern: `^[0-9]{1,${field.max ?? ''}}$` };
    case 'phone':
      return { type: 'string', pattern: PHONE_PATTERN };
    case 'amount':
      return { type: 'string', pattern: AMOUNT_PATTERN };
    case 'date':
      return { type: 'string', format: 'date', pattern: '^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$' };
    case 'email':
      return { type: 'string', format: 'email', ...maxLength(field) };
    case 'enum':
      return { type: 'string', enum: [...(field.values ?? [])] };
    case 'int':
      return { type: 'string', pattern: `^[0-9]{1,${INT_DIGITS_MAX}}$` };
  }
}

function maxLength(field: FieldSpec): { maxLength?: number } {
  return field.max === undefined ? {} : { maxLength: field.max };
}

/** The JSON number that reads as a valid value; none for phones, dates and emails (a number cannot be one). */
function numberSchema(field: FieldSpec): SchemaObject | undefined {
  switch (field.kind) {
    case 'text':
      // Integers only: an exponent, or a fraction too long to keep exact, is refused (codec-json.ts).
      return { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
    case 'digits':
      return { type: 'integer', minimum: 0, maximum: Math.min(10 ** (field.max ?? AMOUNT_DIGITS_MAX) - 1, Number.MAX_SAFE_INTEGER) };
    case 'amount':
      return { type: 'integer', minimum: 1, maximum: 10 ** AMOUNT_DIGITS_MAX - 1 };
    case 'int':
      return { type: 'integer', ...(field.min !== undefined && { minimum: field.min }), ...(field.max !== undefined && { maximum: field.max }) };
    case 'enum': {
      const values = field.values ?? [];
      return values.every((v) => String(Number(v)) === v) ? { type: 'integer', enum: values.map(Number) } : undefined;
    }
    default:
      return undefined;
  }
}

/** What a person needs to know to fill the field in. */
function describeField(spec: OperationSpec, field: FieldSpec): string {
  if (field.name === 'signature') {
    return `sha1(md5(user_id + password + ${spec.signedField})) in lower-case hex: the legacy Faspay signature, keyed by the merchant's credentials`;
  }
  if (field.name === 'pay_type') return '0 cash only, 1 points only, 2 points first, then cash';
  switch (field.kind) {
    case 'text':
      return `text, at most ${field.max} characters, no control characters`;
    case 'digits':
      return `digits, at most ${field.max}`;
    case 'phone':
      return 'Indonesian mobile number 08… (10–13 digits); 62… and +62… are read as 08…';
    case 'amount':
      return `whole rupiah above 0, at most ${AMOUNT_DIGITS_MAX} digits (10000.00 is read as 10000); with two implied decimals for a merchant set to amount_decimals 2`;
    case 'date':
      return 'date YYYY-MM-DD (Asia/Jakarta)';
    case 'email':
      return `email address, at most ${field.max} characters`;
    case 'enum':
      return `one of: ${(field.values ?? []).join(', ')}`;
    case 'int':
      return `whole number from ${field.min} to ${field.max}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Replies: every value a string; every field present, '' where there is no value.

const DATETIME = 'date and time YYYY-MM-DD HH:MM:SS, Asia/Jakarta';
const AMOUNT = 'amount in whole rupiah (two implied decimals for a merchant set to amount_decimals 2)';
const NO_VALUE: SchemaObject = { type: 'string', const: '', description: "no value (a reply that is not 00)" };

/** Reply fields whose meaning is not plain from their name. */
const REPLY_NOTES: Readonly<Record<string, string>> = {
  response_desc: "the code's standard description, then the specific reason",
  redirectURL: "where to send the customer's browser next (OTP and PIN on the gateway's page)",
  url: 'with 02 only: where the customer links the wallet again',
  status: 'the payment status as text: PENDING, SUCCESS, FAILED, EXPIRED or CANCELLED (activation: ALLOWED)',
  message: 'SUCCESS when the activation was accepted',
  trx_id: 'the transaction id, 16 digits, issued by the gateway',
  amount: AMOUNT,
  payment_day: DATETIME,
  payment_date: DATETIME,
  payment_cancel_date: DATETIME,
  payment_reff: 'the payment reference, empty until the payment is paid',
  page: 'the page asked for',
  limit: 'rows per page',
  total: 'transactions in the date range, over all pages',
};

/** Reply fields holding a nested shape (components below). */
const NESTED_REPLY_FIELDS: Readonly<Record<string, { readonly schema: string; readonly description: string }>> = {
  detail: { schema: 'BalanceDetail', description: 'the wallet balances' },
  topup_instruction: { schema: 'TopupInstructions', description: 'the ways to top up, instruction_1, instruction_2, …' },
  list_transaction: { schema: 'TransactionList', description: 'one page of transactions, newest first: transaction_1, transaction_2, …' },
};

const PAYMENT_STATUS_FIELDS: ReadonlySet<string> = new Set(['payment_status_code', 'trx_status_code']);

function replySchema(spec: OperationSpec): SchemaObject {
  return {
    type: 'object',
    xml: XML_ROOT,
    description: `${spec.response} reply: every field, always.`,
    required: [...spec.reply],
    additionalProperties: false,
    properties: Object.fromEntries(spec.reply.map((name) => [name, replyFieldSchema(spec, name)])),
  };
}

function replyFieldSchema(spec: OperationSpec, name: string): SchemaObject {
  if (name === 'response') return { type: 'string', const: spec.response, description: 'names the operation' };
  if (name === 'response_code') return responseCodeSchema(spec);
  if (PAYMENT_STATUS_FIELDS.has(name)) return paymentStatusSchema(true);
  const nested = NESTED_REPLY_FIELDS[name];
  if (nested !== undefined) return { description: nested.description, oneOf: [ref(nested.schema), NO_VALUE] };
  return { type: 'string', description: REPLY_NOTES[name] ?? "text ('' where there is no value)" };
}

/** Every code the gateway answers; 02 only where the reply can carry the re-link `url`. */
function responseCodeSchema(spec: OperationSpec): SchemaObject {
  const relink = (spec.reply as readonly string[]).includes('url');
  // Sorted as text: as object keys, '13' would come before '00'.
  const codes = (Object.keys(RESPONSE_CODES) as ResponseCode[]).sort().filter((code) => code !== '02' || relink);
  return {
    type: 'string',
    description: 'the outcome: 00 success, anything else a refusal (see response_desc)',
    enum: codes,
    'x-enum-descriptions': codes.map((code) => RESPONSE_CODES[code].desc),
  };
}

function paymentStatusSchema(inReply: boolean): SchemaObject {
  const codes: string[] = Object.keys(PAYMENT_STATUS);
  const descriptions: string[] = Object.values(PAYMENT_STATUS);
  return {
    type: 'string',
    description: 'the payment status code',
    enum: inReply ? [...codes, ''] : codes,
    'x-enum-descriptions': inReply ? [...descriptions, 'no value (a reply that is not 00)'] : descriptions,
  };
}

const AMOUNT_TEXT: SchemaObject = { type: 'string', pattern: '^[0-9]+$', description: AMOUNT };

const NESTED_SCHEMAS: Readonly<Record<string, SchemaObject>> = {
  BalanceDetail: {
    type: 'object',
    description: 'cash and points balances; a point is worth one rupiah',
    required: ['cash', 'points'],
    additionalProperties: false,
    properties: { cash: ref('Balance'), points: ref('Balance') },
  },
  Balance: { type: 'object', description: 'one currency', required: ['balance'], additionalProperties: false, properties: { balance: AMOUNT_TEXT } },
  TopupInstructions: {
    type: 'object',
    additionalProperties: false,
    patternProperties: { '^instruction_[1-9][0-9]*$': { ...ref('TopupInstruction'), title: 'instruction_N' } },
  },
  TopupInstruction: {
    type: 'object',
    description: 'one way to top up',
    required: ['option', 'icon', 'url'],
    additionalProperties: false,
    properties: {
      option: { type: 'string', description: 'ATM, Internet/Mobile Banking, Grab, Tokopedia or Merchant/Mitra OVO' },
      icon: { type: 'string', format: 'uri', description: "URL of the option's icon" },
      url: { type: 'string', format: 'uri', description: 'URL of the page with the instructions' },
    },
  },
  TransactionList: {
    type: 'object',
    additionalProperties: false,
    patternProperties: { '^transaction_[1-9][0-9]*$': { ...ref('Transaction'), title: 'transaction_N' } },
  },
  Transaction: {
    type: 'object',
    description: 'one payment',
    required: ['payment_date', 'status', 'trx_id', 'trx_amount', 'amount_detail'],
    additionalProperties: false,
    properties: {
      payment_date: { type: 'string', description: `when the payment was made: ${DATETIME}` },
      status: { type: 'string', description: REPLY_NOTES.status },
      trx_id: { type: 'string', description: REPLY_NOTES.trx_id },
      trx_amount: AMOUNT_TEXT,
      amount_detail: {
        type: 'array',
        description: 'the split between cash and points (an array in JSON, a repeated element in XML)',
        items: ref('AmountDetail'),
      },
    },
  },
  AmountDetail: {
    type: 'object',
    description: 'the part paid in one currency',
    required: ['type', 'amt'],
    additionalProperties: false,
    properties: { type: { type: 'string', enum: ['Cash', 'Points'] }, amt: AMOUNT_TEXT },
  },
};

// ---------------------------------------------------------------------------------------------------------
// What the gateway sends the merchant: the payment notification, the activation callback and the
// customer's browser back from the payment page.

const NOTIFICATION_NOTES: Readonly<Record<string, SchemaObject>> = {
  request: { type: 'string', const: PAYMENT_NOTIFICATION.request },
  trx_id: { type: 'string', description: REPLY_NOTES.trx_id },
  payment_reff: { type: 'string', description: 'the payment reference, empty unless the status is 2' },
  payment_date: { type: 'string', description: `when the status changed: ${DATETIME}` },
  payment_status_code: paymentStatusSchema(false),
  bill_total: AMOUNT_TEXT,
  payment_total: { ...AMOUNT_TEXT, description: 'the amount paid: 0 unless the status is 2' },
  payment_channel_uid: { type: 'string', const: OVO_PAYMENT_CHANNEL },
  payment_channel: { type: 'string', const: OVO_PAYMENT_CHANNEL_NAME },
  signature: { type: 'string', description: 'sha1(md5(user_id + password + bill_no + payment_status_code)) in lower-case hex' },
};

const MESSAGE_SCHEMAS: Readonly<Record<string, SchemaObject>> = {
  PaymentNotification: {
    type: 'object',
    xml: XML_ROOT,
    description: 'Sent on every status change of a payment, in the format the merchant chose.',
    required: [...PAYMENT_NOTIFICATION.fields],
    additionalProperties: false,
    properties: Object.fromEntries(PAYMENT_NOTIFICATION.fields.map((name) => [name, NOTIFICATION_NOTES[name] ?? { type: 'string' }])),
  },
  NotificationAcknowledgement: {
    type: 'object',
    xml: XML_ROOT,
    description: 'Only a 2xx reply whose response_code is 00 acknowledges the notification; the other fields repeat it.',
    required: ['response_code'],
    properties: Object.fromEntries(PAYMENT_NOTIFICATION.ack.map((name) => [name, name === 'response_code'
      ? { type: 'string', const: '00' }
      : { type: 'string', ...(name === 'response' && { const: PAYMENT_NOTIFICATION.request }) }])),
  },
};

const HMAC_FORMAT = `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>, ${HMAC_TOLERANCE_S} s tolerance`;

const NOTIFICATION_ID: ParameterObject = {
  name: 'X-Notification-Id',
  in: 'header',
  required: true,
  description: 'Stable for one message: a retry carries the same id, so a receiver can drop repeats.',
  schema: { type: 'string' },
};

const CALLBACK_NOTES: Readonly<Record<string, SchemaObject>> = {
  response: { type: 'string', description: 'names the message' },
  response_code: { type: 'string', enum: ['00', '01'], 'x-enum-descriptions': ['linked', 'the link attempt failed'] },
  phone_number: { type: 'string', description: 'the customer, 08…' },
  response_desc: { type: 'string', description: 'the outcome in words' },
  signature: { type: 'string', description: 'sha1(md5(user_id + password + phone_number + response_code)) in lower-case hex' },
};

const RETURN_NOTES: Readonly<Record<string, SchemaObject>> = {
  status: paymentStatusSchema(false),
  bill_total: AMOUNT_TEXT,
  payment_date: { type: 'string', description: DATETIME },
  signature: { type: 'string', description: 'sha1(md5(user_id + password + bill_no + status)) in lower-case hex' },
};

function queryParameters(fields: readonly string[], notes: Readonly<Record<string, SchemaObject>>): ParameterObject[] {
  return fields.map((name) => {
    const { description, ...schema } = notes[name] ?? { type: 'string' };
    return { name, in: 'query', required: true, description: description ?? 'text', schema };
  });
}

const WEBHOOKS: Readonly<Record<string, PathItemObject>> = {
  paymentNotification: {
    post: {
      operationId: 'paymentNotification',
      summary: PAYMENT_NOTIFICATION.request,
      description: "POSTed to the merchant's notification URL on every status change, in the merchant's format (JSON or XML), until acknowledged; retried with backoff otherwise. The order is paid when this says status 2, not when the browser comes back.",
      parameters: [
        NOTIFICATION_ID,
        { name: 'X-Signature', in: 'header', required: false, description: `Present when the merchant has an HMAC secret: ${HMAC_FORMAT}.`, schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: both(ref('PaymentNotification')) },
      responses: {
        200: { description: 'Any 2xx status whose body (JSON or XML, any Content-Type) carries response_code 00. Anything else is a failed delivery and is retried.', content: both(ref('NotificationAcknowledgement')) },
      },
    },
  },
  activationCallback: {
    get: {
      operationId: 'activationCallback',
      summary: 'Callback Activation',
      description: "A GET to the merchant's activation-callback URL when a link attempt ends, with the outcome as query parameters; the customer's browser is then sent to the merchant's return URL with the same parameters.",
      parameters: [...queryParameters(ACTIVATION_CALLBACK.fields, CALLBACK_NOTES), NOTIFICATION_ID],
      responses: { 200: { description: 'Any 2xx status acknowledges; anything else is retried with backoff.' } },
    },
  },
  paymentReturn: {
    get: {
      operationId: 'paymentReturn',
      summary: 'Payment return URL',
      description: "Not a delivery: the customer's browser, sent back to the merchant's payment return URL when the payment page reaches an outcome. Never mark an order paid from it: only the notification says so.",
      parameters: queryParameters(PAYMENT_RETURN.fields, RETURN_NOTES),
      responses: { 200: { description: "The merchant's page for the customer." } },
    },
  },
};

const HMAC_SCHEME = {
  type: 'apiKey',
  in: 'header',
  name: 'X-Signature',
  description: `Required on every request of a merchant that was given an HMAC secret: ${HMAC_FORMAT}. Notifications to that merchant carry the same header, computed by the gateway.`,
} as const;
