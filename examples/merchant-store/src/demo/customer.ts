// The customer the demo plays, with fetch on the real pages (no browser): the shop's, and the gateway's
// activation and PIN pages, narrating each request. Whatever a page shows that the tutorial does not
// expect fails the demo.
import type { PayType } from '@ovo-tokenize/client';
import { FormClient, findCsrfToken, refreshTarget, type PageResponse } from '../form-client.ts';
import type { MerchantStore } from '../server.ts';
import { check } from './check.ts';
import { browserSays, good, note } from './narration.ts';
import { flashOf, headingOf, orderStatusOf, tableRowOf, textOf } from './page-text.ts';
import { WAIT_MS, type ShopEventLog } from './shop-events.ts';

export const CUSTOMER = { phone: '081234567890', name: 'Andrea Hinata', email: 'andrea@example.com' } as const;
/** What sandbox mode gives a new wallet. */
export const SANDBOX_WALLET = { cash: 1_000_000n, points: 50_000n, pin: '123456' } as const;

/** Where a page sent the browser: a redirect, or a link the customer follows. */
type Redirect = Pick<PageResponse, 'status' | 'location'>;

export class ScriptedCustomer {
  private readonly browser = new FormClient({ timeoutMs: WAIT_MS });

  constructor(private readonly gatewayUrl: string, private readonly shop: MerchantStore, private readonly events: ShopEventLog) {}

  /** POSTs a form at the shop and follows where it leads; `shown` is what the line says of the form. */
  async postAtShop(path: string, form: Readonly<Record<string, string>> = {}, shown = ''): Promise<PageResponse> {
    this.saysPost(path, shown);
    return this.follow(await this.browser.post(this.shopUrl(path), form));
  }

  /** "Link OVO" at the shop, which sends the browser to the gateway's activation page, and the linking there. */
  async linkFromShop(): Promise<void> {
    await this.link(await this.browser.post(this.shopUrl('/ovo/link'), {}));
  }

  /**
   * From the shop's redirect to the gateway's activation page back to the shop: the code from the sandbox
   * inbox, the PIN, the result page's refresh to the merchant's return URL, and the server-to-server callback.
   */
  async link(toGateway: Redirect): Promise<PageResponse> {
    const from = this.events.mark;
    const { activationUrl, csrf } = await this.openActivationPage(toGateway);
    await this.enterCode(activationUrl, csrf);
    const linked = await this.enterLinkPin(activationUrl, csrf);
    const back = await this.backToShop(linked);
    await this.events.waitFor(from, 'the activation callback', (e) => e.kind === 'activation' && e.via === 'callback' && e.linked);
    good('the gateway\'s server-to-server callback arrived too, signature verified');
    return back;
  }

  /** The hosted PIN page: what the customer agrees to, then the PIN, then the receipt. */
  private async authorise(toGateway: Redirect): Promise<void> {
    const payUrl = toGateway.location!;
    browserSays(`303 → GET ${payUrl}`);
    const page = await this.browser.get(payUrl);
    check(page.status === 200 && headingOf(page.html) === 'Confirm your payment', `the payment page should ask to confirm (got ${page.status} "${headingOf(page.html)}")`);
    note(`the gateway's page: "Confirm your payment", ${tableRowOf(page.html, 'Amount')} from ${tableRowOf(page.html, 'Pay with')}`);
    browserSays(`POST ${payUrl}/pin  pin=******`);
    const receipt = await this.follow(await this.browser.post(`${payUrl}/pin`, { csrf_token: this.csrfOf(page), pin: SANDBOX_WALLET.pin }));
    check(headingOf(receipt.html) === 'Payment successful', `after the PIN the page should say "Payment successful" (got "${headingOf(receipt.html)}": ${textOf(receipt.html, /role="alert">([\s\S]*?)<\/p>/) ?? ''})`);
    note(`the gateway's page: "Payment successful", ${tableRowOf(receipt.html, 'Paid with')}; back to the shop's payment return URL by meta refresh (the demo goes straight to the order)`);
  }

