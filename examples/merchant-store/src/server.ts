// The shop's HTTP server: plain node:http and a small routing switch, so every step of the OVO integration
// is one function to read. All OVO traffic goes through @ovo-tokenize/client:
//
//   POST /ovo/link          ovo.activate        → browser to the gateway's linking page
//   GET  /ovo/return        verifyActivationCallback (the browser comes back after linking)
//   GET  /ovo/callback      verifyActivationCallback (the gateway tells the server directly)
//   POST /orders            ovo.pay             → browser to the gateway's PIN page
//   GET  /ovo/payment-return verifyPaymentReturn (the browser comes back from the PIN page: proves nothing)
//   POST /ovo/notify        createNotificationHandler: the ONLY thing that marks an order paid
//   POST /ovo/unlink        ovo.unlink
//   GET  /                  ovo.balance (while linked)
//
// Any call that answers `relinkRequired` (code 02) turns into a "Link again" button to its relinkUrl.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OvoFormatError, OvoSignatureVerificationError, OvoTokenizeClient, OvoTokenizeError, createNotificationHandler, verifyActivationCallback,
  verifyPaymentReturn, type PaymentNotification, type PaymentReturn, type NotificationContext, type WireFormat,
} from '@ovo-tokenize/client';
import { findProduct } from './catalog.ts';
import { groupDigits, isPayType, normalizePhone, rupiah } from './format.ts';
import { FAVICON_SVG, SHOP_CSS } from './styles.ts';
import { ORDER_STATUS_TEXT, ShopState, orderStatusFor, type Customer, type Flash, type Order, type Session } from './state.ts';
import { homePage, layout, messagePage, orderPage, signInPage, type BalanceView, type SignInValues } from './views.ts';
import type { Html } from './html.ts';

export interface MerchantStoreOptions {
  /** The gateway's address, e.g. `http://127.0.0.1:8080`. */
  readonly gatewayUrl: string;
  /** The merchant's credentials, as the gateway's operator issued them. */
  readonly merchantId: string;
  readonly merchantName: string;
  readonly userId: string;
  readonly password: string;
  readonly hmacSecret?: string;
  /** Wire format of the shop's calls. Default `json`. (Notifications arrive in whatever format the gateway has for the merchant.) */
  readonly format?: WireFormat;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /** The shop's address as browsers and the gateway reach it. Default `http://<host>:<port>`. */
  readonly publicUrl?: string;
  /** Told about every exchange with the gateway: for logs, and for the demo's narration. */
  readonly onEvent?: (event: ShopEvent) => void;
}

/** What the shop did or received, in words a person can follow. */
export type ShopEvent =
  /** The shop is about to call the gateway. */
  | { readonly kind: 'call'; readonly operation: string; readonly summary: string }
  /** The gateway's answer (or the error the client threw). */
  | { readonly kind: 'reply'; readonly operation: string; readonly outcome: string; readonly summary: string }
  /** A verified activation result, from the gateway's callback or the browser's return. */
  | { readonly kind: 'activation'; readonly via: 'callback' | 'return'; readonly phone: string; readonly linked: boolean; readonly summary: string }
  /** A verified payment notification, and what it did to the order. */
  | { readonly kind: 'notification'; readonly billNo: string; readonly paymentStatusCode: string; readonly orderStatus?: string; readonly summary: string }
  /** A verified payment return: the browser is back from the PIN page. It changes no order. */
  | { readonly kind: 'paymentReturn'; readonly billNo: string; readonly status: string; readonly summary: string }
  /** Something refused: a forged or unreadable callback or notification. */
  | { readonly kind: 'rejected'; readonly summary: string };

export interface MerchantStore {
  /** The shop's address, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The addresses to register for this merchant at the gateway. */
  readonly merchantUrls: { readonly callbackUrl: string; readonly returnUrl: string; readonly paymentReturnUrl: string; readonly notifyUrl: string };
  /** The client the shop calls the gateway with. */
  readonly client: OvoTokenizeClient;
  /** The shop's memory (customers, orders), for tests and the demo. */
  readonly state: ShopState;
  close(): Promise<void>;
}

