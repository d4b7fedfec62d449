import { randomUUID } from 'node:crypto';
import {
  CURRENCY, OPERATIONS, OVO_PAYMENT_CHANNEL, ProtocolError, isMerchantId, requestSignature, serialize, validateRequest,
  type OperationName, type WireFormat,
} from '@ovo-tokenize/protocol';
import { GATEWAY_ENDPOINTS, endpointUrl, type EndpointPath, type Endpoints } from './endpoints.ts';
import { errorFor } from './errors.ts';
import { tsName, type ClientFilled } from './names.ts';
import { toResult } from './reply.ts';
import { DEFAULT_BACKOFF, RETRY_SAFE } from './retry.ts';
import { SandboxClient } from './sandbox.ts';
import { post, type TransportConfig } from './transport.ts';
import { amountToWire, checkAmountDecimals, type AmountDecimals } from './values.ts';
import {
  PAY_TYPE_WIRE,
  type ActivateArgs, type ActivateResult, type Args, type BalanceArgs, type BalanceResult, type CancelArgs, type CancelResult,
  type HistoryAllArgs, type HistoryArgs, type HistoryResult, type PayArgs, type PayResult, type PaymentStatusArgs,
  type PaymentStatusResult, type Result, type TopupInstructionsArgs, type TopupInstructionsResult, type UnlinkArgs,
  type UnlinkResult,
} from './types.ts';

export const CLIENT_VERSION = '0.1.0';

export interface OvoTokenizeClientOptions {
  /** The gateway's address, e.g. `http://127.0.0.1:8080`; endpoint paths are appended to it. */
  readonly baseUrl: string;
  /** The numeric merchant id (Faspay's "BOI"), e.g. `99999`. */
  readonly merchantId: string;
  /** Sent as `merchant` where an operation carries it. */
  readonly merchantName: string;
  readonly userId: string;
  readonly password: string;
  /** Wire format of requests and replies. Default `json`. */
  readonly format?: WireFormat;
  /**
   * Implied decimals of amounts on the wire, as the gateway has them set for this merchant (its
   * `amount_decimals`): 0 (default) or 2, when `2500000` means Rp 25.000,00. Amounts in calls and results
   * stay whole rupiah either way; the client multiplies `amount` by 100 when sending and divides every amount
   * it reads.
   */
  readonly amountDecimals?: AmountDecimals;
  /** When the gateway gave the merchant one: every request then carries an `X-Signature` HMAC header. */
  readonly hmacSecret?: string;
  /** Paths per operation, over GATEWAY_ENDPOINTS; see also FASPAY_SANDBOX_ENDPOINTS. */
  readonly endpoints?: Partial<Endpoints>;
  /** Per attempt, covering connection, reply and body. Default 15 000. */
  readonly timeoutMs?: number;
  /** Repeats after a network error, timeout, 5xx or 429, for operations where that is safe. Default 2. */
  readonly maxRetries?: number;
  /** First retry delay (before jitter); doubles per retry. Default 250. */
  readonly retryBaseDelayMs?: number;
  /** Longest retry delay. Default 4 000. */
  readonly retryMaxDelayMs?: number;
  /** A fetch implementation (tests, proxies, instrumentation). Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Per-call overrides. */
export interface CallOptions {
  /** Aborts the call (and its retries); it then throws OvoConnectionError with code `aborted`. */
  readonly signal?: AbortSignal;
  /** Sent as X-Request-Id instead of a random one. */
  readonly requestId?: string;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

const MAX_RETRIES_LIMIT = 10;
const HISTORY_PAGE_ROWS_MAX = 100;

/**
 * The merchant's side of OVO Tokenize: one method per operation. Each resolves to a result whose `outcome`
 * must be checked (`ok`, `failed`, and for payment, balance and history `relinkRequired`), and throws an
 * OvoTokenizeError when there is no such answer (network, timeout, unreadable reply, refused credentials
 * or request, server failure).
 */
export class OvoTokenizeClient {
  readonly format: WireFormat;
  readonly merchantId: string;
  /**
   * The gateway's sandbox tools (scenarios, test clock, delivery inspector, triggers, receiver check) for
   * tests against a local ovo-tokenize gateway in sandbox mode; elsewhere every call throws
   * OvoSandboxUnavailableError. Never part of a production integration.
   */
  readonly sandbox: SandboxClient;
  private readonly baseUrl: string;
  private readonly merchantName: string;
  private readonly userId: string;
  private readonly password: string;
  private readonly endpoints: Endpoints;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly transport: TransportConfig;
  private readonly amountDecimals: AmountDecimals;

