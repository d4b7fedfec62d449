// Starts a real gateway over HTTP on a fresh database, provisions merchants through the store, signs and
// sends merchant calls (JSON or XML), drives the hosted pages with a cookie-keeping fetch client and
// collects what the gateway sends to a merchant's receiver.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import {
  OPERATIONS, hmacSignatureHeader, requestSignature, serializeJson, serializeXml,
  type OperationName, type WireFormat,
} from '@ovo-tokenize/protocol';
import { XMLParser } from 'fast-xml-parser';
import { FormClient, csrfTokenOf, type PageResponse } from '@ovo-tokenize/example-merchant-store/form-client';
import type { GatewayConfig } from '../../src/config.ts';
import type { DeliveryDispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { OffsetClock, type Clock, type Random } from '../../src/domain/ports.ts';
import type { Merchant } from '../../src/domain/merchant.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/server.ts';
import type { Database, DatabaseKind } from '../../src/store/database.ts';
import { insertMerchant, type MerchantInput } from '../../src/store/merchants.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { openTestDatabase, type TestDatabase } from './databases.ts';

// The pages are driven with the form client the demo and the benchmark use too.
export {
  FormClient, csrfTokenOf, decodeHtml, refreshTarget, type PageResponse,
} from '@ovo-tokenize/example-merchant-store/form-client';

export interface TestGateway {
  readonly kind: DatabaseKind;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly gateway: Gateway;
  readonly database: TestDatabase;
  /** Real time plus an offset that tests move forward (session, OTP and PIN-lock expiry), beneath the sandbox test clock. */
  readonly clock: OffsetClock;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  config?: Partial<GatewayConfig>;
  /** Provisioned through the store before the gateway starts (so sandbox mode adds no demo merchant). */
  merchants?: MerchantInput[];
  random?: Random;
  delivery?: Partial<DeliveryDispatcherOptions>;
  /** How often abandoned sessions are expired (the gateway's default is 5 s). */
  sweepIntervalMs?: number;
  /** Fastify's logger option (default: no logging). */
  logger?: GatewayOptions['logger'];
  /** The time beneath the test's clock; default real time. A fixed one makes time move only when the test moves it. */
  clockBase?: Clock;
}

/** A gateway listening on 127.0.0.1:<free port> over a fresh, migrated database; closed after the test file. */
export async function startTestGateway(kind: DatabaseKind, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = await openTestDatabase(kind);
  for (const merchant of options.merchants ?? []) await provisionMerchant(database, merchant);
  const clock = new OffsetClock(options.clockBase);
  const gateway = await startGateway({
    database,
    clock,
    random: options.random,
    config: { port: 0, host: '127.0.0.1', sandbox: true, ...options.config },
    delivery: { pollIntervalMs: 100, backoffBaseMs: 200, ...options.delivery },
    sweepIntervalMs: options.sweepIntervalMs,
    logger: options.logger,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    await database.close();
  };
  after(close);
  return { kind, url: gateway.url, gateway, database, clock, close };
}

/** `options.settlementShards: 1` for a database migrated to before migration 010. */
export async function provisionMerchant(database: Database, input: MerchantInput, options: { settlementShards?: number } = {}): Promise<Merchant> {
  return inTransaction(database, (tx) => insertMerchant(tx, input, Date.now(), options));
}

/** The credentials a merchant signs with. */
export interface Signer {
  readonly userId: string;
  readonly password: string;
  readonly hmacSecret?: string | null;
}

export interface CallOptions {
  /** Send to this path instead of /ovo/<op>. */
  path?: string;
  /** Keep the `signature` given in `fields` instead of computing it. */
  keepSignature?: boolean;
  /** Extra or overriding request headers. */
  headers?: Record<string, string>;
  /** Unix seconds for the X-Signature header (merchants with an HMAC secret). */
  hmacTimeS?: number;
}

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly raw: string;
  /** The reply parsed from its format; nested objects stay nested, every scalar a string. */
  readonly body: Record<string, any>;
}

export function encodeFields(format: WireFormat, fields: Readonly<Record<string, string>>): string {
  return format === 'json' ? serializeJson(fields) : serializeXml(fields);
}

export function contentTypeFor(format: WireFormat): string {
  return format === 'json' ? 'application/json' : 'application/xml';
}

/** `fields` with `signature` computed from the catalogue's signed field for `op`. */
export function signFields(op: OperationName, fields: Readonly<Record<string, string>>, merchant: Signer): Record<string, string> {
  const signed = fields[OPERATIONS[op].signedField] ?? '';
  return { ...fields, signature: requestSignature(merchant.userId, merchant.password, signed) };
}

/** Signs `fields` for `op` as `merchant`, POSTs them in `format` and parses the reply. */
export async function callOperation(gatewayUrl: string, op: OperationName, fields: Readonly<Record<string, string>>,
  format: WireFormat, merchant: Signer, options: CallOptions = {}): Promise<Reply> {
  const body = encodeFields(format, options.keepSignature ? fields : signFields(op, fields, merchant));
  const headers: Record<string, string> = { 'content-type': contentTypeFor(format) };
  if (merchant.hmacSecret) {
    headers['x-signature'] = hmacSignatureHeader(merchant.hmacSecret, body, options.hmacTimeS ?? Math.floor(Date.now() / 1000));
  }
  return sendRaw(gatewayUrl, options.path ?? `/ovo/${op}`, body, { ...headers, ...options.headers });
}

/** POSTs an exact body and parses the reply by its Content-Type. */
export async function sendRaw(gatewayUrl: string, path: string, body: string, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(new URL(path, gatewayUrl), { method: 'POST', headers, body });
  const raw = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  return { status: res.status, contentType, raw, body: parseReply(contentType, raw) };
}

const xmlReplyParser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, processEntities: true, trimValues: true });

