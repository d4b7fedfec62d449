// The receiver conformance check (README "Receiver conformance check"): sends the merchant's notification URL
// and activation-callback URL a graded sequence, signed with the merchant's real keys exactly as the
// dispatcher signs deliveries, and grades each answer the way the dispatcher would count it. The payments and
// phones in it are test objects that exist only in the check (bill_no `SBX-CHECK-…`, phone `0800…`).
import { performance } from 'node:perf_hooks';
import {
  HMAC_TOLERANCE_S, PAYMENT_NOTIFICATION, contentTypeOf, detectFormat, hmacSignatureHeader, legacySignature, parseBody, serialize,
} from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { DELIVERY_RESPONSE_BYTES_MAX, DELIVERY_USER_AGENT } from '../delivery/dispatcher.ts';
import { MerchantHttp } from '../delivery/merchant-http.ts';
import { newNotificationId } from '../delivery/outbox.ts';
import { LINK_FAILURE } from '../domain/link-session.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Payment, PaymentStatus } from '../domain/payment.ts';
import { activationResultParams, withParams } from './activation-result.ts';
import { paymentNotificationFields } from './payment-notifications.ts';

export const CHECK_TARGETS = ['notification', 'activation_callback'] as const;
export type CheckTarget = (typeof CHECK_TARGETS)[number];

/** Every test payment's bill_no starts with this, so a receiver's developer can tell them from orders. */
export const RECEIVER_CHECK_BILL_PREFIX = 'SBX-CHECK-';
/** Test phones start with this: no mobile number does. */
export const RECEIVER_CHECK_PHONE_PREFIX = '0800';
/** The README's advice on idempotent receivers, which the report links to. */
export const IDEMPOTENT_RECEIVERS_ADVICE = 'https://github.com/ovo-tokenize/ovo-tokenize#idempotent-receivers';

export interface CheckOutcome {
  target: CheckTarget;
  name: string;
  result: 'passed' | 'failed' | 'skipped';
  detail: string;
  advice?: string;
}

export interface ReceiverReport {
  /** No check failed (skipped ones do not count). */
  passed: boolean;
  checks: CheckOutcome[];
}

/** Runs both sequences, one request at a time (see Probe for when a target's run stops early). */
export async function checkReceivers(ctx: GatewayContext, merchant: Merchant): Promise<ReceiverReport> {
  const http = new MerchantHttp(1);
  try {
    const checks = [
      ...await runTarget('notification', new Probe(http, ctx.config.delivery_attempt_timeout_ms), notificationChecks(ctx, merchant)),
      ...await runTarget('activation_callback', new Probe(http, ctx.config.delivery_attempt_timeout_ms), callbackChecks(ctx, merchant)),
    ];
    return { passed: checks.every((c) => c.result !== 'failed'), checks };
  } finally {
    http.close();
  }
}

// ---- the sequences ----------------------------------------------------------------------------------------

type Grade = { passed: boolean; detail: string; advice?: string } | { skipped: string };

interface Step {
  name: string;
  run(probe: Probe): Promise<Grade>;
}

const ADVICE_LINK = `see ${IDEMPOTENT_RECEIVERS_ADVICE}`;
const TWICE_ADVICE = {
  notification: `Whether the receiver fulfilled the order twice cannot be seen from outside: make it idempotent (by X-Notification-Id), ${ADVICE_LINK}`,
  callback: `Whether the receiver acted on the callback twice cannot be seen from outside: make it idempotent (by X-Notification-Id), ${ADVICE_LINK}`,
};
const ORDER_ADVICE = `Whether the final state stayed cannot be seen from outside: never let an older status overwrite a final one, ${ADVICE_LINK}`;

/** The target's checks, or why there are none. */
type Sequence = Step[] | { result: 'failed' | 'skipped'; detail: string };