  constructor(options: OvoTokenizeClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
    if (!isMerchantId(options.merchantId)) throw new TypeError('merchantId must be 1–10 digits');
    for (const name of ['merchantName', 'userId', 'password'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '') throw new TypeError(`${name} is required`);
    }
    const format = options.format ?? 'json';
    if (format !== 'json' && format !== 'xml') throw new TypeError("format must be 'json' or 'xml'");
    this.format = format;
    this.baseUrl = options.baseUrl;
    this.merchantId = options.merchantId;
    this.merchantName = options.merchantName;
    this.userId = options.userId;
    this.password = options.password;
    this.endpoints = { ...GATEWAY_ENDPOINTS, ...definedOnly(options.endpoints ?? {}) };
    this.timeoutMs = positiveInt('timeoutMs', options.timeoutMs ?? 15_000);
    this.maxRetries = retries(options.maxRetries ?? 2);
    this.amountDecimals = checkAmountDecimals(options.amountDecimals ?? 0);
    this.transport = {
      fetch: options.fetch ?? globalThis.fetch,
      userAgent: `ovo-tokenize-client/${CLIENT_VERSION}`,
      backoff: {
        baseDelayMs: positiveInt('retryBaseDelayMs', options.retryBaseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs),
        maxDelayMs: positiveInt('retryMaxDelayMs', options.retryMaxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs),
      },
      hmacSecret: options.hmacSecret || undefined,
    };
    this.sandbox = new SandboxClient(options.baseUrl, options.merchantId, this.transport.fetch);
  }

  /** Starts linking the customer's OVO account; send their browser to `redirectUrl`. Never retried. */
  activate(args: ActivateArgs, options?: CallOptions): Promise<ActivateResult> {
    return this.call('activation', args, options);
  }

  /** Charges a linked account. Repeating a `billNo` with the same content returns the same transaction. */
  pay(args: PayArgs, options?: CallOptions): Promise<PayResult> {
    return this.call('payment', args, options);
  }

  topupInstructions(args: TopupInstructionsArgs, options?: CallOptions): Promise<TopupInstructionsResult> {
    return this.call('topup-instruction', args, options);
  }

  balance(args: BalanceArgs, options?: CallOptions): Promise<BalanceResult> {
    return this.call('balance', args, options);
  }

  /** One page of this merchant's transactions with the customer, newest first. */
  history(args: HistoryArgs, options?: CallOptions): Promise<HistoryResult> {
    return this.call('history', args, options);
  }

  /**
   * Every page of the history, requested one after another. Yields each page's result and stops after
   * the last page, or after the first result that is not `ok` (which it yields, so it must be checked).
   */
  async *historyAll(args: HistoryAllArgs, options?: CallOptions): AsyncGenerator<HistoryResult, void, undefined> {
    const limit = args.limit ?? HISTORY_PAGE_ROWS_MAX;
    for (let page = 1; ; page += 1) {
      const result = await this.history({ ...args, page, limit }, options);
      yield result;
      if (result.outcome !== 'ok' || result.transactions.length === 0 || page * limit >= result.total) return;
    }
  }

  /** Ends the link; unlinking a phone that is not linked also answers `ok`. */
  unlink(args: UnlinkArgs, options?: CallOptions): Promise<UnlinkResult> {
    return this.call('unlink', args, options);
  }

