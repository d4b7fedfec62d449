// The delivery inspector's JSON API (README "Delivery inspector"):
//   GET  /sandbox/deliveries?merchant_id=&kind=&status=&bill_no=&limit=   → { deliveries: [...] }
//   GET  /sandbox/deliveries/:id                                          → { delivery: { ..., attempts: [...] } }
//   POST /sandbox/deliveries/:id/resend                                   → { delivery: {...} }, sent at once
// `:id` is the numeric id or the notification id. A browser gets the inspector's pages at the same addresses
// (pages/delivery-inspector-pages.ts). No request a browser sends from another site's page may resend.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import {
  inspectDeliveries, inspectDelivery, parseDeliveryFilter, parseDeliveryRef, resendNow,
} from '../../services/delivery-inspector.ts';
import { isFromAnotherOrigin } from '../../pages/request-helpers.ts';
import { jsonObjectBody, sandboxError } from './index.ts';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * The browser's view of the same two GET addresses (a page in pages/, reading the same services): when given,
 * a request whose Accept prefers text/html goes to it; everything else gets JSON.
 */
export interface DeliveryPages {
  list?: Handler;
  detail?: Handler;
  /** The detail page's "Send again" form (a browser's POST to the resend address). */
  resend?: Handler;
}

export function registerDeliveryInspector(app: FastifyInstance, ctx: GatewayContext, pages: DeliveryPages = {}): void {
  app.get('/sandbox/deliveries', async (request, reply) => {
    if (pages.list && prefersHtml(request)) return pages.list(request, reply);
    const filter = parseDeliveryFilter(request.query as Record<string, unknown>);
    if ('error' in filter) return sandboxError(reply, 400, filter.error);
    return reply.header('cache-control', 'no-store').send({ deliveries: await inspectDeliveries(ctx, filter) });
  });

  app.get<{ Params: { id: string } }>('/sandbox/deliveries/:id', async (request, reply) => {
    if (pages.detail && prefersHtml(request)) return pages.detail(request, reply);
    const ref = parseDeliveryRef(request.params.id);
    if (ref === undefined) return sandboxError(reply, 400, 'the delivery id is its number or its notification id');
    const delivery = await inspectDelivery(ctx, ref);
    if (delivery === undefined) return sandboxError(reply, 404, `no delivery ${request.params.id}`);
    return reply.header('cache-control', 'no-store').send({ delivery });
  });

  app.post<{ Params: { id: string } }>('/sandbox/deliveries/:id/resend', async (request, reply) => {
    if (pages.resend && prefersHtml(request)) return pages.resend(request, reply);
    // A page elsewhere can POST here without a preflight (a form, or fetch in no-cors mode).
    if (isFromAnotherOrigin(request)) return sandboxError(reply, 403, 'a page of another site cannot resend deliveries');
    if (jsonObjectBody(request) === undefined) return sandboxError(reply, 400, 'the body must be empty or a JSON object');
    const ref = parseDeliveryRef(request.params.id);
    if (ref === undefined) return sandboxError(reply, 400, 'the delivery id is its number or its notification id');
    const delivery = await resendNow(ctx, ref);
    if (delivery === undefined) return sandboxError(reply, 404, `no delivery ${request.params.id}`);
    return reply.header('cache-control', 'no-store').send({ delivery });
  });
}

/** Whether the client ranks text/html above JSON (a browser's Accept does; curl's and fetch's do not). */
export function prefersHtml(request: FastifyRequest): boolean {
  const ranks = new Map<string, number>();
  for (const part of String(request.headers.accept ?? '').split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    ranks.set(type.trim(), q === undefined ? 1 : Number(q) || 0);
  }
  const rank = (type: string) => ranks.get(type) ?? ranks.get(`${type.split('/')[0]}/*`) ?? ranks.get('*/*') ?? 0;
  return (ranks.get('text/html') ?? 0) > 0 && rank('text/html') > rank('application/json');
}
