// A stand-in gateway on 127.0.0.1 that answers each request by a script: drop the connection, answer a
// status and body, hang before answering, or send headers and then hang. Records what it received.
// `gatewayReply` writes a reply the way the gateway does: every field of the operation, HTTP 200 by code.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import {
  OPERATIONS, RESPONSE_CODES, contentTypeOf, serialize, type OperationName, type ReplyValue, type ResponseCode, type WireFormat,
} from '@ovo-tokenize/protocol';

export type Step =
  | { readonly kind: 'drop' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'hangBody'; readonly status: number }
  | {
    readonly kind: 'reply'; readonly status: number; readonly body: string;
    /** null: no Content-Type header at all. */
    readonly contentType: string | null;
    readonly headers?: Record<string, string>;
  };

export type ReplyStep = Extract<Step, { kind: 'reply' }>;

export const drop: Step = { kind: 'drop' };
export const hang: Step = { kind: 'hang' };

export function reply(status: number, format: WireFormat, fields: Record<string, ReplyValue>): Step {
  return { kind: 'reply', status, body: serialize(format, fields), contentType: contentTypeOf(format) };
}

export function raw(status: number, contentType: string | null, body: string, headers?: Record<string, string>): Step {
  return { kind: 'reply', status, body, contentType, headers };
}

/**
 * What the gateway answers (PROTOCOL.md §3): every field `op`'s reply lists, in catalogue order, `''` where
 * `fields` gives no value, with the HTTP status of its response code (200 for all but 96).
 */
export function gatewayReply(op: OperationName, format: WireFormat, fields: Record<string, ReplyValue> & { response_code: ResponseCode }): ReplyStep {
  const all: Record<string, ReplyValue> = { response: OPERATIONS[op].response, response_desc: RESPONSE_CODES[fields.response_code].desc, ...fields };
  const complete = Object.fromEntries(OPERATIONS[op].reply.map((name) => [name, all[name] ?? '']));
  return { kind: 'reply', status: RESPONSE_CODES[fields.response_code].http, body: serialize(format, complete), contentType: contentTypeOf(format) };
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface ScriptedServer {
  readonly url: string;
  readonly received: Received[];
  /** Steps for the coming requests, in order; when they run out, `fallback` answers. */
  script(...steps: Step[]): void;
  fallback: Step;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const received: Received[] = [];
  let steps: Step[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const step = steps.shift() ?? scripted.fallback;
      switch (step.kind) {
        case 'drop':
          req.socket.destroy();
          return;
        case 'hang':
          hanging.add(res);
          return;
        case 'hangBody':
          res.writeHead(step.status, { 'content-type': 'application/json' });
          res.write('{"response_code":');
          hanging.add(res);
          return;
        case 'reply':
          res.writeHead(step.status, { ...(step.contentType === null ? {} : { 'content-type': step.contentType }), ...step.headers });
          res.end(step.body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scripted: ScriptedServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script(...next) {
      steps = [...next];
      received.length = 0;
    },
    fallback: raw(500, 'text/plain', 'no script'),
  };
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return scripted;
}