function notificationChecks(ctx: GatewayContext, merchant: Merchant): Sequence {
  const url = merchant.notifyUrl;
  if (!url) {
    return { result: 'failed', detail: `merchant ${merchant.merchantId} has no notification URL: no payment can reach it (ovo-tokenize merchant update ${merchant.merchantId} --notify-url <url>)` };
  }
  const secret = merchant.hmacSecret;
  const notice = (payment: Payment, body = notificationBody(merchant, payment)): Delivery => ({
    method: 'POST', url, body, contentType: contentTypeOf(merchant.notifyFormat), notificationId: newNotificationId(ctx.random),
    signedAt: secret === null ? undefined : unixSeconds(ctx),
  });
  const send = (probe: Probe, delivery: Delivery) => probe.send(delivery, secret);
  const first = notice(testPayment(ctx, merchant, 'SUCCESS'));
  let firstAnswer: Answer | undefined;
  const noHmac = secret === null ? { skipped: `merchant ${merchant.merchantId} has no HMAC secret, so notifications carry no X-Signature` } : undefined;
  return [
    {
      name: 'valid notification',
      async run(probe) {
        firstAnswer = await send(probe, first);
        const problem = ackProblem(firstAnswer, first);
        return { passed: problem === undefined, detail: problem ?? `acknowledged: ${describe(firstAnswer)}` };
      },
    },
    {
      name: 'same notification twice',
      async run(probe) {
        // A retry: the same bytes and X-Notification-Id, signed afresh as the dispatcher signs each attempt.
        const again = await send(probe, { ...first, signedAt: first.signedAt === undefined ? undefined : unixSeconds(ctx) });
        const problem = ackProblem(again, first) ?? (firstAnswer && sameAck(firstAnswer, again));
        return { passed: problem === undefined, detail: problem ?? `acknowledged the same both times: ${describe(again)}`, advice: TWICE_ADVICE.notification };
      },
    },
    {
      name: 'wrong signature',
      async run(probe) {
        const payment = testPayment(ctx, merchant, 'SUCCESS');
        const fields = { ...paymentNotificationFields(merchant, payment), signature: legacySignature('not', 'the', 'merchant', payment.billNo) };
        // A valid X-Signature over the forged body: only the signature field is wrong.
        return refused(await send(probe, notice(payment, serialize(merchant.notifyFormat, fields))), 'a forged notification');
      },
    },
    {
      name: 'HMAC: stale X-Signature timestamp',
      async run(probe) {
        if (noHmac) return noHmac;
        const stale = { ...notice(testPayment(ctx, merchant, 'SUCCESS')), signedAt: unixSeconds(ctx) - 2 * HMAC_TOLERANCE_S };
        return refused(await send(probe, stale), `a notification signed ${2 * HMAC_TOLERANCE_S} s ago (tolerance ${HMAC_TOLERANCE_S} s)`);
      },
    },
    {
      name: 'HMAC: re-serialised body',
      async run(probe) {
        if (noHmac) return noHmac;
        const original = notice(testPayment(ctx, merchant, 'SUCCESS'));
        // Same fields, other bytes, X-Signature of the original: what a proxy or a parse-and-re-encode does.
        return refused(await probe.send({ ...original, body: reserialised(merchant, original.body!) }, secret, original.body), 'a body whose bytes differ from the signed ones');
      },
    },
    {
      name: 'out-of-order statuses',
      async run(probe) {
        const paid = testPayment(ctx, merchant, 'SUCCESS');
        const final = notice(paid);
        const late = notice({ ...paid, status: 'PENDING', paymentReff: '', finishedAt: null });
        const finalProblem = ackProblem(await send(probe, final), final);
        if (finalProblem) return { passed: false, detail: `the final status (2): ${finalProblem}` };
        const lateProblem = ackProblem(await send(probe, late), late);
        // Refusing the older one would not help: the gateway would retry it for days.
        if (lateProblem) return { passed: false, detail: `an older status (1) after the final one (2): ${lateProblem}; acknowledge it and keep the final state`, advice: ORDER_ADVICE };
        return { passed: true, detail: 'acknowledged the final status (2) and the older one (1) sent after it', advice: ORDER_ADVICE };
      },
    },
  ];
}

