// `ovo-tokenize demo`: the whole merchant story, headless, as a tutorial. It starts a gateway on a throwaway
// SQLite database and the example shop (examples/merchant-store, which talks to the gateway only through
// @ovo-tokenize/client), then plays the customer with fetch — no browser — on the real pages: link OVO
// (activation page, SMS code from the sandbox inbox, PIN), pay with each pay type on the hosted PIN page,
// see each order turn paid when the notification arrives, read the balance and the history, unlink, meet
// the 02 "link again" answer, relink and pay again. Every request and reply is printed as it happens; any
// step that does not behave as the tutorial says stops the demo with a non-zero exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { OvoTokenizeClient as OvoTokenizeClientType, PayType } from '@ovo-tokenize/client';
import type { MerchantStore, ShopEvent } from '@ovo-tokenize/example-merchant-store';
import { startGateway, type Gateway } from '../server.ts';
import { insertMerchant } from '../store/merchants.ts';
import { inTransaction } from '../store/transaction.ts';
import { wireFormat } from './parse.ts';

/** The shop's merchant account at the gateway, and the customer the demo plays. */
const MERCHANT = { merchantId: '77001', name: 'Kedai Kopi Nusantara', userId: 'bot77001', password: 'kopi-77001' } as const;
const CUSTOMER = { phone: '081234567890', name: 'Andrea Hinata', email: 'andrea@example.com' } as const;
/** What sandbox mode gives a new wallet. */
const SANDBOX_WALLET = { cash: 1_000_000n, points: 50_000n, pin: '123456' } as const;
const WAIT_MS = 10_000;

class DemoFailure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoFailure(message);
}

export function registerDemoCommand(program: Command): void {
  program.command('demo')
    .description('play the whole merchant story headlessly (gateway + example shop on a temporary database) and print it as a tutorial')
    .option('--format <format>', 'wire format of the shop and its notifications: json or xml (default json)', wireFormat)
    .action(async (flags: { format?: 'json' | 'xml' }) => {
      const passed = await runDemo({ format: flags.format ?? 'json' });
      // The servers are closed; exiting now also drops idle keep-alive sockets instead of waiting them out.
      process.exit(passed ? 0 : 1);
    });
}

// ---------------------------------------------------------------------------------------------------------
// Printing

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const purple = paint('35');
const cyan = paint('36');

function groupDigits(amount: bigint): string {
  return amount.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
const rp = (amount: bigint) => `Rp ${groupDigits(amount)}`;

let stepNumber = 0;
function step(title: string, why: string): void {
  stepNumber += 1;
  console.log(`\n${bold(`Step ${stepNumber}. ${title}`)}`);
  console.log(dim(`  ${why}`));
}
const line = (who: string, text: string) => console.log(`  ${who} ${text}`);
const browserSays = (text: string) => line(cyan('browser'), text);
const shopSays = (text: string) => line(purple('shop   '), text);
const note = (text: string) => line('       ', dim(text));
const good = (text: string) => line(green('  ✓    '), text);

function printShopEvent(event: ShopEvent): void {
  const arrow = event.kind === 'call' ? '→ gateway:' : event.kind === 'reply' ? '← gateway:' : event.kind === 'rejected' ? '✗' : '←';
  shopSays(`${arrow} ${event.summary}`);
}

function table(rows: ReadonlyArray<Readonly<Record<string, string>>>, rightAligned: readonly string[] = []): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length));
  const cell = (c: string, v: string) => (rightAligned.includes(c) ? v.padStart(width(c)) : v.padEnd(width(c)));
  console.log(`    ${columns.map((c) => bold(cell(c, c))).join('  ')}`);
  for (const row of rows) console.log(`    ${columns.map((c) => cell(c, row[c] ?? '')).join('  ')}`);
}

// ---------------------------------------------------------------------------------------------------------
// The customer's browser, without a browser: fetch that keeps cookies per site and does not follow redirects.

interface Page {
  readonly url: string;
  readonly status: number;
  readonly html: string;
  /** A redirect's target, absolute. */
  readonly location?: string;
}

class HeadlessBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  get(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  post(url: string, form: Readonly<Record<string, string>>): Promise<Page> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }

  /** Follows redirects with GETs, as a browser does after a 303, narrating each hop. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location !== undefined; hops++) {
      check(hops < 5, `too many redirects from ${page.url}`);
      browserSays(`${current.status} → GET ${current.location}`);
      current = await this.get(current.location);
    }
    return current;
  }

  private async request(url: string, init: RequestInit): Promise<Page> {
    const origin = new URL(url).origin;
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    this.jar.set(origin, cookies);
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(WAIT_MS) });
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    return { url, status: res.status, html: await res.text(), location: location ? new URL(location, url).toString() : undefined };
  }
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

/** The page's visible text of its first match of `pattern` (group 1), tags removed. */
function textOf(html: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(html);
  return match ? decode(match[1]!.replace(/<br>/g, ' + ').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()) : undefined;
}

const headingOf = (html: string) => textOf(html, /<h1[^>]*>([\s\S]*?)<\/h1>/);
const flashOf = (html: string) => textOf(html, /<p class="flash[^"]*"[^>]*>([\s\S]*?)<\/p>/);

function csrfOf(page: Page): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(page.html)?.[1];
  check(token, `no csrf_token on ${page.url} (heading "${headingOf(page.html)}")`);
  return token;
}

// ---------------------------------------------------------------------------------------------------------
// The story

interface DemoOptions {
  readonly format: 'json' | 'xml';
}