/** Parses a JSON or XML reply (XML: the children of `<faspay>`). */
export function parseReply(contentType: string, raw: string): Record<string, any> {
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, any>;
  if (contentType.startsWith('application/xml')) {
    if (!raw.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) throw new Error(`XML reply without the declaration: ${raw.slice(0, 60)}`);
    const doc = xmlReplyParser.parse(raw) as { faspay?: Record<string, any> };
    if (!doc.faspay) throw new Error(`XML reply without <faspay>: ${raw.slice(0, 80)}`);
    return doc.faspay;
  }
  throw new Error(`reply is neither JSON nor XML (${contentType}): ${raw.slice(0, 80)}`);
}

// ---------------------------------------------------------------------------------------------------------
// The merchant's side: a receiver for callbacks / notifications, and a return page for browsers.

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  /** Everything received, in order (callbacks, notifications and browser visits alike). */
  readonly received: Received[];
  /** The HTTP status the receiver answers callbacks with (default 200). */
  status: number;
  /** Resolves with the `n`-th request (1-based) to `path`, or rejects after `timeoutMs`. */
  waitFor(path: string, n?: number, timeoutMs?: number): Promise<Received>;
  /** Requests received at `path`. */
  at(path: string): Received[];
  close(): Promise<void>;
}

/** A merchant's server on 127.0.0.1: answers every request with `status` and a small HTML page. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      received.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const wake of waiters) wake();
      res.writeHead(receiver.status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Merchant ${url.pathname}</title><h1>merchant page ${url.pathname}</h1>`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const at = (path: string) => received.filter((r) => r.path === path);
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    status: 200,
    at,
    waitFor(path, n = 1, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hits = at(path);
          if (hits.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hits[n - 1]!);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: no request #${n} to ${path} within ${timeoutMs} ms (got ${at(path).length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  after(() => receiver.close());
  return receiver;
}

/** The newest 6-digit code in the sandbox inbox of `phone`. */
export async function readOtp(gatewayUrl: string, phone: string): Promise<string> {
  const messages = await inbox(gatewayUrl, phone);
  const code = messages[0] && /\b([0-9]{6})\b/.exec(messages[0].text)?.[1];
  if (!code) throw new Error(`no OTP in the inbox of ${phone}`);
  return code;
}

export async function inbox(gatewayUrl: string, phone: string): Promise<Array<{ phone_no: string; text: string; created_at: string }>> {
  const res = await fetch(`${gatewayUrl}/sandbox/inbox?phone_no=${encodeURIComponent(phone)}`);
  if (res.status !== 200) throw new Error(`inbox answered ${res.status}`);
  return ((await res.json()) as { messages: Array<{ phone_no: string; text: string; created_at: string }> }).messages;
}

