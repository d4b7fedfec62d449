// The dispatcher's HTTP client: node:http/https through one keep-alive Agent per merchant origin, so a stream
// of deliveries to one merchant reuses a few connections instead of opening one per attempt. Each attempt has
// one deadline timer that destroys the request (no AbortSignal per attempt), redirects are never followed (the
// status is the answer) and at most `bodyLimit` bytes of a response are read.
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

/** Agents kept at once; the least recently used one beyond this is dropped (its idle sockets closed). */
const ORIGINS_MAX = 64;
/**
 * How long an idle connection is kept. Below the 5 s Node and many proxies close an idle connection after,
 * so a reused socket is rarely one the merchant is closing (a server's Keep-Alive hint can shorten it).
 */
const IDLE_SOCKET_MS = 4_000;

export interface MerchantRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Sent in this order and case; Host, Connection and (with a body) Content-Length are added. */
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Most response bytes read; a longer body ends the read (and the connection) there. */
  bodyLimit: number;
}

export type TransportFailure =
  | { kind: 'timeout' }
  | { kind: 'too_large' }
  | { kind: 'connection'; code: string }
  | { kind: 'other'; message: string };

export interface MerchantExchange {
  /** The header lines as they went out, in their sent case; null when the request could not be made. */
  sentHeaders: Record<string, string> | null;
  /** Null when no response head arrived. */
  status: number | null;
  responseHeaders: IncomingHttpHeaders | null;
  /** What was read of the body: all of it, unless `failure` says otherwise. */
  body: Buffer;
  /** Why the exchange did not end with a whole response (within `bodyLimit`). */
  failure: TransportFailure | null;
}

export class MerchantHttp {
  private readonly agents = new Map<string, http.Agent>();

  /** @param socketsPerOrigin most connections to one origin at once (the dispatcher's concurrency). */
  constructor(private readonly socketsPerOrigin: number) {}

  /** Never rejects: how far the exchange got is in the result. */
  request(request: MerchantRequest): Promise<MerchantExchange> {
    return new Promise((resolve) => {
      let sentHeaders: Record<string, string> | null = null;
      let status: number | null = null;
      let responseHeaders: IncomingHttpHeaders | null = null;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (failure: TransportFailure | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ sentHeaders, status, responseHeaders, body: Buffer.concat(chunks), failure });
      };

      let req: http.ClientRequest;
      try {
        const url = new URL(request.url);
        const headers: OutgoingHttpHeaders = { ...request.headers, Connection: 'keep-alive' };
        if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
        const transport = url.protocol === 'https:' ? https : http;
        req = transport.request(url, { method: request.method, headers, agent: this.agentFor(url) });
        sentHeaders = Object.fromEntries(req.getRawHeaderNames().map((name) => [name, String(req.getHeader(name))]));
      } catch (error) {
        // An invalid URL or header value: thrown before anything is sent.
        finish({ kind: 'other', message: error instanceof Error ? error.message : String(error) });
        return;
      }
      timer = setTimeout(() => {
        finish({ kind: 'timeout' });
        req.destroy();
      }, request.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        finish(typeof error.code === 'string' ? { kind: 'connection', code: error.code } : { kind: 'other', message: error.message });
      });
      req.on('response', (res) => {
        status = res.statusCode ?? null;
        responseHeaders = res.headers;
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.bodyLimit) {
          finish({ kind: 'too_large' });
          res.destroy();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          const room = request.bodyLimit - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size = request.bodyLimit;
            finish({ kind: 'too_large' });
            res.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => finish(null));
        res.on('error', (error: NodeJS.ErrnoException) => {
          finish(typeof error.code === 'string' ? { kind: 'connection', code: error.code } : { kind: 'other', message: error.message });
        });
        // Closed before its end: the merchant (or the network) cut the response short.
        res.on('close', () => finish({ kind: 'connection', code: 'ECONNRESET' }));
      });
      req.end(request.body);
    });
  }

  /** Closes every idle connection and forgets the agents; requests in flight finish on their own. */
  close(): void {
    for (const agent of this.agents.values()) closeIdle(agent);
    this.agents.clear();
  }

  private agentFor(url: URL): http.Agent {
    const origin = url.origin;
    let agent = this.agents.get(origin);
    if (agent !== undefined) {
      // Most recently used last, so the first is the one to drop.
      this.agents.delete(origin);
      this.agents.set(origin, agent);
      return agent;
    }
    const options: http.AgentOptions = {
      keepAlive: true,
      maxSockets: this.socketsPerOrigin,
      maxFreeSockets: this.socketsPerOrigin,
      timeout: IDLE_SOCKET_MS,
      scheduling: 'lifo',
    };
    agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.agents.set(origin, agent);
    if (this.agents.size > ORIGINS_MAX) {
      const [oldest, dropped] = this.agents.entries().next().value!;
      this.agents.delete(oldest);
      closeIdle(dropped);
    }
    return agent;
  }
}

/** Not agent.destroy(): that would also cut requests in flight. Their sockets close once idle long enough. */
function closeIdle(agent: http.Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
