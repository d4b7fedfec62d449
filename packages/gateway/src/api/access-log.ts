// One log line per request, written when the reply has gone out, and the API metrics observed at the same
// moment. A merchant call (any request answered with a protocol reply) gets an `api call` line naming its
// operation, merchant, response code and format — never its body; other requests a `request` line naming
// their route pattern (`/activation/:token`, not the token itself). The request id is on both, as on every
// line of the request (Fastify's child logger).
import { isMerchantId, type WireFormat } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskCardNumbers } from '../observability/logging.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';

/** What the reply to a merchant call said, noted when it is written (operation-route.ts, protocol-edge.ts). */
interface ApiReplyNote {
  operation: string | undefined;
  merchantId: unknown;
  responseCode: string;
  format: WireFormat;
}

const notes = new WeakMap<FastifyRequest, ApiReplyNote>();

/** Call with every protocol reply written, so its access line and metrics can name it. */
export function noteApiReply(reply: FastifyReply, note: ApiReplyNote): void {
  notes.set(reply.request, note);
}

/** The catalogue's merchant_id is at most 10 digits: anything else the caller sent is not logged. */

export function registerAccessLog(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook('onResponse', async (request, reply) => logAccess(request, reply, metrics));
}

/** The request's access line and metrics; replies that skip the hooks (frameworkErrors in app.ts) call it themselves. */
export function logAccess(request: FastifyRequest, reply: FastifyReply, metrics: GatewayMetrics): void {
  const note = notes.get(request);
  if (reply.statusCode === 429) metrics.refusedByRateLimit(note ? 'api' : 'page');
  const line = { method: request.method, status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime * 10) / 10 };
  if (!note) {
    const route = request.routeOptions.url ?? maskCardNumbers((request.url.split('?', 1)[0] ?? '').slice(0, 200));
    request.log.info({ ...line, route }, 'request');
    return;
  }
  const operation = note.operation ?? 'unknown';
  metrics.apiCall(operation, note.responseCode, reply.elapsedTime / 1000);
  const merchantId = isMerchantId(note.merchantId) ? note.merchantId : null;
  request.log.info({ ...line, operation, merchant_id: merchantId, response_code: note.responseCode, format: note.format }, 'api call');
}
