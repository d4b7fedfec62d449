// `ovo.sandbox.*`: the gateway's sandbox tools (its README "Sandbox tools") for a merchant's tests. Sandbox
// only: a gateway outside sandbox mode (and Faspay itself) has none of these addresses, and every call then
// throws OvoSandboxUnavailableError. Results are the sandbox API's JSON, field names as on the wire.
import type {
  SandboxClock, SandboxDelivery, SandboxDeliveryDetail, SandboxDeliveryKind, SandboxDeliveryStatus, SandboxReceiverReport,
  SandboxTriggerEvent, SandboxTriggerResult,
} from '@ovo-tokenize/protocol';
import { OvoConnectionError, OvoTokenizeError } from './errors.ts';

export type SandboxPaymentOutcome = 'insufficient_funds' | 'failed' | 'expired' | 'pending';

/** What `scenarios.add` takes: one of the gateway's scenario types and its parameters. */
export type SandboxScenarioInput =
  | { type: 'set_balance'; phone_no: string; cash?: number; points?: number }
  | { type: 'expire_link'; phone_no: string; merchant_id?: string }
  | { type: 'break_link'; phone_no: string; merchant_id?: string }
  | { type: 'change_phone'; phone_no: string; new_phone_no: string }
  | { type: 'lock_pin'; phone_no: string }
  | { type: 'payment_outcome'; phone_no: string; outcome: SandboxPaymentOutcome; count?: number }
  | { type: 'response_code'; operation: string; response_code: string; count?: number; merchant_id?: string };

export interface SandboxScenario {
  id: string;
  type: SandboxScenarioInput['type'];
  state: 'applied' | 'armed' | 'used' | 'disarmed';
  /** Uses left of an armed scenario. */
  remaining: number;
  created_at: string;
  /** The scenario's parameters, as given. */
  [parameter: string]: unknown;
}

export interface SandboxDeliveryFilter {
  merchant_id?: string | undefined;
  kind?: SandboxDeliveryKind | undefined;
  status?: SandboxDeliveryStatus | undefined;
  bill_no?: string | undefined;
  limit?: number | undefined;
}

export interface SandboxTriggerOptions {
  /** Whole rupiah. */
  amount?: number | undefined;
  /** `0` cash, `1` points, `2` points first, then cash (the wire's pay_type). */
  pay_type?: '0' | '1' | '2' | undefined;
  /** Default: a fresh test phone, so each trigger gets a new funded test wallet. */
  phone_no?: string | undefined;
}

/** The gateway has no sandbox here: it runs with --no-sandbox, or it is not an ovo-tokenize gateway. */
export class OvoSandboxUnavailableError extends OvoTokenizeError {
  override readonly name = 'OvoSandboxUnavailableError';
}

/** The sandbox refused the call (`{"error"}` with a 4xx): the message says what to fix. */
export class OvoSandboxError extends OvoTokenizeError {
  override readonly name = 'OvoSandboxError';
}

type Method = 'GET' | 'POST' | 'DELETE';

/** The sandbox calls of one client: its gateway, its merchant id (the default merchant of each call), its fetch. */
export class SandboxClient {
  readonly clock = {
    get: (): Promise<SandboxClock> => this.#call('GET', '/sandbox/clock'),
    /** Moves the gateway's clock forward; answers once what fell due (expiries, their notices) is committed. */
    advance: (seconds: number): Promise<SandboxClock> => this.#call('POST', '/sandbox/clock/advance', { seconds }),
    reset: (): Promise<SandboxClock> => this.#call('POST', '/sandbox/clock/reset', {}),
  };

  readonly scenarios = {
    add: async (scenario: SandboxScenarioInput): Promise<SandboxScenario> => {
      const body = { ...(needsMerchant(scenario) ? { merchant_id: this.merchantId } : {}), ...scenario };
      return (await this.#call<{ scenario: SandboxScenario }>('POST', '/sandbox/scenarios', body)).scenario;
    },
    list: async (): Promise<SandboxScenario[]> => (await this.#call<{ scenarios: SandboxScenario[] }>('GET', '/sandbox/scenarios')).scenarios,
    /** Disarms an armed scenario; an applied one stays done. */
    remove: async (id: string): Promise<SandboxScenario> =>
      (await this.#call<{ scenario: SandboxScenario }>('DELETE', `/sandbox/scenarios/${encodeURIComponent(id)}`)).scenario,
    /** Disarms and forgets every scenario. */
    reset: async (): Promise<void> => {
      await this.#call('POST', '/sandbox/scenarios/reset', {});
    },
  };

  readonly deliveries = {
    /** This merchant's deliveries, newest first (`merchant_id` defaults to the client's). */
    list: async (filter: SandboxDeliveryFilter = {}): Promise<SandboxDelivery[]> => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries({ merchant_id: this.merchantId, ...filter })) {
        if (value !== undefined) query.set(name, String(value));
      }
      return (await this.#call<{ deliveries: SandboxDelivery[] }>('GET', `/sandbox/deliveries?${query}`)).deliveries;
    },
    /** One delivery with its attempts; `id` is its number or its notification id. */
    get: async (id: number | string): Promise<SandboxDeliveryDetail> =>
      (await this.#call<{ delivery: SandboxDeliveryDetail }>('GET', `/sandbox/deliveries/${encodeURIComponent(String(id))}`)).delivery,
    /** Sends it again at once, with the same X-Notification-Id. */
    resend: async (id: number | string): Promise<SandboxDelivery> =>
      (await this.#call<{ delivery: SandboxDelivery }>('POST', `/sandbox/deliveries/${encodeURIComponent(String(id))}/resend`, {})).delivery,
  };

  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, private readonly merchantId: string, fetchImpl: typeof fetch) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
  }

  /** Makes the event happen through the gateway's real state machine, for this merchant. */
  trigger(event: SandboxTriggerEvent, options: SandboxTriggerOptions = {}): Promise<SandboxTriggerResult> {
    return this.#call('POST', '/sandbox/trigger', { event, merchant_id: this.merchantId, ...options });
  }

  /** Grades this merchant's notification and callback receivers (its README "Receiver conformance check"). */
  checkReceiver(): Promise<SandboxReceiverReport> {
    return this.#call('POST', '/sandbox/receiver-checks', { merchant_id: this.merchantId });
  }

  async #call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new OvoConnectionError(`cannot reach the gateway at ${this.#baseUrl}`, { code: 'connection_failed', cause: error });
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const refusal = typeof value === 'object' && value !== null && 'error' in value ? String(value.error) : undefined;
    if (response.status === 404 && refusal === undefined) {
      throw new OvoSandboxUnavailableError(`the gateway at ${this.#baseUrl} has no sandbox (it is not in sandbox mode)`, {
        code: 'sandbox_unavailable', httpStatus: 404, raw: text.slice(0, 1000),
      });
    }
    if (!response.ok || value === undefined) {
      throw new OvoSandboxError(refusal ?? `the sandbox answered ${response.status} without JSON`, {
        code: `http_${response.status}`, httpStatus: response.status, raw: text.slice(0, 1000),
      });
    }
    return value as T;
  }
}

/** The scenarios about one merchant: this client's unless the call names another. */
function needsMerchant(scenario: SandboxScenarioInput): boolean {
  return scenario.type === 'expire_link' || scenario.type === 'break_link' || scenario.type === 'response_code';
}
