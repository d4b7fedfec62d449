// The JSON shapes of a sandbox gateway's /sandbox API (the gateway's README, "Sandbox tools"): what the
// gateway answers and what the client SDK's `ovo.sandbox.*` returns. Not part of Faspay's protocol: an
// ovo-tokenize gateway in sandbox mode has these addresses, nothing else does. Times are ISO 8601 (UTC);
// field names are as on the wire.

export interface SandboxClock {
  now: string;
  offset_seconds: number;
}

export type SandboxDeliveryKind = 'activation_callback' | 'payment_notification';
export type SandboxDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface SandboxDelivery {
  id: number;
  notification_id: string;
  kind: SandboxDeliveryKind;
  merchant_id: string;
  bill_no: string | null;
  url: string;
  status: SandboxDeliveryStatus;
  attempts: number;
  /** Only while the delivery is pending: when it is tried next. */
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  last_http_status: number | null;
  last_error: string | null;
}

export interface SandboxDeliveryAttempt {
  number: number;
  started_at: string;
  /** Null when the attempt ended before anything was sent (e.g. the signing secret could not be read). */
  request: { headers: Record<string, string>; body: string | null } | null;
  /** The merchant's status and the first 4 KiB of its answer. */
  response: { status: number | null; body: string | null; latency_ms: number };
  error: string | null;
}

/** A delivery with its kept attempts (oldest first) in place of their count. */
export interface SandboxDeliveryDetail extends Omit<SandboxDelivery, 'attempts'> {
  attempts: SandboxDeliveryAttempt[];
}

export interface SandboxReceiverCheck {
  target: 'notification' | 'activation_callback';
  name: string;
  result: 'passed' | 'failed' | 'skipped';
  passed: boolean;
  detail: string;
  advice?: string;
}

export interface SandboxReceiverReport {
  merchant_id: string;
  /** No check failed (skipped ones do not count). */
  passed: boolean;
  checks: SandboxReceiverCheck[];
}

export type SandboxTriggerEvent =
  | 'payment.success' | 'payment.failed' | 'payment.expired' | 'payment.cancelled' | 'link.success' | 'link.failed';

/** What POST /sandbox/trigger made: the customer, the payment when the event has one, and the deliveries it queued. */
export interface SandboxTriggerResult {
  event: SandboxTriggerEvent;
  merchant_id: string;
  phone_no: string;
  linked: boolean;
  callback_notification_id?: string;
  trx_id?: string;
  bill_no?: string;
  status?: string;
  payment_status_code?: string;
  amount?: number;
  cash_amount?: number;
  points_amount?: number;
  notification_id?: string;
}