  paymentStatus(args: PaymentStatusArgs, options?: CallOptions): Promise<PaymentStatusResult> {
    return this.call('payment-status', args, options);
  }

  /** Cancels a pending payment and releases its hold; a paid one answers `failed` with code `81`. */
  cancel(args: CancelArgs, options?: CallOptions): Promise<CancelResult> {
    return this.call('cancel', args, options);
  }

  private async call<Op extends OperationName>(op: Op, args: Args<Op>, options: CallOptions = {}): Promise<Result<Op>> {
    const requestId = options.requestId ?? randomUUID();
    const fields = this.wireFields(op, args as Readonly<Record<string, unknown>>, requestId);
    const exchange = await post(this.transport, {
      url: endpointUrl(this.baseUrl, this.endpoints[op], this.format),
      body: serialize(this.format, fields),
      format: this.format,
      requestId,
      timeoutMs: options.timeoutMs === undefined ? this.timeoutMs : positiveInt('timeoutMs', options.timeoutMs),
      maxRetries: RETRY_SAFE[op] ? (options.maxRetries === undefined ? this.maxRetries : retries(options.maxRetries)) : 0,
      signal: options.signal,
    });
    return toResult(op, exchange, this.amountDecimals);
  }

  /**
   * The request's wire fields in catalogue order, checked with the same validation the gateway runs, so a
   * malformed phone or amount fails here without a network call. The signature covers the value sent.
   */
  private wireFields(op: OperationName, args: Readonly<Record<string, unknown>>, requestId: string): Record<string, string> {
    const spec = OPERATIONS[op];
    const filled: Readonly<Record<ClientFilled, string>> = {
      request: spec.response,
      merchant_id: this.merchantId,
      merchant: this.merchantName,
      payment_channel: OVO_PAYMENT_CHANNEL,
      bill_currency: CURRENCY,
      // A stand-in so validation passes; the real one is computed over the validated (normalised) value.
      signature: '0'.repeat(40),
    };
    const fields: Record<string, string> = {};
    for (const { name } of spec.request) {
      if (Object.hasOwn(filled, name)) {
        fields[name] = filled[name as ClientFilled];
        continue;
      }
      const value = args[tsName(name)];
      if (value === undefined || value === null) continue;
      if (name === 'pay_type') {
        if (!Object.hasOwn(PAY_TYPE_WIRE, String(value))) {
          throw errorFor({ message: "payType must be 'cash', 'points' or 'pointsThenCash' (checked before sending)", responseCode: '30', requestId });
        }
        fields[name] = PAY_TYPE_WIRE[value as keyof typeof PAY_TYPE_WIRE];
      } else {
        fields[name] = String(value);
      }
    }
    let valid: Record<string, unknown>;
    try {
      valid = validateRequest(op, fields) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      const field = error.field === undefined ? '' : `${tsName(error.field)}: `;
      throw errorFor({ message: `${field}${error.message} (checked before sending)`, responseCode: error.code, requestId });
    }
    const out: Record<string, string> = {};
    for (const { name, kind } of spec.request) {
      const value = valid[name];
      if (name === 'signature') out[name] = requestSignature(this.userId, this.password, String(valid[spec.signedField]));
      else if (value === undefined) continue;
      // Validated as whole rupiah, sent in the merchant's scale.
      else if (kind === 'amount') out[name] = String(amountToWire(value as bigint, this.amountDecimals));
      else out[name] = String(value);
    }
    return out;
  }
}

function definedOnly(endpoints: Partial<Endpoints>): Partial<Record<OperationName, EndpointPath>> {
  return Object.fromEntries(Object.entries(endpoints).filter(([, path]) => path !== undefined));
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive whole number`);
  return value;
}

function retries(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_RETRIES_LIMIT) {
    throw new RangeError(`maxRetries must be a whole number from 0 to ${MAX_RETRIES_LIMIT}`);
  }
  return value;
}
