import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import { registerClockApi } from './clock.ts';
import { registerScenarioRoutes } from './scenarios.ts';
import { registerDeliveryInspector } from './deliveries.ts';
import { registerReceiverCheckApi } from './receiver-check.ts';
import { registerTriggerApi } from './trigger.ts';
import { deliveryInspectorPages } from '../../pages/delivery-inspector-pages.ts';

/** The largest JSON body a sandbox call reads; every sandbox request is a few fields. */
export const SANDBOX_BODY_BYTES_MAX = 16 * 1024;

/**
 * The sandbox's JSON API under /sandbox (README "Sandbox tools"): one module per tool in this folder, each
 * registered here. Outside sandbox mode nothing is registered, so every /sandbox address answers the
 * gateway's own 404 and no production path gains a route.
 */
export function registerSandboxApi(app: FastifyInstance, ctx: GatewayContext): void {
  if (!ctx.config.sandbox) return;
  void app.register(async (sandbox) => {
    // Every body is read as JSON whatever its label: `curl -d '{…}'` sends a form Content-Type.
    sandbox.removeAllContentTypeParsers();
    sandbox.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    registerScenarioRoutes(sandbox, ctx);
    registerDeliveryInspector(sandbox, ctx, deliveryInspectorPages(ctx));
    registerTriggerApi(sandbox, ctx);
    registerReceiverCheckApi(sandbox, ctx);
    if (ctx.testClock) registerClockApi(sandbox, ctx, ctx.testClock);
  });
}

/** A sandbox refusal: `{ "error": "<what to fix>" }` with its HTTP status, the shape of every sandbox error. */
export function sandboxError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').send({ error: message });
}

/**
 * The request's JSON object, or undefined when the body is not one (the app reads every body as bytes;
 * see api/app.ts). An empty body is an empty object, so `POST /sandbox/clock/reset` needs none.
 */
export function jsonObjectBody(request: FastifyRequest): Record<string, unknown> | undefined {
  const body = request.body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  if (text.trim() === '') return {};
  if (Buffer.byteLength(text) > SANDBOX_BODY_BYTES_MAX) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
