// Request ids end to end: the caller's X-Request-Id when it is a sane token (the client SDK sends one,
// the same on every retry of a call), else a fresh one; echoed on every reply, carried by every log line of
// the request (Fastify's child logger, label `request_id`), and handed to the work the request causes
// (observability/request-scope.ts), so an outbox row and its delivery name the call that queued them.
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_PATTERN } from '@ovo-tokenize/protocol';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { runInRequest } from '../observability/request-scope.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
export const REQUEST_ID_LOG_LABEL = 'request_id';

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value);
}

/** Fastify's genReqId: the caller's id when it is sane, else a new UUID (an odd one is dropped, not repaired). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(given) ? given : randomUUID();
}

/** Sets the id on a reply; frameworkErrors in app.ts calls it itself, because its replies skip every hook. */
export function echoRequestId(reply: FastifyReply): FastifyReply {
  return reply.header(REQUEST_ID_HEADER, reply.request.id);
}

/**
 * Registers the hooks: the header is set as the request arrives, so every reply carries it (pages, 404s,
 * errors, 429s); the handler runs inside the request's scope, entered after the body is read because the
 * body's stream events do not carry it.
 */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    echoRequestId(reply);
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => runInRequest(request.id, done));
}