/** Row counts of every table a merchant call could change. */
export async function countRows(database: TestDatabase): Promise<Record<string, number>> {
  const tables = ['merchants', 'wallets', 'accounts', 'transfers', 'links', 'link_sessions', 'sms_messages', 'outbox'] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

export async function health(gatewayUrl: string): Promise<void> {
  const res = await fetch(`${gatewayUrl}/health`);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"status":"ok"}') throw new Error(`/health answered ${res.status} ${body}`);
}

/**
 * Moves a sandbox gateway's test clock forward over HTTP (POST /sandbox/clock/advance): everything past its
 * time expires before it answers, and retries now due go out. Returns the gateway's offset in seconds.
 */
export async function advanceSandboxClock(gatewayUrl: string, seconds: number): Promise<number> {
  const res = await fetch(`${gatewayUrl}/sandbox/clock/advance`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/sandbox/clock/advance answered ${res.status}: ${text}`);
  return (JSON.parse(text) as { offset_seconds: number }).offset_seconds;
}

/** Returns a sandbox gateway's test clock to real time (POST /sandbox/clock/reset). */
export async function resetSandboxClock(gatewayUrl: string): Promise<void> {
  const res = await fetch(`${gatewayUrl}/sandbox/clock/reset`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`/sandbox/clock/reset answered ${res.status}: ${await res.text()}`);
}

/**
 * Instead of waiting to see that nothing more arrives: lets the attempts in flight finish and be recorded,
 * then finds nothing due even with the test clock past every retry (the delivery horizon). The clock and the
 * dispatcher are as before afterwards.
 */
export async function assertNothingMoreToSend(gateway: Gateway): Promise<void> {
  const clock = gateway.ctx.testClock;
  if (!clock) throw new Error('assertNothingMoreToSend needs a sandbox gateway');
  await gateway.dispatcher.stop();
  const offsetMs = clock.offsetMs;
  clock.advance((gateway.ctx.config.delivery_horizon_s + 1) * 1000);
  try {
    const sent = await gateway.dispatcher.runOnce();
    if (sent !== 0) throw new Error(`${sent} more deliveries were due past every retry`);
  } finally {
    clock.offsetMs = offsetMs;
    gateway.dispatcher.start();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Linking shortcuts (payment tests need a linked wallet first).

/** Sends a signed activation for `phone` and returns its redirectURL (asserting `00`). */
export async function activate(gatewayUrl: string, merchant: Signer & { merchantId: string }, phone: string,
  format: WireFormat = 'json', custName = 'Test Customer'): Promise<string> {
  const reply = await callOperation(gatewayUrl, 'activation', {
    request: 'Account Activation OVO OpenAPI', merchant_id: merchant.merchantId, payment_channel: '720', phone_no: phone, cust_name: custName,
  }, format, merchant);
  if (reply.body.response_code !== '00' || typeof reply.body.redirectURL !== 'string') {
    throw new Error(`activation answered ${reply.status}: ${reply.raw}`);
  }
  return reply.body.redirectURL;
}

/**
 * Walks the hosted activation page like a browser without JavaScript: opens it (binding the cookie), reads
 * the OTP from the sandbox inbox, submits it and then `pin`. Returns the page shown after the PIN.
 */
export async function completeLink(gatewayUrl: string, redirectURL: string, phone: string, pin = '123456',
  client = new FormClient()): Promise<PageResponse> {
  const page = await client.get(redirectURL);
  if (page.status !== 200) throw new Error(`activation page answered ${page.status}`);
  const csrf = csrfTokenOf(page.html);
  const otp = await readOtp(gatewayUrl, phone);
  const afterOtp = await client.submit(`${redirectURL}/otp`, { csrf_token: csrf, otp });
  if (!afterOtp.html.includes('name="pin"')) throw new Error(`no PIN step after the OTP:\n${afterOtp.html}`);
  return client.submit(`${redirectURL}/pin`, { csrf_token: csrf, pin });
}
