import { RESPONSE_CODES, contentTypeOf, formatFromContentType } from '@ovo-tokenize/protocol';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { registerActivationPages } from '../pages/activation-pages.ts';
import { registerAssets } from '../pages/assets.ts';
import { registerPaymentPages } from '../pages/payment-pages.ts';
import { notice, renderPage } from '../pages/layout.ts';
import { registerSandboxRoutes } from '../pages/sandbox-routes.ts';
import { registerTopupPages } from '../pages/topup-pages.ts';
import { registerWalletApp } from '../pages/wallet-app.ts';
import { registerApiDocs } from './openapi-route.ts';
import { prefersHtml } from './sandbox/deliveries.ts';
import { registerSandboxApi, sandboxError } from './sandbox/index.ts';
import { withScenarios } from './sandbox/scenarios.ts';
import { OPERATIONS_BY_NAME } from './operations/index.ts';
import { failure, registerOperation, sendReply } from './operation-route.ts';
import { RATE_LIMIT_KEYS_MAX, TokenBuckets } from './rate-limit.ts';
import { logAccess, registerAccessLog } from './access-log.ts';
import { registerMetricsRoute } from './metrics.ts';
import { registerReadiness, type Lifecycle } from './readiness.ts';
import { REQUEST_ID_LOG_LABEL, echoRequestId, registerRequestIds, requestIdOf } from './request-id.ts';
import { answerBrokenRequest, isApiPath, pathOf, replyFormat, sendBareReply, takeContentTypeAside } from './protocol-edge.ts';
import { applySecurityHeaders, registerSecurityHeaders } from './security-headers.ts';
import { isOperationName, type OperationName } from '@ovo-tokenize/protocol';

/** Route patterns whose form POSTs are limited per client IP (hosted pages; GET pages and assets are not). */
const PAGE_POST_ROUTE = /^\/(activation|pay|wallet)(\/|$)/;
const SANDBOX_INBOX_ROUTE = '/sandbox/inbox';
/** The sandbox's JSON API (and its pages, for browsers). */
const isSandboxPath = (url: string) => url === '/sandbox' || url.startsWith('/sandbox/');

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function sendErrorPage(reply: FastifyReply, status: number, reason: string): FastifyReply {
  return reply.status(status).type(HTML)
    .send(renderPage({ title: 'Error', lang: 'en', heading: 'Something went wrong', body: notice('error', reason) }));
}