function callbackChecks(ctx: GatewayContext, merchant: Merchant): Sequence {
  const base = merchant.callbackUrl;
  if (!base) return { result: 'skipped', detail: `merchant ${merchant.merchantId} has no activation callback URL, so the gateway sends none` };
  const callback = (phone: string, code: '00' | '01', signature?: string): Delivery => {
    const params = activationResultParams(merchant, phone, code, code === '00' ? 'Success' : LINK_FAILURE.expired);
    if (signature !== undefined) params.set('signature', signature);
    return { method: 'GET', url: withParams(base, params), notificationId: `act_${ctx.random.bytes(12).toString('hex')}` };
  };
  const send = (probe: Probe, delivery: Delivery) => probe.send(delivery, null);
  const first = callback(testPhone(ctx), '00');
  let firstAnswer: Answer | undefined;
  const noHmac = { skipped: 'activation callbacks are GET requests without a body: they carry no X-Signature' };
  return [
    {
      name: 'valid callback',
      async run(probe) {
        firstAnswer = await send(probe, first);
        return accepted(firstAnswer);
      },
    },
    {
      name: 'same callback twice',
      async run(probe) {
        const again = await send(probe, first);
        const grade = accepted(again);
        if (!grade.passed) return { ...grade, advice: TWICE_ADVICE.callback };
        const same = firstAnswer?.kind === 'answer' && again.kind === 'answer' && firstAnswer.status === again.status;
        return same ? { ...grade, advice: TWICE_ADVICE.callback }
          : { passed: false, detail: `answered ${describe(firstAnswer!)} the first time and ${describe(again)} the second`, advice: TWICE_ADVICE.callback };
      },
    },
    {
      name: 'wrong signature',
      async run(probe) {
        const phone = testPhone(ctx);
        return refused(await send(probe, callback(phone, '00', legacySignature('not', 'the', 'merchant', phone))), 'a forged callback');
      },
    },
    { name: 'HMAC: stale X-Signature timestamp', run: async () => noHmac },
    { name: 'HMAC: re-serialised body', run: async () => noHmac },
    {
      name: 'out-of-order results',
      async run(probe) {
        const phone = testPhone(ctx);
        const linked = accepted(await send(probe, callback(phone, '00')));
        if (!linked.passed) return { passed: false, detail: `the final result (00 linked): ${linked.detail}` };
        const late = accepted(await send(probe, callback(phone, '01')));
        if (!late.passed) return { passed: false, detail: `an older result (01 failed) after the final one (00): ${late.detail}`, advice: ORDER_ADVICE };
        return { passed: true, detail: 'accepted the final result (00 linked) and an older one (01 failed) sent after it', advice: ORDER_ADVICE };
      },
    },
  ];
}

async function runTarget(target: CheckTarget, probe: Probe, steps: Sequence): Promise<CheckOutcome[]> {
  if (!Array.isArray(steps)) return [{ target, name: 'receiver URL', ...steps }];
  const out: CheckOutcome[] = [];
  for (const step of steps) {
    const stop = probe.stopReason();
    if (stop !== undefined) {
      out.push({ target, name: step.name, result: 'skipped', detail: `not run: ${stop}` });
      continue;
    }
    const grade = await step.run(probe);
    out.push('skipped' in grade
      ? { target, name: step.name, result: 'skipped', detail: grade.skipped }
      : { target, name: step.name, result: grade.passed ? 'passed' : 'failed', detail: grade.detail, ...(grade.advice ? { advice: grade.advice } : {}) });
  }
  const limit = `${probe.timeoutMs.toLocaleString('en-US')} ms`;
  const stop = probe.stopReason();
  out.push(stop !== undefined
    ? { target, name: 'response time', result: 'failed', detail: `${stop}, against the ${limit} the gateway waits per attempt: deliveries would time out and be retried` }
    : { target, name: 'response time', result: 'passed', detail: `slowest answer ${Math.ceil(probe.slowestMs)} ms, within the ${limit} the gateway waits per attempt` });
  return out;
}

// ---- grading ------------------------------------------------------------------------------------------------

/** Why the answer is not the §4.5 acknowledgement of `delivery` with 00, or undefined when it is. */
function ackProblem(answer: Answer, delivery: Delivery): string | undefined {
  if (answer.kind !== 'answer') return `no answer: ${answer.error}`;
  if (answer.status < 200 || answer.status > 299) return `answered HTTP ${answer.status}, not 2xx with the acknowledgement`;
  const ack = readAck(answer);
  if (typeof ack === 'string') return ack;
  const missing = PAYMENT_NOTIFICATION.ack.filter((name) => ack[name] === undefined);
  if (missing.length > 0) return `the acknowledgement lacks ${missing.join(', ')} (PROTOCOL.md §4.5)`;
  if (ack.response_code !== '00') return `the acknowledgement has response_code ${JSON.stringify(ack.response_code)}, not "00": the gateway would retry it`;
  const sent = parseBody(detectFormat(delivery.contentType, delivery.body!)!, delivery.body!);
  const wrong = (['trx_id', 'merchant_id', 'bill_no'] as const).filter((name) => ack[name] !== sent[name]);
  if (wrong.length > 0) return `the acknowledgement's ${wrong.join(', ')} ${wrong.length > 1 ? 'do' : 'does'} not echo the notification's`;
  if (ack.response !== PAYMENT_NOTIFICATION.request) return `the acknowledgement's response is ${JSON.stringify(ack.response)}, not "${PAYMENT_NOTIFICATION.request}"`;
  return undefined;
}

