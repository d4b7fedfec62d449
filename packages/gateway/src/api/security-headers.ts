// Secure-by-default response headers for the whole app, API and pages alike. HTML pages get a strict CSP
// (no scripts at all, no inline styles) and `no-store`, because they carry one-time codes and sessions.
// A header a route set explicitly wins: the hook only fills gaps.
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const EVERY_RESPONSE: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const HTML_RESPONSE: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cache-control': 'no-store',
};

function isHtml(contentType: unknown): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return typeof value === 'string' && /^\s*text\/html\s*(;|$)/i.test(value);
}

/** Fills in the headers for the reply's content type; call it after the type is set. */
export function applySecurityHeaders(reply: FastifyReply): FastifyReply {
  const headers = isHtml(reply.getHeader('content-type')) ? { ...EVERY_RESPONSE, ...HTML_RESPONSE } : EVERY_RESPONSE;
  for (const [name, value] of Object.entries(headers)) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  return reply;
}

/** Adds the `onSend` hook. Call it on the root instance so it also covers 404s and error replies. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    applySecurityHeaders(reply);
    return payload;
  });
}