/** The whole gateway as one Fastify app: merchant API, hosted pages, assets, health and sandbox tools. */
export function buildApp(ctx: GatewayContext, logger: FastifyServerOptions['logger'] = false,
  lifecycle: Lifecycle = { shuttingDown: false }): FastifyInstance {
  const app = Fastify({
    logger,
    // api/request-id.ts: the caller's X-Request-Id only when it is sane (Fastify's requestIdHeader would take
    // any value as it is), on every log line as `request_id`; access-log.ts writes one line per request instead
    // of Fastify's two.
    requestIdHeader: false,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_LABEL, disableRequestLogging: true }),
    bodyLimit: ctx.config.body_bytes_max,
    trustProxy: ctx.config.trustProxy,
    // Slow clients (README "Other limits"): Fastify sets server.requestTimeout itself; the rest go to
    // http.createServer, which also needs requestTimeout to accept a headersTimeout above its 300 s default.
    requestTimeout: ctx.config.request_timeout_ms,
    keepAliveTimeout: ctx.config.keep_alive_timeout_ms,
    http: {
      requestTimeout: ctx.config.request_timeout_ms,
      headersTimeout: ctx.config.headers_timeout_ms,
      connectionsCheckingInterval: ctx.config.timeout_check_interval_ms,
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Our own parsers decide every field; Fastify's schema coercion is not used anywhere.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    clientErrorHandler: answerBrokenRequest,
    // A URL the router cannot decode (`%zz`) or with an over-long parameter never reaches a route; it still
    // gets a protocol reply on API paths and a page elsewhere, never Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      const reason = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'the address is too long' : 'the address is not valid';
      // Replies sent from here skip every hook, so the security headers and the request id are set before
      // sending, and the access line written after.
      const plain = reply as FastifyReply;
      const api = isApiPath(request.url);
      const sandboxJson = ctx.config.sandbox && isSandboxPath(request.url) && !prefersHtml(request as FastifyRequest);
      // The body is not read here: the label is all there is to go by.
      const format = formatFromContentType(request.headers['content-type']) ?? 'json';
      applySecurityHeaders(echoRequestId(plain).type(api ? contentTypeOf(format) : sandboxJson ? JSON_TYPE : HTML));
      if (api) sendBareReply(plain, format, '30', `${reason}: ${request.url.slice(0, 200)}`);
      else if (sandboxJson) sandboxError(plain, 400, reason);
      else sendErrorPage(plain, 400, reason);
      logAccess(request as FastifyRequest, plain, ctx.metrics);
    },
  });

  // Operations read every body as bytes (the codecs parse its text, X-Signature covers the bytes); on API
  // paths the Content-Type is taken aside first (protocol-edge.ts), so this catch-all parser sees them all.
  // Hosted pages read their own forms.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(body as string)) if (!(key in fields)) fields[key] = value;
    done(null, fields);
  });
  app.addHook('onRequest', async (request) => {
    if (isApiPath(request.url)) takeContentTypeAside(request);
  });

  // Before any hook that may answer (the page rate limit below), so every reply carries the id.
  registerRequestIds(app);
  registerAccessLog(app, ctx.metrics);
  registerSecurityHeaders(app);

  // Rate limits (rate-limit.ts): merchant calls per merchant in the operation pipeline; hosted-page form
  // posts and the sandbox inbox per client IP here, before the body is read. /health, GET pages and assets
  // are never limited.
  const apiRateLimit = new TokenBuckets({
    ratePerS: ctx.config.api_rate_per_s, burst: ctx.config.api_burst, keysMax: RATE_LIMIT_KEYS_MAX, clock: ctx.wallClock,
  });
  const pageRateLimit = new TokenBuckets({
    ratePerS: ctx.config.page_post_rate_per_s, burst: ctx.config.page_post_burst, keysMax: RATE_LIMIT_KEYS_MAX, clock: ctx.wallClock,
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
  registerSandboxApi(app, ctx);
  registerWalletApp(app, ctx);
  registerApiDocs(app, ctx);

  app.get('/health', async (_request, reply) => {
    await ctx.database.db.selectFrom('merchants').select('merchant_id').limit(1).execute();
    return reply.send({ status: 'ok' });
  });
  registerReadiness(app, ctx, lifecycle);
  // Otherwise /metrics is a 404 page here: off, or on a listener of its own (server.ts).
  if (ctx.config.metrics === 'on') registerMetricsRoute(app, ctx.metrics);

  const extra = new Map<string, string[]>();
  for (const [path, op] of Object.entries(ctx.config.extraPaths)) {
    if (!isOperationName(op)) throw new Error(`extra path ${path} names unknown operation "${op}"`);
    extra.set(op, [...(extra.get(op) ?? []), path]);
  }
  const operationOfPath = new Map<string, OperationName>();
  for (const operation of Object.values(OPERATIONS_BY_NAME)) {
    for (const path of registerOperation(app, ctx, withScenarios(ctx, operation), apiRateLimit, extra.get(operation.name))) operationOfPath.set(pathOf(path), operation.name);
  }

  // Path → operation, so that replies written outside the operation (an oversized body, a GET) still carry
  // every field of their operation's reply.
  const operationAt = (url: string) => operationOfPath.get(pathOf(url));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    const reason = status === 413 ? `body larger than ${ctx.config.body_bytes_max} bytes`
      : status === 500 ? RESPONSE_CODES['96'].desc : 'request could not be read';
    if (isApiPath(request.url)) {
      const code = status === 500 ? '96' : '30';
      const op = operationAt(request.url);
      if (op) return sendReply(reply, replyFormat(request), op, failure(code, reason));
      return sendBareReply(reply, replyFormat(request), code, reason);
    }
    return sendErrorPage(reply, status, reason);
  });

  app.setNotFoundHandler((request, reply) => {
    if (isApiPath(request.url)) {
      const path = pathOf(request.url);
      const op = operationAt(request.url);
      if (op) return sendReply(reply, replyFormat(request), op, failure('30', `${request.method} ${path}: operations take POST`));
      return sendBareReply(reply, replyFormat(request), '30', `no operation at ${path}`);
    }
    return reply.status(404).type('text/html; charset=utf-8')
      .send(renderPage({ title: 'Not found', lang: 'en', heading: 'Page not found', body: notice('error', 'There is nothing at this address.') }));
  });

  return app;
}