  /** Orders `productId` and pays on the gateway's PIN page; `peek` looks at the order before the PIN. */
  buy(productId: string, payType: PayType, peek: boolean): Promise<void> {
    return this.pay('/orders', { product: productId, payType }, `product=${productId} payType=${payType}`, 'the shop should send the browser to the gateway\'s payment page', peek);
  }

  /** Pays the newest order again with its "Pay" form at `payPath`, after a relink. */
  payAgain(payPath: string): Promise<void> {
    return this.pay(payPath, {}, '', 'paying again should lead to the PIN page', false);
  }

  /** Orders while the link is gone: the shop's payment call answers relinkRequired. The order page. */
  async orderWithoutLink(productId: string, payType: PayType): Promise<PageResponse> {
    const from = this.events.mark;
    const page = await this.postAtShop('/orders', { product: productId, payType }, `product=${productId} payType=${payType}`);
    await this.events.waitFor(from, 'the relinkRequired answer', (e) => e.kind === 'reply' && e.operation === 'pay' && e.outcome === 'relinkRequired');
    return page;
  }

  /** Back at the shop's order page, which says "Waiting for payment" until the notification has arrived. */
  private async waitUntilPaid(billNo: string, from: number): Promise<void> {
    const orderUrl = this.shopUrl(`/orders/${billNo}`);
    browserSays(`GET ${orderUrl}  (the customer goes back to the shop)`);
    if (orderStatusOf((await this.browser.get(orderUrl)).html) === 'awaiting_payment') note('the order page says "Waiting for payment" (the notification is not in yet)');
    await this.events.waitFor(from, `the payment notification for ${billNo}`,
      (e) => e.kind === 'notification' && e.billNo === billNo && e.orderStatus === 'paid');
    const status = orderStatusOf((await this.browser.get(orderUrl)).html);
    check(status === 'paid', `order ${billNo} should be paid after the notification, the page says ${status}`);
    good(`order ${billNo} is Paid (the notification was verified and acknowledged with response_code 00)`);
  }

  /** The balance the shop's home page shows. */
  async balance(): Promise<{ cash: bigint; points: bigint }> {
    const homeUrl = this.shopUrl('/');
    browserSays(`GET ${homeUrl}`);
    const page = await this.browser.get(homeUrl);
    const amount = (kind: string) => {
      const shown = textOf(page.html, new RegExp(`<dd data-balance="${kind}">([^<]*)</dd>`));
      check(shown, `the shop's page shows no ${kind} balance (${flashOf(page.html) ?? 'no message'})`);
      return BigInt(shown.replace(/[^0-9]/g, ''));
    };
    return { cash: amount('cash'), points: amount('points') };
  }

  /** The customer's latest order at the shop. */
  newestOrder() {
    return this.shop.state.ordersOf(CUSTOMER.phone)[0]!;
  }

  // -------------------------------------------------------------------------------------------------------

  private shopUrl(path: string): string {
    return `${this.shop.url}${path}`;
  }

  private saysPost(path: string, shown: string): void {
    browserSays(`POST ${this.shopUrl(path)}${shown && `  ${shown}`}`);
  }

  /** A shop form whose answer sends the browser to the gateway's PIN page; paid once the notification is in. */
  private async pay(path: string, form: Readonly<Record<string, string>>, shown: string, why: string, peek: boolean): Promise<void> {
    this.saysPost(path, shown);
    const from = this.events.mark;
    const sent = await this.browser.post(this.shopUrl(path), form);
    check(sent.status === 303 && sent.location?.startsWith(`${this.gatewayUrl}/pay/`), `${why} (got ${sent.status} ${sent.location ?? ''})`);
    const { billNo } = this.newestOrder();
    if (peek) await this.peekBeforePin(billNo);
    await this.authorise(sent);
    await this.waitUntilPaid(billNo, from);
  }

  /** Follows redirects with GETs, as a browser does after a 303, narrating each hop. */
  private follow(page: PageResponse): Promise<PageResponse> {
    return this.browser.follow(page, (hop) => browserSays(`${hop.status} → GET ${hop.location}`));
  }