/** The two acknowledgements differ in more than response_date: the description, else undefined. */
function sameAck(first: Answer, again: Answer): string | undefined {
  if (first.kind !== 'answer' || again.kind !== 'answer') return undefined;
  const [a, b] = [readAck(first), readAck(again)];
  if (typeof a === 'string' || typeof b === 'string') return undefined;
  const differ = PAYMENT_NOTIFICATION.ack.filter((name) => name !== 'response_date' && a[name] !== b[name]);
  return differ.length === 0 ? undefined : `the second acknowledgement differs in ${differ.join(', ')}`;
}

/** The answer's body read as the dispatcher reads acknowledgements (PROTOCOL.md §1.1), or why it cannot be. */
function readAck(answer: Extract<Answer, { kind: 'answer' }>): Record<string, string> | string {
  const format = detectFormat(answer.contentType, answer.text);
  if (format === null) return `the answer is neither JSON nor XML (${answer.contentType || 'no Content-Type'}): ${JSON.stringify(answer.text.slice(0, 60))}`;
  try {
    return parseBody(format, answer.text, { maxBytes: DELIVERY_RESPONSE_BYTES_MAX });
  } catch (error) {
    return `the answer is not readable ${format}: ${error instanceof Error ? error.message : 'unreadable'}`;
  }
}

/** A callback is delivered by any 2xx. */
function accepted(answer: Answer): { passed: boolean; detail: string } {
  const ok = answer.kind === 'answer' && answer.status >= 200 && answer.status <= 299;
  return { passed: ok, detail: ok ? `accepted: ${describe(answer)}` : `not accepted: ${describe(answer)}` };
}

/** Passes unless the receiver took `what` as the gateway takes a delivery (2xx, and 00 for a notification). */
function refused(answer: Answer, what: string): { passed: boolean; detail: string } {
  if (answer.kind !== 'answer') return { passed: false, detail: `no answer: ${answer.error}` };
  const taken = answer.status >= 200 && answer.status <= 299 && (answer.method === 'GET' || readResponseCode(answer) === '00');
  return taken
    ? { passed: false, detail: `accepted ${what}: ${describe(answer)}; check the signature before acting on anything` }
    : { passed: true, detail: `refused ${what}: ${describe(answer)}` };
}

function readResponseCode(answer: Extract<Answer, { kind: 'answer' }>): string | undefined {
  const ack = readAck(answer);
  return typeof ack === 'string' ? undefined : ack.response_code;
}

function describe(answer: Answer): string {
  if (answer.kind !== 'answer') return `no answer (${answer.error})`;
  const code = answer.method === 'POST' ? readResponseCode(answer) : undefined;
  return `HTTP ${answer.status}${code === undefined ? '' : `, response_code ${JSON.stringify(code)}`} in ${Math.ceil(answer.ms)} ms`;
}

// ---- test objects -------------------------------------------------------------------------------------------

/** A payment that exists only in this check, for the real notification builder. */
function testPayment(ctx: GatewayContext, merchant: Merchant, status: PaymentStatus): Payment {
  const now = ctx.clock.now();
  const trxId = `9${String(ctx.random.int(0, 1_000_000_000)).padStart(9, '0')}${String(ctx.random.int(0, 1_000_000)).padStart(6, '0')}`;
  return {
    trxId, merchantId: merchant.merchantId, billNo: `${RECEIVER_CHECK_BILL_PREFIX}${ctx.random.bytes(8).toString('hex')}`, fingerprint: '',
    walletId: 0n, phone: testPhone(ctx), custName: 'Receiver Check', email: 'check@example.com', billDesc: 'Receiver conformance check',
    amount: 10_000n, payType: '0', cashAmount: 10_000n, pointsAmount: 0n, cashTransferId: null, pointsTransferId: null, status,
    paymentReff: status === 'SUCCESS' ? String(ctx.random.int(0, 1_000_000)).padStart(6, '0').repeat(2) : '', failureReason: null, cancelReason: null,
    createdAt: now, expiresAt: now, finishedAt: status === 'PENDING' ? null : now,
  };
}