export async function runDemo(options: DemoOptions): Promise<boolean> {
  const started = Date.now();
  const directory = mkdtempSync(join(tmpdir(), 'ovo-demo-'));
  const closers: Array<() => Promise<void>> = [];
  try {
    await story(options, directory, closers);
    console.log(`\n${green(bold('Demo finished'))} in ${((Date.now() - started) / 1000).toFixed(1)} s: every step behaved as described.`);
    console.log(dim('  Next: run `npx ovo-tokenize serve` and the shop (examples/merchant-store/README.md) and click through it yourself.'));
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\n${red(bold(`Demo failed${stepNumber > 0 ? ` at step ${stepNumber}` : ''}:`))} ${message}`);
    if (!(error instanceof DemoFailure) && error instanceof Error && error.stack) console.error(dim(error.stack));
    return false;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    rmSync(directory, { recursive: true, force: true });
  }
}

async function story(options: DemoOptions, directory: string, closers: Array<() => Promise<void>>): Promise<void> {
  const { OvoTokenizeClient } = await importOrExplain<typeof import('@ovo-tokenize/client')>('@ovo-tokenize/client');
  const { startMerchantStore, ORDER_STATUS_TEXT } = await importOrExplain<typeof import('@ovo-tokenize/example-merchant-store')>('@ovo-tokenize/example-merchant-store');

  console.log(bold('OVO Tokenize demo: one merchant integration, from linking an account to linking it again'));
  console.log(dim('A gateway (the Faspay side) and an example shop (the merchant) start on this machine. A scripted customer'));
  console.log(dim('uses the shop; the shop calls the gateway only through @ovo-tokenize/client. "browser" lines are the'));
  console.log(dim('customer, "shop" lines are the merchant\'s server, each request and answer as it happens.'));

  // -- setting up --------------------------------------------------------------------------------------
  const databasePath = join(directory, 'ovo.sqlite');
  const gateway: Gateway = await startGateway({
    config: { port: 0, host: '127.0.0.1', sandbox: true, databaseUrl: `sqlite:${databasePath}` },
    logger: false,
    delivery: { pollIntervalMs: 100, backoffBaseMs: 500 },
  });
  closers.push(() => gateway.close());

  const events: ShopEvent[] = [];
  const waiters = new Set<() => void>();
  const shop: MerchantStore = await startMerchantStore({
    gatewayUrl: gateway.url, ...MERCHANT, merchantName: MERCHANT.name, format: options.format, port: 0,
    onEvent: (event) => {
      events.push(event);
      printShopEvent(event);
      for (const wake of waiters) wake();
    },
  });
  closers.push(() => shop.close());

  /** Resolves with the first shop event since `from` that matches, or fails the demo after WAIT_MS. */
  const waitForEvent = <E extends ShopEvent>(from: number, what: string, match: (e: ShopEvent) => e is E): Promise<E> =>
    new Promise((resolve, reject) => {
      const look = () => {
        const found = events.slice(from).find(match);
        if (!found) return;
        waiters.delete(look);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(look);
        reject(new DemoFailure(`the shop did not receive ${what} within ${WAIT_MS / 1000} s`));
      }, WAIT_MS);
      waiters.add(look);
      look();
    });

  const merchant = await inTransaction(gateway.ctx.database, (tx) => insertMerchant(tx, {
    ...MERCHANT, ...shop.merchantUrls, notifyFormat: options.format,
  }, gateway.ctx.clock.now()));

  console.log(`\n${bold('Setting up')}`);
  const setup = (text: string) => console.log(`  ${text}`);
  setup(`gateway   ${gateway.url}  (sandbox mode, temporary SQLite ${databasePath})`);
  setup(`shop      ${shop.url}  (examples/merchant-store, speaking ${options.format.toUpperCase()})`);
  setup(`merchant  ${merchant.merchantId} "${merchant.name}", user ${merchant.userId}, registered with the shop's addresses:`);
  setup(`            activation callback   ${merchant.callbackUrl}`);
  setup(`            browser return        ${merchant.returnUrl}`);
  setup(`            payment return        ${merchant.paymentReturnUrl}`);
  setup(`            payment notification  ${merchant.notifyUrl} (${merchant.notifyFormat})`);
  setup(`customer  ${CUSTOMER.name}, ${CUSTOMER.phone}: sandbox mode opens an OVO wallet for a new number on its first link`);
  setup(`          (OVO Cash ${rp(SANDBOX_WALLET.cash)}, OVO Points ${groupDigits(SANDBOX_WALLET.points)}, PIN ${SANDBOX_WALLET.pin})`);

  const browser = new HeadlessBrowser();
  const shopUrl = (path: string) => `${shop.url}${path}`;

  // -- 1. sign in --------------------------------------------------------------------------------------
  step('The customer signs in at the shop', 'The shop knows its customers by mobile number: the same number identifies their OVO account.');
  browserSays(`POST ${shopUrl('/login')}  phone=${CUSTOMER.phone} name="${CUSTOMER.name}" email=${CUSTOMER.email}`);
  let page = await browser.follow(await browser.post(shopUrl('/login'), CUSTOMER));
  check(page.html.includes('Not linked'), `the shop's home page should say "Not linked" (got "${headingOf(page.html)}")`);
  good('signed in; the OVO panel says "Not linked" and offers "Link OVO"');

  // -- 2 + 3. link -------------------------------------------------------------------------------------
  step('Link OVO: the shop asks the gateway for an activation page', 'ovo.activate() answers a redirectUrl; the shop sends the browser there with a 303.');
  await linkOnGatewayPage(browser, gateway, await browser.post(shopUrl('/ovo/link'), {}), waitForEvent, events.length);

  // -- 4. balance --------------------------------------------------------------------------------------
  step('The shop shows the balance', 'While linked, the home page calls ovo.balance(): OVO Cash in rupiah, OVO Points (1 point = Rp 1).');
  let balance = await shopBalance(browser, shopUrl('/'));
  check(balance.cash === SANDBOX_WALLET.cash && balance.points === SANDBOX_WALLET.points,
    `a new sandbox wallet holds ${rp(SANDBOX_WALLET.cash)} and ${groupDigits(SANDBOX_WALLET.points)} points, the shop shows ${rp(balance.cash)} and ${groupDigits(balance.points)}`);
  good(`the page shows OVO Cash ${rp(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);

  // -- 5-7. pay three ways -----------------------------------------------------------------------------
  const buy = async (productId: string, payType: PayType, peek: boolean) => {
    browserSays(`POST ${shopUrl('/orders')}  product=${productId} payType=${payType}`);
    const from = events.length;
    const ordered = await browser.post(shopUrl('/orders'), { product: productId, payType });
    check(ordered.status === 303 && ordered.location?.startsWith(`${gateway.url}/pay/`), `the shop should send the browser to the gateway's payment page (got ${ordered.status} ${ordered.location ?? ''})`);
    const billNo = shop.state.ordersOf(CUSTOMER.phone)[0]!.billNo;
    if (peek) {
      // Before the PIN: accepted by the gateway is not paid.
      const before = await browser.get(shopUrl(`/orders/${billNo}`));
      const status = /data-status="([a-z_]+)"/.exec(before.html)?.[1];
      check(status === 'awaiting_payment', `before the PIN the order should be waiting for payment, it is ${status}`);
      note(`(a look at ${shopUrl(`/orders/${billNo}`)} before the PIN: "Waiting for payment" — accepted is not paid)`);
    }
    await authoriseOnPaymentPage(browser, ordered);
    await waitUntilPaid(browser, shopUrl(`/orders/${billNo}`), billNo, from, waitForEvent);
    return billNo;
  };

  const payments: Array<{ title: string; product: string; payType: PayType; cash: bigint; points: bigint; why: string }> = [
    { title: 'Pay with OVO Cash (payType "cash")', product: 'tumbler', payType: 'cash', cash: 85_000n, points: 0n,
      why: 'Tumbler Nusantara, Rp 85.000, all from OVO Cash. The shop calls ovo.pay() and sends the browser to the PIN page.' },
    { title: 'Pay with OVO Points (payType "points")', product: 'kopi-susu', payType: 'points', cash: 0n, points: 25_000n,
      why: 'Es Kopi Susu, Rp 25.000, all from OVO Points.' },
    { title: 'Pay with points first, then cash (payType "pointsThenCash")', product: 'biji-kopi', payType: 'pointsThenCash', cash: 40_000n, points: 25_000n,
      why: 'Kopi Gayo 250 g, Rp 65.000: the remaining 25.000 points first, the other Rp 40.000 from OVO Cash.' },
  ];
  let expected: { cash: bigint; points: bigint } = { cash: SANDBOX_WALLET.cash, points: SANDBOX_WALLET.points };
  for (const [i, p] of payments.entries()) {
    step(p.title, p.why);
    await buy(p.product, p.payType, i === 0);
    expected = { cash: expected.cash - p.cash, points: expected.points - p.points };
  }

  // -- 8. balance again --------------------------------------------------------------------------------
  step('The balance after three payments', `Expected: OVO Cash ${rp(expected.cash)}, OVO Points ${groupDigits(expected.points)}.`);
  balance = await shopBalance(browser, shopUrl('/'));
  check(balance.cash === expected.cash && balance.points === expected.points,
    `expected ${rp(expected.cash)} and ${groupDigits(expected.points)} points, the shop shows ${rp(balance.cash)} and ${groupDigits(balance.points)}`);
  good(`OVO Cash ${rp(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);

  // -- 9. history --------------------------------------------------------------------------------------
  step('The transaction history, from the merchant\'s back office', 'The merchant\'s own code calls ovo.historyAll(): every page of this customer\'s payments to the shop, with the Cash/Points split.');
  const backOffice: OvoTokenizeClientType = new OvoTokenizeClient({
    baseUrl: gateway.url, merchantId: MERCHANT.merchantId, merchantName: MERCHANT.name, userId: MERCHANT.userId, password: MERCHANT.password, format: options.format,
  });
  const today = jakartaToday();
  line(purple('office '), `→ gateway: ovo.historyAll({ phone: '${CUSTOMER.phone}', startDate: '${today}', endDate: '${today}' })`);
  const rows: Array<Record<string, string>> = [];
  for await (const result of backOffice.historyAll({ phone: CUSTOMER.phone, startDate: today, endDate: today })) {
    check(result.outcome === 'ok', `history answered ${result.outcome}`);
    line(purple('office '), `← gateway: ok, page ${result.page}: ${result.transactions.length} of ${result.total} transactions`);
    for (const t of result.transactions) {
      rows.push({ 'trx_id': t.trxId, 'paid at': t.paymentDate, status: t.status, amount: rp(t.amount), Cash: rp(t.cash), Points: groupDigits(t.points) });
    }
  }
  table(rows, ['amount', 'Cash', 'Points']);
  const splits = rows.map((r) => `${r.Cash}/${r.Points}`).reverse();
  check(rows.length === payments.length && splits.join(' ') === payments.map((p) => `${rp(p.cash)}/${groupDigits(p.points)}`).join(' '),
    `history should list the three payments with their splits, got ${splits.join(', ')}`);
  good('three payments, each split between Cash and Points as chosen');

  // -- 10. unlink --------------------------------------------------------------------------------------
  step('The customer unlinks OVO', 'The shop calls ovo.unlink(); the payment token is gone.');
  browserSays(`POST ${shopUrl('/ovo/unlink')}`);
  page = await browser.follow(await browser.post(shopUrl('/ovo/unlink'), {}));
  check(page.html.includes('Not linked'), 'after unlinking the shop should show "Not linked"');
  good(`the shop says: "${flashOf(page.html)}"`);

  // -- 11. 02 ------------------------------------------------------------------------------------------
  step('A payment now answers relinkRequired (02)', 'The shop still offers OVO and lets the gateway decide: ovo.pay() answers outcome "relinkRequired" with a relinkUrl. Nothing is charged.');
  browserSays(`POST ${shopUrl('/orders')}  product=roti-bakar payType=cash`);
  let from = events.length;
  page = await browser.follow(await browser.post(shopUrl('/orders'), { product: 'roti-bakar', payType: 'cash' }));
  await waitForEvent(from, 'the relinkRequired answer', (e): e is ShopEvent => e.kind === 'reply' && e.operation === 'pay' && e.outcome === 'relinkRequired');
  const relinkUrl = /<a class="button button--ovo" href="([^"]+)">Link again<\/a>/.exec(page.html)?.[1];
  check(relinkUrl, `the order page should offer "Link again" (got "${flashOf(page.html)}")`);
  const pendingBill = shop.state.ordersOf(CUSTOMER.phone)[0]!;
  check(pendingBill.status === 'link_required', `the order should wait for a link, it is ${pendingBill.status}`);
  good(`order ${pendingBill.billNo} is "Link OVO to pay"; the page offers "Link again" → ${decode(relinkUrl)}`);

  // -- 12. relink --------------------------------------------------------------------------------------
  step('Relink: the customer follows "Link again"', 'The relinkUrl is a fresh activation page: SMS code and PIN again; afterwards the shop brings the browser back to the order.');
  browserSays('follows the "Link again" link');
  page = await linkOnGatewayPage(browser, gateway, { url: page.url, status: 303, html: '', location: decode(relinkUrl) }, waitForEvent, events.length);
  check(page.url.endsWith(`/orders/${pendingBill.billNo}`), `after relinking the browser should be back at the order (got ${page.url})`);
  const payAgain = /<form method="post" action="([^"]+\/pay)">/.exec(page.html)?.[1];
  check(payAgain, 'the order page should now offer to pay');
  good(`back at order ${pendingBill.billNo}: "${flashOf(page.html)}"`);

  // -- 13. pay again -----------------------------------------------------------------------------------
  step('Pay the same order again', 'Same bill_no, same content: the gateway treats it as the same order. Roti Bakar Keju, Rp 18.000 from OVO Cash.');
  browserSays(`POST ${shopUrl(payAgain)}`);
  from = events.length;
  const paid = await browser.post(shopUrl(payAgain), {});
  check(paid.status === 303 && paid.location?.startsWith(`${gateway.url}/pay/`), `paying again should lead to the PIN page (got ${paid.status} ${paid.location ?? ''})`);
  await authoriseOnPaymentPage(browser, paid);
  await waitUntilPaid(browser, shopUrl(`/orders/${pendingBill.billNo}`), pendingBill.billNo, from, waitForEvent);
  expected = { cash: expected.cash - 18_000n, points: expected.points };

  // -- 14. the end -------------------------------------------------------------------------------------
  step('The shop\'s order list and the final balance', 'Every order turned Paid only when its notification arrived, never because a browser came back.');
  balance = await shopBalance(browser, shopUrl('/'));
  table(shop.state.ordersOf(CUSTOMER.phone).reverse().map((o) => ({
    order: o.billNo, item: o.product.name, 'paid with': o.payType, amount: rp(o.amount), status: ORDER_STATUS_TEXT[o.status], trx_id: o.trxId ?? '-',
  })), ['amount']);
  const unpaid = shop.state.ordersOf(CUSTOMER.phone).filter((o) => o.status !== 'paid');
  check(unpaid.length === 0, `orders not paid: ${unpaid.map((o) => `${o.billNo} ${o.status}`).join(', ')}`);
  check(balance.cash === expected.cash && balance.points === expected.points,
    `expected ${rp(expected.cash)} and ${groupDigits(expected.points)} points, the shop shows ${rp(balance.cash)} and ${groupDigits(balance.points)}`);
  good(`four orders paid; OVO Cash ${rp(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);
}

type WaitForEvent = <E extends ShopEvent>(from: number, what: string, match: (e: ShopEvent) => e is E) => Promise<E>;

/**
 * From the shop's redirect to the gateway's activation page back to the shop: the code from the sandbox
 * inbox, the PIN, the result page's refresh to the merchant's return URL, and the server-to-server callback.
 */
async function linkOnGatewayPage(browser: HeadlessBrowser, gateway: Gateway, toGateway: Page, waitForEvent: WaitForEvent, from: number): Promise<Page> {
  check(toGateway.status === 303 && toGateway.location?.startsWith(`${gateway.url}/activation/`),
    `the browser should be sent to the gateway's activation page (got ${toGateway.status} ${toGateway.location ?? ''})`);
  const activationUrl = toGateway.location!;
  browserSays(`${toGateway.status} → GET ${activationUrl}`);
  let page = await browser.get(activationUrl);
  check(page.status === 200 && headingOf(page.html) === 'Link your OVO account', `the activation page should ask for the SMS code (got ${page.status} "${headingOf(page.html)}")`);
  const csrf = csrfOf(page);
  note(`the gateway's page: "${headingOf(page.html)}", asks for the 6-digit code sent by SMS`);

  const inbox = await fetch(`${gateway.url}/sandbox/inbox?phone_no=${CUSTOMER.phone}`);
  const messages = ((await inbox.json()) as { messages: Array<{ text: string }> }).messages;
  const otp = messages[0] && /\b([0-9]{6})\b/.exec(messages[0].text)?.[1];
  check(otp, `no code in the sandbox inbox of ${CUSTOMER.phone}`);
  note(`sandbox inbox (GET /sandbox/inbox?phone_no=${CUSTOMER.phone}): "${messages[0]!.text.slice(0, 60)}…"`);

  browserSays(`POST ${activationUrl}/otp  otp=${otp}`);
  page = await browser.follow(await browser.post(`${activationUrl}/otp`, { csrf_token: csrf, otp }));
  check(headingOf(page.html) === 'Enter your OVO PIN', `after the code the page should ask for the PIN (got "${headingOf(page.html)}")`);
  note(`the gateway's page: "${headingOf(page.html)}"`);

  browserSays(`POST ${activationUrl}/pin  pin=****** (the sandbox wallet's PIN)`);
  page = await browser.follow(await browser.post(`${activationUrl}/pin`, { csrf_token: csrf, pin: SANDBOX_WALLET.pin }));
  check(headingOf(page.html) === 'Account linked', `after the PIN the page should say "Account linked" (got "${headingOf(page.html)}": ${flashOf(page.html) ?? ''})`);
  const refresh = /<meta http-equiv="refresh" content="([0-9]+);url=([^"]+)">/.exec(page.html);
  check(refresh, 'the result page should send the browser back to the shop');
  const returnUrl = decode(refresh[2]!);
  note(`the gateway's page: "Account linked", back to the shop in ${refresh[1]} s (meta refresh; the demo does not wait)`);

  browserSays(`GET ${returnUrl.replace(/signature=[0-9a-f]+/, 'signature=…')}`);
  page = await browser.follow(await browser.get(returnUrl));
  check(flashOf(page.html)?.startsWith('Your OVO account is linked'), `the shop should confirm the link (got "${flashOf(page.html)}")`);
  good(`the shop says: "${flashOf(page.html)}"`);
  await waitForEvent(from, 'the activation callback', (e): e is ShopEvent => e.kind === 'activation' && e.via === 'callback' && e.linked);
  good('the gateway\'s server-to-server callback arrived too, signature verified');
  return page;
}

/** The hosted PIN page: what the customer agrees to, then the PIN, then the receipt. */
async function authoriseOnPaymentPage(browser: HeadlessBrowser, toGateway: Page): Promise<void> {
  const payUrl = toGateway.location!;
  browserSays(`303 → GET ${payUrl}`);
  const page = await browser.get(payUrl);
  check(page.status === 200 && headingOf(page.html) === 'Confirm your payment', `the payment page should ask to confirm (got ${page.status} "${headingOf(page.html)}")`);
  const amount = textOf(page.html, /<th scope="row">Amount<\/th><td>([\s\S]*?)<\/td>/);
  const split = textOf(page.html, /<th scope="row">Pay with<\/th><td>([\s\S]*?)<\/td>/);
  note(`the gateway's page: "Confirm your payment", ${amount} from ${split}`);
  browserSays(`POST ${payUrl}/pin  pin=******`);
  const receipt = await browser.follow(await browser.post(`${payUrl}/pin`, { csrf_token: csrfOf(page), pin: SANDBOX_WALLET.pin }));
  check(headingOf(receipt.html) === 'Payment successful', `after the PIN the page should say "Payment successful" (got "${headingOf(receipt.html)}": ${textOf(receipt.html, /role="alert">([\s\S]*?)<\/p>/) ?? ''})`);
  note(`the gateway's page: "Payment successful", ${textOf(receipt.html, /<th scope="row">Paid with<\/th><td>([\s\S]*?)<\/td>/)}; back to the shop's payment return URL by meta refresh (the demo goes straight to the order)`);
}

/** Back at the shop's order page, which says "Waiting for payment" until the notification has arrived. */
async function waitUntilPaid(browser: HeadlessBrowser, orderUrl: string, billNo: string, from: number, waitForEvent: WaitForEvent): Promise<void> {
  browserSays(`GET ${orderUrl}  (the customer goes back to the shop)`);
  let page = await browser.get(orderUrl);
  let status = /data-status="([a-z_]+)"/.exec(page.html)?.[1];
  if (status === 'awaiting_payment') note('the order page says "Waiting for payment" (the notification is not in yet)');
  await waitForEvent(from, `the payment notification for ${billNo}`,
    (e): e is ShopEvent => e.kind === 'notification' && e.billNo === billNo && e.orderStatus === 'paid');
  page = await browser.get(orderUrl);
  status = /data-status="([a-z_]+)"/.exec(page.html)?.[1];
  check(status === 'paid', `order ${billNo} should be paid after the notification, the page says ${status}`);
  good(`order ${billNo} is Paid (the notification was verified and acknowledged with response_code 00)`);
}

async function shopBalance(browser: HeadlessBrowser, homeUrl: string): Promise<{ cash: bigint; points: bigint }> {
  browserSays(`GET ${homeUrl}`);
  const page = await browser.get(homeUrl);
  const amount = (kind: string) => {
    const shown = textOf(page.html, new RegExp(`<dd data-balance="${kind}">([^<]*)</dd>`));
    check(shown, `the shop's page shows no ${kind} balance (${flashOf(page.html) ?? 'no message'})`);
    return BigInt(shown.replace(/[^0-9]/g, ''));
  };
  return { cash: amount('cash'), points: amount('points') };
}

function jakartaToday(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The demo needs the repository's workspaces (the client and the example shop), not only the gateway. */
async function importOrExplain<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    // An installed gateway package has neither: the example shop is not published.
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new DemoFailure(`the demo needs ${specifier}, which is not installed: it plays the repository's example shop with @ovo-tokenize/client, so run \`npm install && npx ovo-tokenize demo\` in a clone of the ovo-tokenize repository`);
  }
}