  private csrfOf(page: PageResponse): string {
    const token = findCsrfToken(page.html);
    check(token, `no csrf_token on ${page.url} (heading "${headingOf(page.html)}")`);
    return token;
  }

  private async openActivationPage(toGateway: Redirect): Promise<{ activationUrl: string; csrf: string }> {
    check(toGateway.status === 303 && toGateway.location?.startsWith(`${this.gatewayUrl}/activation/`),
      `the browser should be sent to the gateway's activation page (got ${toGateway.status} ${toGateway.location ?? ''})`);
    const activationUrl = toGateway.location!;
    browserSays(`${toGateway.status} → GET ${activationUrl}`);
    const page = await this.browser.get(activationUrl);
    check(page.status === 200 && headingOf(page.html) === 'Link your OVO account', `the activation page should ask for the SMS code (got ${page.status} "${headingOf(page.html)}")`);
    const csrf = this.csrfOf(page);
    note(`the gateway's page: "${headingOf(page.html)}", asks for the 6-digit code sent by SMS`);
    return { activationUrl, csrf };
  }

  private async enterCode(activationUrl: string, csrf: string): Promise<void> {
    const otp = await this.codeFromInbox();
    browserSays(`POST ${activationUrl}/otp  otp=${otp}`);
    const page = await this.follow(await this.browser.post(`${activationUrl}/otp`, { csrf_token: csrf, otp }));
    check(headingOf(page.html) === 'Enter your OVO PIN', `after the code the page should ask for the PIN (got "${headingOf(page.html)}")`);
    note(`the gateway's page: "${headingOf(page.html)}"`);
  }

  private async codeFromInbox(): Promise<string> {
    const inbox = await fetch(`${this.gatewayUrl}/sandbox/inbox?phone_no=${CUSTOMER.phone}`);
    const messages = ((await inbox.json()) as { messages: Array<{ text: string }> }).messages;
    const otp = messages[0] && /\b([0-9]{6})\b/.exec(messages[0].text)?.[1];
    check(otp, `no code in the sandbox inbox of ${CUSTOMER.phone}`);
    note(`sandbox inbox (GET /sandbox/inbox?phone_no=${CUSTOMER.phone}): "${messages[0]!.text.slice(0, 60)}…"`);
    return otp;
  }

  private async enterLinkPin(activationUrl: string, csrf: string): Promise<PageResponse> {
    browserSays(`POST ${activationUrl}/pin  pin=****** (the sandbox wallet's PIN)`);
    const page = await this.follow(await this.browser.post(`${activationUrl}/pin`, { csrf_token: csrf, pin: SANDBOX_WALLET.pin }));
    check(headingOf(page.html) === 'Account linked', `after the PIN the page should say "Account linked" (got "${headingOf(page.html)}": ${flashOf(page.html) ?? ''})`);
    return page;
  }

  /** The "Account linked" page's meta refresh, taken at once, to the shop's return URL. */
  private async backToShop(linked: PageResponse): Promise<PageResponse> {
    const refresh = refreshTarget(linked.html);
    check(refresh, 'the result page should send the browser back to the shop');
    note(`the gateway's page: "Account linked", back to the shop in ${refresh.seconds} s (meta refresh; the demo does not wait)`);
    browserSays(`GET ${refresh.url.replace(/signature=[0-9a-f]+/, 'signature=…')}`);
    const page = await this.follow(await this.browser.get(refresh.url));
    check(flashOf(page.html)?.startsWith('Your OVO account is linked'), `the shop should confirm the link (got "${flashOf(page.html)}")`);
    good(`the shop says: "${flashOf(page.html)}"`);
    return page;
  }

  /** Before the PIN: accepted by the gateway is not paid. */
  private async peekBeforePin(billNo: string): Promise<void> {
    const orderUrl = this.shopUrl(`/orders/${billNo}`);
    const status = orderStatusOf((await this.browser.get(orderUrl)).html);
    check(status === 'awaiting_payment', `before the PIN the order should be waiting for payment, it is ${status}`);
    note(`(a look at ${orderUrl} before the PIN: "Waiting for payment" — accepted is not paid)`);
  }
}
