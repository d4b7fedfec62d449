import { RESPONSE_CODES, formatFromContentType, serialize, contentTypeOf, type WireFormat } from '@ovo-tokenize/protocol';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { registerActivationPages } from '../pages/activation-pages.ts';
import { registerAssets } from '../pages/assets.ts';
import { registerPaymentPages } from '../pages/payment-pages.ts';
import { notice, renderPage } from '../pages/layout.ts';
import { registerSandboxRoutes } from '../pages/sandbox-routes.ts';
import { registerTopupPages } from '../pages/topup-pages.ts';
import { registerWalletApp } from '../pages/wallet-app.ts';
import { OPERATIONS_BY_NAME } from './operations/index.ts';
import { failure, registerOperation, sendReply } from './operation-route.ts';
import { RATE_LIMIT_KEYS_MAX, TokenBuckets } from './rate-limit.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { isOperationName, type OperationName } from '@ovo-tokenize/protocol';

const API_PATH = /^\/(ovo|cvr|pws)\//;
/** Route patterns whose form POSTs are limited per client IP (hosted pages; GET pages and assets are not). */
const PAGE_POST_ROUTE = /^\/(activation|pay|wallet)(\/|$)/;
const SANDBOX_INBOX_ROUTE = '/sandbox/inbox';

/** The whole gateway as one Fastify app: merchant API, hosted pages, assets, health and sandbox tools. */
export function buildApp(ctx: GatewayContext, logger: FastifyServerOptions['logger'] = false): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: ctx.config.body_bytes_max,
    trustProxy: ctx.config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Our own parsers decide every field; Fastify's schema coercion is not used anywhere.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });

  // Bodies arrive as text: the protocol codecs parse them (and must see the raw bytes for X-Signature).
  app.removeAllContentTypeParsers();
  const asText = (_request: unknown, body: string | Buffer, done: (err: null, body: string) => void) => done(null, String(body));
  app.addContentTypeParser(['application/json', 'application/xml', 'text/xml'], { parseAs: 'string' }, asText);
  app.addContentTypeParser(/^application\/[\w.+-]+\+(json|xml)$/, { parseAs: 'string' }, asText);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(body as string)) if (!(key in fields)) fields[key] = value;
    done(null, fields);
  });

  registerSecurityHeaders(app);

  // Rate limits (rate-limit.ts): merchant calls per merchant in the operation pipeline; hosted-page form
  // posts and the sandbox inbox per client IP here, before the body is read. /health, GET pages and assets
  // are never limited.
  const apiRateLimit = new TokenBuckets({
    ratePerS: ctx.config.api_rate_per_s, burst: ctx.config.api_burst, keysMax: RATE_LIMIT_KEYS_MAX, clock: ctx.clock,
  });
  const pageRateLimit = new TokenBuckets({
    ratePerS: ctx.config.page_post_rate_per_s, burst: ctx.config.page_post_burst, keysMax: RATE_LIMIT_KEYS_MAX, clock: ctx.clock,
  });
  if (pageRateLimit.enabled) {
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route === undefined) return;
      const limited = (request.method === 'POST' && PAGE_POST_ROUTE.test(route)) || route === SANDBOX_INBOX_ROUTE;
      if (!limited) return;
      const retryAfterS = pageRateLimit.take(request.ip);
      if (retryAfterS === 0) return;
      return reply.status(429).header('retry-after', String(retryAfterS)).type('text/html; charset=utf-8').send(renderPage({
        title: 'Too many requests', lang: 'en', heading: 'Too many requests',
        body: notice('error', `Too many requests from your address. Please wait ${retryAfterS} s and try again.`),
      }));
    });
  }
  registerAssets(app);
  registerTopupPages(app);
  registerActivationPages(app, ctx);
  registerPaymentPages(app, ctx);
  registerSandboxRoutes(app, ctx);
  registerWalletApp(app, ctx);

  app.get('/health', async (_request, reply) => {
    await ctx.database.db.selectFrom('merchants').select('merchant_id').limit(1).execute();
    return reply.send({ status: 'ok' });
  });

  const extra = new Map<string, string[]>();
  for (const [path, op] of Object.entries(ctx.config.extraPaths)) {
    if (!isOperationName(op)) throw new Error(`extra path ${path} names unknown operation "${op}"`);
    extra.set(op, [...(extra.get(op) ?? []), path]);
  }
  // Route pattern → operation, so that replies the error handler writes (413, 415) still name their operation.
  const operationOfRoute = new Map<string, OperationName>();
  for (const operation of Object.values(OPERATIONS_BY_NAME)) {
    for (const path of registerOperation(app, ctx, operation, apiRateLimit, extra.get(operation.name))) operationOfRoute.set(path, operation.name);
  }

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    const reason = status === 413 ? `body larger than ${ctx.config.body_bytes_max} bytes`
      : status === 415 ? 'unsupported Content-Type'
        : status === 500 ? RESPONSE_CODES['96'].desc : 'request could not be read';
    const op = operationOfRoute.get(request.routeOptions.url ?? '');
    // Merchants' systems get a reply in the protocol's format; people on the hosted pages get a page.
    if (op || API_PATH.test(request.url)) {
      const format: WireFormat = formatFromContentType(request.headers['content-type']) ?? 'json';
      const code = status === 500 ? '96' : '30';
      if (op) return sendReply(reply, format, op, failure(code, reason), status);
      return reply.status(status).type(contentTypeOf(format)).send(serialize(format, {
        response_code: code, response_desc: `${RESPONSE_CODES[code].desc}: ${reason}`,
      }));
    }
    return reply.status(status).type('text/html; charset=utf-8')
      .send(renderPage({ title: 'Error', lang: 'en', heading: 'Something went wrong', body: notice('error', reason) }));
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.status(404).type('application/json; charset=utf-8').send(JSON.stringify({ error: 'not found' }));
    }
    return reply.status(404).type('text/html; charset=utf-8')
      .send(renderPage({ title: 'Not found', lang: 'en', heading: 'Page not found', body: notice('error', 'There is nothing at this address.') }));
  });

  return app;
}