function testPhone(ctx: GatewayContext): string {
  return `${RECEIVER_CHECK_PHONE_PREFIX}${String(ctx.random.int(0, 100_000_000)).padStart(8, '0')}`;
}

function notificationBody(merchant: Merchant, payment: Payment): string {
  return serialize(merchant.notifyFormat, paymentNotificationFields(merchant, payment));
}

/** The same fields in other bytes: JSON pretty-printed, XML without its line breaks. */
function reserialised(merchant: Merchant, body: string): string {
  return merchant.notifyFormat === 'json' ? JSON.stringify(JSON.parse(body), null, 2) : body.replace(/>\s+</g, '><');
}

function unixSeconds(ctx: GatewayContext): number {
  return Math.floor(ctx.clock.now() / 1000);
}

// ---- sending ------------------------------------------------------------------------------------------------

interface Delivery {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  contentType?: string;
  notificationId: string;
  /** Unix seconds of the X-Signature (POST to a merchant with an HMAC secret). */
  signedAt?: number;
}

/** A target's run stops once its answers took this many attempt timeouts in all. */
const RUN_BUDGET_ATTEMPTS = 3;

type Answer =
  | { kind: 'answer'; method: 'GET' | 'POST'; status: number; contentType: string; text: string; ms: number }
  | { kind: 'none'; method: 'GET' | 'POST'; error: string; ms: number };

/**
 * Sends as the dispatcher does (same headers, no redirects, the attempt timeout) and times each answer. A
 * target's run stops at its first unanswered request, or once its answers took RUN_BUDGET_ATTEMPTS attempt
 * timeouts in all, so a slow receiver costs the whole check a few timeouts at most.
 */
class Probe {
  slowestMs = 0;
  private spentMs = 0;
  private unanswered: string | undefined;

  constructor(private readonly http: MerchantHttp, readonly timeoutMs: number) {}

  /** Why the rest of the run is not worth the wait, or undefined while it is. */
  stopReason(): string | undefined {
    if (this.unanswered !== undefined) return `a request got no answer (${this.unanswered})`;
    const budgetMs = RUN_BUDGET_ATTEMPTS * this.timeoutMs;
    if (this.spentMs >= budgetMs) return `the answers took ${Math.ceil(this.spentMs)} ms in all (slowest ${Math.ceil(this.slowestMs)} ms), more than the check waits (${budgetMs} ms)`;
    return undefined;
  }

  /** `signedBody` (default: the body) is what X-Signature covers; the re-serialisation check sends other bytes. */
  async send(delivery: Delivery, secret: string | null, signedBody = delivery.body): Promise<Answer> {
    const headers: Record<string, string> = { 'User-Agent': DELIVERY_USER_AGENT, 'X-Notification-Id': delivery.notificationId };
    if (delivery.method === 'POST') {
      headers['Content-Type'] = delivery.contentType!;
      if (secret !== null && delivery.signedAt !== undefined) headers['X-Signature'] = hmacSignatureHeader(secret, signedBody!, delivery.signedAt);
    }
    const started = performance.now();
    // The dispatcher's own client (keep-alive agent, one deadline, no redirects, a bounded read): what the
    // receiver sees of a check is what it sees of a real delivery.
    const exchange = await this.http.request({
      method: delivery.method as 'GET' | 'POST', url: delivery.url, headers, body: delivery.body ?? undefined,
      timeoutMs: this.timeoutMs, bodyLimit: DELIVERY_RESPONSE_BYTES_MAX,
    });
    const ms = performance.now() - started;
    this.spentMs += ms;
    const failure = exchange.failure?.kind === 'too_large' ? null : exchange.failure;
    if (exchange.status === null || failure !== null) {
      const reason = failure?.kind === 'timeout' ? `timeout after ${this.timeoutMs} ms`
        : failure?.kind === 'connection' ? `connection failed: ${failure.code}` : `request failed: ${failure?.kind === 'other' ? failure.message : 'no answer'}`;
      if (failure?.kind === 'timeout') this.unanswered ??= reason;
      return { kind: 'none', method: delivery.method, error: reason, ms };
    }
    this.slowestMs = Math.max(this.slowestMs, ms);
    const contentType = exchange.responseHeaders?.['content-type'] ?? '';
    return { kind: 'answer', method: delivery.method, status: exchange.status, contentType, text: exchange.body.toString('utf8'), ms };
  }
}
