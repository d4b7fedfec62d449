// A merchant's first integration with OVO Tokenize through @ovo-tokenize/client alone: link a customer's OVO
// account (their browser enters the SMS code and PIN), charge it, read balance and history, unlink — and receive
// the activation callback and payment notification, believed only once their signatures check out.
//   npx tsx examples/first-integration/integration.ts [--format xml] [--phone 08…]     (see README.md)
import { once, EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  OvoSignatureVerificationError, OvoTokenizeClient, createNotificationHandler, verifyActivationCallback, verifyPaymentReturn,
  type ActivationCallback, type PaymentNotification, type WireFormat,
} from '@ovo-tokenize/client';

export interface IntegrationOptions {
  gatewayUrl: string; merchantId: string; merchantName: string; userId: string; password: string;
  format: WireFormat; phone: string;
  receiverPort: number; // 0: any free port; the gateway must have the receiver's URLs (see onListening)
  waitMs?: number;      // for the customer's browser, then for the gateway's callback or notification
}

export interface IntegrationHooks {
  /** The receiver is up: these are the URLs the gateway must have for this merchant. */
  onListening?: (urls: { callbackUrl: string; returnUrl: string; paymentReturnUrl: string; notifyUrl: string }) => void | Promise<void>;
  /** Send the customer's browser to `url`: to link (SMS code, then PIN) or to pay (PIN). Default: print it. */
  onRedirect?: (url: string, step: 'link' | 'pay') => void | Promise<void>;
  log?: (line: string) => void;
}

