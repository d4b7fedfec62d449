// The delivery inspector (sandbox, README "Delivery inspector"): every callback and notification with its
// attempts as sent and as answered, found by merchant, kind, status or bill, and sent again on request.
// Shared by the JSON API (api/sandbox/deliveries.ts) and any page that shows the same: both read these views.
import {
  isMerchantId, type SandboxDelivery, type SandboxDeliveryAttempt, type SandboxDeliveryDetail,
} from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import {
  DELIVERY_KINDS, DELIVERY_LIST_LIMIT_MAX, DELIVERY_STATUSES, getDelivery, listDeliveries, listDeliveryAttempts, resendDelivery,
  type Delivery, type DeliveryAttempt, type DeliveryFilter, type DeliveryKind, type DeliveryRef, type DeliveryStatus,
} from '../delivery/outbox.ts';

export const INSPECTOR_LIST_LIMIT_DEFAULT = 50;
/** A bill number is at most 32 characters on the wire (PROTOCOL.md §4.3). */
const BILL_NO_CHARS_MAX = 32;
const FILTERS = ['merchant_id', 'kind', 'status', 'bill_no', 'limit'] as const;

/** The sandbox API's shapes (@ovo-tokenize/protocol, sandbox-api.ts): what the JSON and the pages show. */
export type DeliveryView = SandboxDelivery;
export type AttemptView = SandboxDeliveryAttempt;
export type DeliveryDetailView = SandboxDeliveryDetail;

/** The query string's filters, or what is wrong with them (empty values count as absent). */
export function parseDeliveryFilter(query: Readonly<Record<string, unknown>>): DeliveryFilter | { error: string } {
  const unknown = Object.keys(query).find((name) => !(FILTERS as readonly string[]).includes(name));
  if (unknown !== undefined) return { error: `unknown filter ${JSON.stringify(unknown.slice(0, 40))}; filters are ${FILTERS.join(', ')}` };
  const values: Partial<Record<(typeof FILTERS)[number], string>> = {};
  for (const name of FILTERS) {
    const value = query[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') return { error: `${name} must be given once` };
    values[name] = value;
  }
  const filter: DeliveryFilter = { limit: INSPECTOR_LIST_LIMIT_DEFAULT };
  if (values.merchant_id !== undefined) {
    if (!isMerchantId(values.merchant_id)) return { error: 'merchant_id must be a merchant id (digits)' };
    filter.merchantId = values.merchant_id;
  }
  if (values.kind !== undefined) {
    if (!(DELIVERY_KINDS as readonly string[]).includes(values.kind)) return { error: `kind must be one of ${DELIVERY_KINDS.join(', ')}` };
    filter.kind = values.kind as DeliveryKind;
  }
  if (values.status !== undefined) {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(values.status)) return { error: `status must be one of ${DELIVERY_STATUSES.join(', ')}` };
    filter.status = values.status as DeliveryStatus;
  }
  if (values.bill_no !== undefined) {
    if (values.bill_no.length > BILL_NO_CHARS_MAX) return { error: `bill_no is at most ${BILL_NO_CHARS_MAX} characters` };
    filter.billNo = values.bill_no;
  }
  if (values.limit !== undefined) {
    const limit = /^[0-9]{1,4}$/.test(values.limit) ? Number(values.limit) : NaN;
    if (!(limit >= 1 && limit <= DELIVERY_LIST_LIMIT_MAX)) return { error: `limit must be a whole number from 1 to ${DELIVERY_LIST_LIMIT_MAX}` };
    filter.limit = limit;
  }
  return filter;
}

/** A delivery's numeric id or its notification id (`ntf_…`, `act_…`); undefined when it can be neither. */
export function parseDeliveryRef(text: string): DeliveryRef | undefined {
  if (/^[1-9][0-9]{0,15}$/.test(text)) return BigInt(text);
  if (/^[A-Za-z][A-Za-z0-9_-]{0,79}$/.test(text)) return text;
  return undefined;
}

export async function inspectDeliveries(ctx: GatewayContext, filter: DeliveryFilter): Promise<DeliveryView[]> {
  return (await listDeliveries(ctx.database, filter)).map(deliveryView);
}

/** One delivery with its kept attempts, oldest first; undefined when there is none. */
export async function inspectDelivery(ctx: GatewayContext, ref: DeliveryRef): Promise<DeliveryDetailView | undefined> {
  const delivery = await getDelivery(ctx.database, ref);
  if (delivery === null) return undefined;
  const attempts = await listDeliveryAttempts(ctx.database, delivery.id);
  return { ...deliveryView(delivery), attempts: attempts.map((attempt) => attemptView(delivery, attempt)) };
}

/**
 * Queues a delivery again at once (same X-Notification-Id, a fresh horizon) and wakes the dispatcher so it
 * goes out now. Undefined when there is none.
 */
export async function resendNow(ctx: GatewayContext, ref: DeliveryRef): Promise<DeliveryView | undefined> {
  const resent = await resendDelivery(ctx.database, ref, ctx.clock.now(), ctx.config.delivery_horizon_s * 1000);
  if (resent === null) return undefined;
  ctx.wakeDeliveries();
  return deliveryView(resent);
}

export function deliveryView(d: Delivery): DeliveryView {
  return {
    id: Number(d.id),
    notification_id: d.notificationId,
    kind: d.kind,
    merchant_id: d.merchantId,
    bill_no: d.billNo,
    url: d.url,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    created_at: iso(d.createdAt),
    delivered_at: d.deliveredAt === null ? null : iso(d.deliveredAt),
    last_http_status: d.lastHttpStatus,
    last_error: d.lastError,
  };
}

function attemptView(delivery: Delivery, a: DeliveryAttempt): AttemptView {
  return {
    number: a.number,
    started_at: iso(a.startedAt),
    // The body sent is the delivery's own: it never changes, so attempts do not keep a copy.
    request: a.requestHeaders === null ? null : { headers: a.requestHeaders, body: delivery.body },
    response: { status: a.httpStatus, body: a.responseBody, latency_ms: a.latencyMs },
    error: a.error,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