export const SHOP_PATHS = { callback: '/ovo/callback', return: '/ovo/return', paymentReturn: '/ovo/payment-return', notify: '/ovo/notify' } as const;

const SESSION_COOKIE = 'shop_session';
const FORM_BYTES_MAX = 16 * 1024;

class HttpProblem extends Error {
  constructor(readonly status: number, readonly title: string, message: string) {
    super(message);
  }
}

export async function startMerchantStore(options: MerchantStoreOptions): Promise<MerchantStore> {
  const emit = options.onEvent ?? (() => {});
  const credentials = { userId: options.userId, password: options.password };
  const ovo = new OvoTokenizeClient({
    baseUrl: options.gatewayUrl,
    merchantId: options.merchantId,
    merchantName: options.merchantName,
    userId: options.userId,
    password: options.password,
    hmacSecret: options.hmacSecret,
    format: options.format ?? 'json',
  });
  const state = new ShopState();
  const shopName = options.merchantName;

  // ---- talking to the gateway ------------------------------------------------------------------------

  /** Runs one client call, narrating what is sent and what comes back. */
  async function ask<R extends { outcome: string }>(operation: string, sent: string, run: () => Promise<R>,
    ok: (r: Extract<R, { outcome: 'ok' }>) => string): Promise<R> {
    emit({ kind: 'call', operation, summary: `ovo.${operation}(${sent})` });
    try {
      const result = await run();
      emit({ kind: 'reply', operation, outcome: result.outcome, summary: describe(result, ok) });
      return result;
    } catch (error) {
      emit({ kind: 'reply', operation, outcome: 'error', summary: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw error;
    }
  }

  function describe<R extends { outcome: string }>(result: R, ok: (r: Extract<R, { outcome: 'ok' }>) => string): string {
    const r = result as R & { code?: string; description?: string; relinkUrl?: string };
    if (r.outcome === 'ok') return `ok: ${ok(result as Extract<R, { outcome: 'ok' }>)}`;
    if (r.outcome === 'relinkRequired') return `relinkRequired (02): ${r.description}; relink at ${r.relinkUrl}`;
    return `failed (${r.code}): ${r.description}`;
  }

  /** Charges an order and decides where the browser goes next. */
  async function pay(session: Session, customer: Customer, order: Order): Promise<string> {
    // Set before the call: with a PIN-less merchant the notification can overtake the reply.
    order.status = 'awaiting_payment';
    const result = await ask('pay',
      `{ billNo: '${order.billNo}', description: '${order.product.name}', amount: ${order.amount}n /* ${rupiah(order.amount)} */, payType: '${order.payType}', phone: '${customer.phone}' }`,
      () => ovo.pay({
        billNo: order.billNo, description: order.product.name, amount: order.amount, payType: order.payType,
        phone: customer.phone, customerName: customer.name, email: customer.email,
      }),
      (r) => `trxId ${r.trxId}, status ${r.status}, authorise at ${r.redirectUrl}`,
    ).catch((error: unknown) => {
      // No answer (or a refused request): no PIN was entered, so nothing can have been charged.
      order.status = 'failed';
      order.note = error instanceof OvoTokenizeError ? `OVO did not take the payment (${error.code})` : 'the shop could not send it';
      throw error;
    });
    switch (result.outcome) {
      case 'ok':
        // Accepted, not paid: the customer authorises on the gateway's page and the notification decides.
        order.trxId = result.trxId;
        order.paymentUrl = result.redirectUrl;
        return result.redirectUrl;
      case 'relinkRequired':
        // 02: the link is gone (removed in the OVO app, expired, or unlinked). Nothing was charged.
        order.status = 'link_required';
        customer.link = { state: 'relinkRequired', relinkUrl: result.relinkUrl, at: new Date() };
        session.afterLink = `/orders/${order.billNo}`;
        return `/orders/${order.billNo}`;
      case 'failed':
        order.status = 'refused';
        order.note = result.description;
        return `/orders/${order.billNo}`;
    }
  }

  async function balanceOf(customer: Customer): Promise<BalanceView | undefined> {
    if (customer.link.state !== 'linked') return undefined;
    try {
      const result = await ask('balance', `{ phone: '${customer.phone}' }`, () => ovo.balance({ phone: customer.phone }),
        (r) => `cash ${rupiah(r.cash)}, points ${groupDigits(r.points)}`);
      if (result.outcome === 'ok') return { kind: 'ok', cash: result.cash, points: result.points };
      if (result.outcome === 'relinkRequired') {
        customer.link = { state: 'relinkRequired', relinkUrl: result.relinkUrl, at: new Date() };
        return undefined;
      }
      return { kind: 'unavailable', message: `OVO could not show your balance: ${result.description}.` };
    } catch (error) {
      if (!(error instanceof OvoTokenizeError)) throw error;
      return { kind: 'unavailable', message: `OVO is not answering right now (${error.code}). Try again in a moment.` };
    }
  }

  /** The activation result, however it arrived; the caller has verified it. */
  function recordActivation(phone: string, linked: boolean, description: string): Customer | undefined {
    const customer = state.customers.get(phone);
    if (!customer) return undefined;
    if (linked) {
      if (customer.link.state !== 'linked') customer.link = { state: 'linked', since: new Date() };
    } else if (customer.link.state !== 'linked') {
      customer.link = { state: 'failed', reason: description };
    }
    return customer;
  }

  const notificationHandler = createNotificationHandler({
    ...credentials,
    hmacSecret: options.hmacSecret,
    onNotification: (n, context) => applyNotification(n, context),
    onRejected: (error) => emit({ kind: 'rejected', summary: `notification refused: ${error.message}` }),
  });

  /** The gateway's word on a payment. Delivery is at least once, so this must be safe to repeat. */
  function applyNotification(n: PaymentNotification, { notificationId }: NotificationContext): void {
    const order = state.orders.get(n.billNo);
    const heard = `notification for ${n.billNo}: status ${n.paymentStatusCode} "${n.paymentStatusDesc}", ${rupiah(n.amount)}, trxId ${n.trxId}`;
    if (!order) {
      // Not ours (or from before a restart): acknowledge, or the gateway would retry for days.
      emit({ kind: 'notification', billNo: n.billNo, paymentStatusCode: n.paymentStatusCode, summary: `${heard}; not one of our orders, acknowledged anyway` });
      return;
    }
    if (notificationId !== undefined && order.notificationIds.has(notificationId)) {
      emit({ kind: 'notification', billNo: n.billNo, paymentStatusCode: n.paymentStatusCode, orderStatus: order.status, summary: `${heard}; already handled (a repeat delivery), acknowledged again` });
      return;
    }
    const next = orderStatusFor(n.paymentStatusCode);
    const from = order.status;
    if (next === 'paid' && n.amount !== order.amount) {
      order.note = `OVO reported ${rupiah(n.amount)} for an order of ${rupiah(order.amount)}; check it by hand`;
    } else if (next !== undefined && (from === 'awaiting_payment' || (from === 'paid' && next === 'reversed'))) {
      order.status = next;
      order.trxId ??= n.trxId;
      if (next === 'paid') order.paidAt = new Date();
      if (next !== 'paid') order.note = n.paymentStatusDesc;
    }
    if (notificationId !== undefined) order.notificationIds.add(notificationId);
    const change = order.status === from ? `order stays "${ORDER_STATUS_TEXT[order.status]}"` : `order "${ORDER_STATUS_TEXT[from]}" → "${ORDER_STATUS_TEXT[order.status]}"`;
    emit({ kind: 'notification', billNo: n.billNo, paymentStatusCode: n.paymentStatusCode, orderStatus: order.status, summary: `${heard}; ${change}` });
  }

  // ---- pages and forms -------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (method === 'GET' && path === '/shop.css') return send(res, 200, 'text/css; charset=utf-8', SHOP_CSS, { 'cache-control': 'max-age=300' });
    if (method === 'GET' && (path === '/favicon.svg' || path === '/favicon.ico')) return send(res, 200, 'image/svg+xml', FAVICON_SVG, { 'cache-control': 'max-age=86400' });
    if (method === 'GET' && path === '/health') return send(res, 200, 'application/json', '{"status":"ok"}');
    if (method === 'POST' && path === SHOP_PATHS.notify) return receiveNotification(req, res, url);
    if (method === 'GET' && path === SHOP_PATHS.callback) return activationCallback(res, url);

    const session = sessionOf(req);
    const customer = session?.phone === undefined ? undefined : state.customers.get(session.phone);
    const page = (status: number, title: string, body: Html) => {
      const flash = session?.flash;
      if (session) session.flash = undefined;
      return send(res, status, 'text/html; charset=utf-8', layout({ shopName, customer, flash }, title, body));
    };

    if (method === 'GET' && path === '/') {
      if (!customer) return page(200, 'Welcome', signInPage());
      const balance = await balanceOf(customer);
      return page(200, 'Shop', homePage(customer, balance, state.ordersOf(customer.phone)));
    }
    if (method === 'POST' && path === '/login') {
      const form = await readForm(req);
      const values: SignInValues = { phone: form.get('phone') ?? '', name: (form.get('name') ?? '').trim(), email: (form.get('email') ?? '').trim() };
      const phone = normalizePhone(values.phone ?? '');
      const problem = !phone ? 'Enter an Indonesian mobile number, like 0812 3456 7890.'
        : !values.name || values.name.length > 100 ? 'Enter your name (up to 100 characters).'
          : !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email ?? '') ? 'Enter a valid email address.' : undefined;
      if (problem || !phone) return page(422, 'Sign in', signInPage(values, problem));
      const fresh = session ?? newSession(res);
      state.signIn(phone, values.name!, values.email!);
      fresh.phone = phone;
      return redirect(res, '/');
    }
    if (method === 'GET' && path === SHOP_PATHS.return) return activationReturn(res, url, session);
    if (method === 'GET' && path === SHOP_PATHS.paymentReturn) return paymentReturn(res, url, session, page);

    // Everything below is for a signed-in customer.
    if (!session || !customer) return redirect(res, '/');

    if (method === 'POST' && path === '/logout') {
      state.sessions.delete(session.id);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
      return redirect(res, '/');
    }
    if (method === 'POST' && path === '/ovo/link') {
      await readForm(req);
      const result = await ask('activate', `{ phone: '${customer.phone}', customerName: '${customer.name}' }`,
        () => ovo.activate({ phone: customer.phone, customerName: customer.name }), (r) => `redirectUrl ${r.redirectUrl}`);
      if (result.outcome !== 'ok') {
        session.flash = { kind: 'error', text: `OVO could not start linking: ${result.description}.` };
        return redirect(res, '/');
      }
      customer.link = { state: 'pending' };
      return redirect(res, result.redirectUrl);
    }
    if (method === 'POST' && path === '/ovo/unlink') {
      await readForm(req);
      const result = await ask('unlink', `{ phone: '${customer.phone}' }`, () => ovo.unlink({ phone: customer.phone }), (r) => `phone ${r.phone} unlinked`);
      if (result.outcome === 'ok') {
        customer.link = { state: 'none' };
        session.flash = { kind: 'info', text: 'Your OVO account is no longer linked to this shop.' };
      } else {
        session.flash = { kind: 'error', text: `OVO could not unlink: ${result.description}.` };
      }
      return redirect(res, '/');
    }
    if (method === 'POST' && path === '/orders') {
      const form = await readForm(req);
      const product = findProduct(form.get('product') ?? '');
      const payType = form.get('payType') ?? '';
      if (!product || !isPayType(payType)) throw new HttpProblem(400, 'Unknown product', 'Pick a product and how to pay from the menu.');
      const order = state.newOrder(customer, product, payType);
      return redirect(res, await pay(session, customer, order));
    }
    const orderMatch = /^\/orders\/([A-Za-z0-9-]{1,32})(\/pay)?$/.exec(path);
    const order = orderMatch ? state.orders.get(orderMatch[1]!) : undefined;
    if (orderMatch && (!order || order.phone !== customer.phone)) throw new HttpProblem(404, 'Order not found', 'There is no such order in your account.');
    if (order && method === 'GET' && !orderMatch![2]) return page(200, `Order ${order.billNo}`, orderPage(order, customer));
    if (order && method === 'POST' && orderMatch![2]) {
      await readForm(req);
      // Only an order the gateway never charged is paid again; same bill_no, same content.
      if (order.status !== 'link_required') return redirect(res, `/orders/${order.billNo}`);
      return redirect(res, await pay(session, customer, order));
    }
    throw new HttpProblem(404, 'Page not found', 'There is nothing at this address.');
  }

  /** The browser's return from the linking page: the same signed parameters as the callback. */
  function activationReturn(res: ServerResponse, url: URL, session: Session | undefined): void {
    const result = verifyActivationCallback(url.searchParams, credentials); // throws when forged: see onError
    const customer = recordActivation(result.phone, result.linked, result.responseDesc);
    emit({ kind: 'activation', via: 'return', phone: result.phone, linked: result.linked,
      summary: `browser back at the return URL: signature verified, ${result.linked ? 'linked' : `not linked (${result.responseCode} ${result.responseDesc})`}` });
    if (session && customer && session.phone === customer.phone) {
      session.flash = result.linked
        ? { kind: 'success', text: 'Your OVO account is linked. Pay with OVO Cash, OVO Points or both.' }
        : { kind: 'error', text: `Your OVO account was not linked: ${result.responseDesc}.` };
    }
    const next = session?.afterLink ?? '/';
    if (session) session.afterLink = undefined;
    redirect(res, next);
  }

  /**
   * The browser back from the PIN page, with how that page ended. Signed, but it is still only the browser's
   * word: it is shown to the customer and changes no order; the notification does that.
   */
  function paymentReturn(res: ServerResponse, url: URL, session: Session | undefined, page: (status: number, title: string, body: Html) => void): void {
    const result = verifiedPaymentReturn(url);
    const order = state.orders.get(result.billNo);
    const ended = orderStatusFor(result.status);
    const said = `OVO's payment page says: ${ended ? ORDER_STATUS_TEXT[ended] : 'unknown'} (status ${result.status})`;
    emit({ kind: 'paymentReturn', billNo: result.billNo, status: result.status,
      summary: `browser back at the payment return URL: signature verified, ${said}; ${order ? `order is "${ORDER_STATUS_TEXT[order.status]}"` : 'not one of our orders'}, only the notification changes it` });
    const flash: Flash = result.status === '2'
      ? { kind: 'info', text: `Thanks — we are confirming your payment. ${said}.` }
      : { kind: 'error', text: `${said}.` };
    if (session && order && session.phone === order.phone) {
      session.flash = flash;
      return redirect(res, `/orders/${order.billNo}`);
    }
    // Another browser, or signed out: say what the page said, and nothing about the order.
    page(200, 'Back from OVO', messagePage(result.status === '2' ? 'Thanks — we are confirming your payment' : 'Payment not completed', `${said}.`));
  }

  function verifiedPaymentReturn(url: URL): PaymentReturn {
    try {
      return verifyPaymentReturn(url.searchParams, credentials);
    } catch (error) {
      if (!(error instanceof OvoSignatureVerificationError || error instanceof OvoFormatError)) throw error;
      emit({ kind: 'rejected', summary: `payment return refused: ${error.message}` });
      throw new HttpProblem(400, 'Payment result not accepted', 'The payment result could not be verified, so it was ignored. Your order page shows what OVO has confirmed.');
    }
  }

  /** The gateway's server-to-server GET when a linking attempt ends. Answer 200 once it is recorded. */
  function activationCallback(res: ServerResponse, url: URL): void {
    const result = verifyActivationCallback(url.searchParams, credentials);
    recordActivation(result.phone, result.linked, result.responseDesc);
    emit({ kind: 'activation', via: 'callback', phone: result.phone, linked: result.linked,
      summary: `activation callback: signature verified, ${result.phone} ${result.linked ? 'linked' : `not linked (${result.responseCode} ${result.responseDesc})`}` });
    send(res, 200, 'text/plain; charset=utf-8', 'OK');
  }

  /** Node's request as a Web Request for the client's handler; its Response back out unchanged. */
  async function receiveNotification(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = await readBody(req, 64 * 1024);
    const response = await notificationHandler(new Request(url, { method: 'POST', headers, body: new Uint8Array(body) }));
    res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/plain' });
    res.end(await response.text());
  }

  // ---- plumbing --------------------------------------------------------------------------------------

  function sessionOf(req: IncomingMessage): Session | undefined {
    const id = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1);
    return id ? state.sessions.get(id) : undefined;
  }

  function newSession(res: ServerResponse): Session {
    const session = state.newSession();
    // SameSite=Lax: sent when the gateway's page sends the browser back (a top-level GET), never with
    // another site's POST, which is what keeps these forms safe from cross-site requests.
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`);
    return session;
  }

  function onError(res: ServerResponse, error: unknown, session: Session | undefined): void {
    const chrome = { shopName, customer: session?.phone ? state.customers.get(session.phone) : undefined };
    let status = 500;
    let title = 'Something went wrong';
    let message = 'The shop could not finish that. Nothing was charged.';
    if (error instanceof HttpProblem) {
      ({ status, title, message } = error);
    } else if (error instanceof OvoSignatureVerificationError || (error instanceof OvoFormatError && error.code === 'invalid_callback')) {
      status = 400;
      title = 'Link result not accepted';
      message = 'The linking result could not be verified, so it was ignored. Start linking again from the shop.';
      emit({ kind: 'rejected', summary: `activation result refused: ${error.message}` });
    } else if (error instanceof OvoTokenizeError) {
      status = 502;
      title = 'OVO is not answering';
      message = `The shop could not reach OVO (${error.code}${error.requestId ? `, request ${error.requestId}` : ''}). Nothing was charged; try again in a moment.`;
    } else {
      console.error(error);
    }
    if (res.headersSent) return void res.end();
    send(res, status, 'text/html; charset=utf-8', layout(chrome, title, messagePage(title, message)));
  }

  let publicUrl = 'http://shop.invalid'; // the real address once the port is known
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', publicUrl);
    handle(req, res, url).catch((error: unknown) => onError(res, error, sessionOf(req)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  publicUrl = (options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');

  return {
    url: publicUrl,
    merchantUrls: {
      callbackUrl: `${publicUrl}${SHOP_PATHS.callback}`,
      returnUrl: `${publicUrl}${SHOP_PATHS.return}`,
      paymentReturnUrl: `${publicUrl}${SHOP_PATHS.paymentReturn}`,
      notifyUrl: `${publicUrl}${SHOP_PATHS.notify}`,
    },
    client: ovo,
    state,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

/** 303 See Other: the browser follows with a GET, so a reload never repeats a POST (or a payment). */
function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location });
  res.end();
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpProblem(413, 'Too large', 'That request is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, FORM_BYTES_MAX)).toString('utf8'));
}