export async function runIntegration(options: IntegrationOptions, hooks: IntegrationHooks = {}) {
  const { phone, userId, password, waitMs = 10 * 60_000 } = options;
  const log = hooks.log ?? console.log;
  const redirect = hooks.onRedirect ?? ((url, step) => log(`→ open in a browser (${step === 'link' ? 'SMS code, then PIN' : 'PIN'}): ${url}`));
  const ovo = new OvoTokenizeClient({ baseUrl: options.gatewayUrl, merchantId: options.merchantId,
    merchantName: options.merchantName, userId, password, format: options.format });

  // The receiver. Anyone can call these URLs, so nothing that arrives counts before its signature is checked.
  const arrivals = new EventEmitter();
  const onNotification = createNotificationHandler({ userId, password, onNotification: (n) => {
    log(`← notification (${n.format}, signature verified): bill ${n.billNo} status ${n.paymentStatusCode} ${n.paymentStatusDesc}`);
    arrivals.emit(`payment:${n.billNo}`, n); // delivered at least once: a repeat finds no listener left
  }, onRejected: (error) => log(`✗ refused a notification: ${error.message}`) });
  const server = createServer((req, res) => void receive(req, res).catch((error: unknown) => {
    res.writeHead(error instanceof OvoSignatureVerificationError ? 401 : 400).end();
  }));
  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver');
    if (url.pathname === '/ovo/notify') {
      const answer = await onNotification(await webRequest(req, url)); // the acknowledgement, or 401/400
      return void res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' }).end(await answer.text());
    }
    if (url.pathname === '/ovo/payment-return') {
      // The browser back from the payment page: show it, but only the notification marks the order paid.
      const back = verifyPaymentReturn(url.searchParams, { userId, password });
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>OVO</title><link rel="icon" '
        + `href="data:,"><p>${back.status === '2' ? 'Thanks — we are confirming your payment.' : 'The payment was not completed.'}</p>`);
    }
    if (url.pathname !== '/ovo/callback' && url.pathname !== '/ovo/return') return void res.writeHead(404).end();
    // The gateway's callback and the browser's return carry the same signed query; this throws if it is forged.
    const result = verifyActivationCallback(url.searchParams, { userId, password });
    if (url.pathname === '/ovo/callback') arrivals.emit(`activation:${result.phone}`, result);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>OVO</title><link rel="icon" '
      + `href="data:,"><p>${result.linked ? 'OVO linked. You can close this tab.' : 'OVO was not linked.'}</p>`);
  }
  await new Promise<void>((resolve) => server.listen(options.receiverPort, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/ovo`;
  await hooks.onListening?.({
    callbackUrl: `${base}/callback`, returnUrl: `${base}/return`, paymentReturnUrl: `${base}/payment-return`, notifyUrl: `${base}/notify`,
  });

  /** Sends the customer's browser to `url`, then waits for what the gateway tells the receiver (`event`). */
  async function sendCustomer<T>(url: string, step: 'link' | 'pay', event: string): Promise<T> {
    const signal = AbortSignal.timeout(waitMs);
    const [[arrived]] = await Promise.all([once(arrivals, event, { signal }), redirect(url, step)]).catch((error: unknown) => {
      throw signal.aborted ? new Error(`no ${event} within ${waitMs / 1000} s`) : error;
    });
    return arrived as T;
  }

  try {
    // 1. Link. The answer is only a URL; the account is linked when the verified callback says so.
    const link = await ovo.activate({ phone, customerName: 'Andrea Hinata' });
    if (link.outcome !== 'ok') throw new Error(`activate: ${link.code} ${link.description}`);
    const linked = await sendCustomer<ActivationCallback>(link.redirectUrl, 'link', `activation:${phone}`);
    if (!linked.linked) throw new Error(`linking failed: ${linked.responseDesc}`);
    log(`← activation callback (signature verified): ${linked.phone} linked`);

    // 2. Pay. `ok` means accepted and waiting for the PIN; the order is paid when the notification says 2.
    const billNo = `FI-${Date.now()}`; // the order's identity: a retry with the same bill_no is the same order
    const paid = await ovo.pay({ billNo, description: 'Kopi Gayo 250 g', amount: 65_000n, phone,
      customerName: 'Andrea Hinata', email: 'andrea@example.com', payType: 'pointsThenCash' });
    if (paid.outcome === 'relinkRequired') throw new Error(`the link is gone: relink at ${paid.relinkUrl}`);
    if (paid.outcome === 'failed') throw new Error(`pay refused: ${paid.code} ${paid.description}`);
    log(`→ pay: bill ${paid.billNo}, trx ${paid.trxId}, Rp ${paid.amount} accepted, waiting for the PIN`);
    const notification = await sendCustomer<PaymentNotification>(paid.redirectUrl, 'pay', `payment:${billNo}`);
    if (notification.paymentStatusCode !== '2') throw new Error(`payment ended ${notification.paymentStatusDesc}`);

    // 3. Balance and history. Reads can answer relinkRequired too: the customer may unlink from the OVO app.
    const balance = await ovo.balance({ phone });
    if (balance.outcome === 'ok') log(`→ balance: Rp ${balance.cash} cash, ${balance.points} points`);
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10); // Jakarta's date (UTC+7)
    const history = await ovo.history({ phone, startDate: today, endDate: today, page: 1, limit: 10 });
    if (history.outcome === 'ok') for (const t of history.transactions) log(`→ history: ${t.trxId} Rp ${t.cash} cash + ${t.points} points`);

    // 4. Unlink; from now on the gateway answers relinkRequired, with a URL to link again.
    log(`→ unlink: ${(await ovo.unlink({ phone })).outcome}`);
    const afterUnlink = await ovo.balance({ phone });
    if (afterUnlink.outcome === 'relinkRequired') log(`→ balance: relinkRequired, link again at ${afterUnlink.relinkUrl}`);
    return { linked, payment: paid, notification, balance, history, afterUnlink };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** node:http gives a stream; the client's handler wants a Web Request with the raw bytes, unparsed. */
async function webRequest(req: IncomingMessage, url: URL): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  return new Request(url, { method: req.method, headers, body: req.method === 'POST' ? new Uint8Array(Buffer.concat(chunks)) : null });
}

async function main(): Promise<void> {
  const { values: flag } = parseArgs({ options: { 'gateway-url': { type: 'string' }, format: { type: 'string' },
    phone: { type: 'string' }, port: { type: 'string' } } });
  const env = process.env;
  const format = flag.format ?? env.OVO_FORMAT ?? 'json';
  if (format !== 'json' && format !== 'xml') throw new Error('--format is json or xml');
  await runIntegration({
    gatewayUrl: flag['gateway-url'] ?? env.OVO_GATEWAY_URL ?? 'http://127.0.0.1:8080', format,
    merchantId: env.OVO_MERCHANT_ID ?? '77002', merchantName: env.OVO_MERCHANT_NAME ?? 'First Integration',
    userId: env.OVO_USER_ID ?? 'bot77002', password: env.OVO_PASSWORD ?? 'first-77002',
    phone: flag.phone ?? env.OVO_PHONE ?? '081234567890', receiverPort: Number(flag.port ?? env.RECEIVER_PORT ?? 3000),
  }, { onListening: (urls) => console.log(`receiving at ${Object.values(urls).join(', ')} (the merchant's URLs at the gateway)`) });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((error: unknown) => { console.error(error); process.exitCode = 1; });
}
