// How the merchant API reads what arrives and answers what went wrong before an operation could run:
// the lenient intake of PROTOCOL.md §1.1 and the protocol-shaped replies to unknown paths, wrong methods,
// unreadable or oversized bodies and broken URLs (§1, §3). Hosted pages get HTML instead (app.ts).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RESPONSE_CODES, contentTypeOf, detectFormat, serialize, type ResponseCode, type WireFormat } from '@ovo-tokenize/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteApiReply } from './access-log.ts';

const API_PATH = /^\/(ovo|cvr|pws)(\/|\?|$)/;

export function isApiPath(url: string): boolean {
  return API_PATH.test(url);
}

/** The path of a URL without its query string and trailing slashes: how operation paths are matched. */
export function pathOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

const declaredContentTypes = new WeakMap<IncomingMessage, string | undefined>();

/**
 * Merchants' clients label their bodies carelessly (§1.1: JSON as form-urlencoded, as text/plain, or
 * unlabelled), so on API paths the label is taken aside before Fastify sees it: every body is then read as
 * text, and detectFormat decides from the label and the body together.
 */
export function takeContentTypeAside(request: FastifyRequest): void {
  const label = request.raw.headers['content-type'];
  declaredContentTypes.set(request.raw, label);
  delete request.raw.headers['content-type'];
}

export function declaredContentType(request: FastifyRequest): string | undefined {
  return declaredContentTypes.has(request.raw) ? declaredContentTypes.get(request.raw) : request.headers['content-type'];
}

/** The body's exact bytes, as an operation received them (what X-Signature covers). */
export function bodyBytes(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export function bodyText(request: FastifyRequest): string {
  return bodyBytes(request).toString('utf8');
}

/** The format a reply to this request is written in: the request's own, JSON when it cannot be told. */
export function replyFormat(request: FastifyRequest): WireFormat {
  return detectFormat(declaredContentType(request), bodyText(request)) ?? 'json';
}

/** The common reply fields (spec §3) of a request that reached no operation: `response` names none. */
function bareReply(code: ResponseCode, reason: string): Record<string, string> {
  return { response: '', response_code: code, response_desc: `${RESPONSE_CODES[code].desc}: ${reason}` };
}

export function sendBareReply(reply: FastifyReply, format: WireFormat, code: ResponseCode, reason: string): FastifyReply {
  noteApiReply(reply, { operation: undefined, merchantId: undefined, responseCode: code, format });
  return reply.status(RESPONSE_CODES[code].http).type(contentTypeOf(format)).send(serialize(format, bareReply(code, reason)));
}

/** How long a reply already being made may still take when the connection broke after its request. */
const IN_FLIGHT_REPLY_WAIT_MS = 30_000;

const BROKEN_REQUEST: Readonly<Record<string, readonly [number, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'the request headers are too large'],
};

/**
 * A request that is not HTTP (or never finished arriving) has no path and no format to answer in: it gets
 * a bare JSON protocol reply with a transport status, and the connection is closed.
 */
export function answerBrokenRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Garbage after a complete request on a kept-alive connection: that request is being carried out, so its
  // reply goes out before the connection closes (bounded, in case the handler never answers).
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (inFlight && inFlight.req.complete && !inFlight.writableFinished) {
    const giveUp = setTimeout(() => socket.destroy(), IN_FLIGHT_REPLY_WAIT_MS);
    giveUp.unref();
    inFlight.once('close', () => {
      clearTimeout(giveUp);
      socket.destroy();
    });
    return;
  }
  const [status, reason] = BROKEN_REQUEST[error.code ?? ''] ?? [400, 'the request could not be read'];
  const body = serialize('json', bareReply('30', reason));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${contentTypeOf('json')}\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
