// `ovo-tokenize demo`: the whole merchant story, headless, as a tutorial. A gateway (the CLI starts it: this
// shop knows the gateway only over HTTP) and this example shop, which talks to it only through
// @ovo-tokenize/client; a scripted customer plays the real pages with fetch — no browser: link OVO
// (activation page, SMS code from the sandbox inbox, PIN), pay with each pay type on the hosted PIN page,
// see each order turn paid when the notification arrives, read the balance and the history, unlink, meet
// the 02 "link again" answer, relink and pay again. Every request and reply is printed as it happens; any
// step that does not behave as the tutorial says stops the demo with a non-zero exit.
import { OvoTokenizeClient, type PayType, type WireFormat } from '@ovo-tokenize/client';
import { decodeHtml, postFormActions } from '../form-client.ts';
import { groupDigits, jakartaDate, rupiah } from '../format.ts';
import { startMerchantStore, type MerchantStore } from '../server.ts';
import { ORDER_STATUS_TEXT } from '../state.ts';
import { DemoFailure, check } from './check.ts';
import { CUSTOMER, SANDBOX_WALLET, ScriptedCustomer } from './customer.ts';
import { bold, browserSays, currentStep, dim, good, green, officeSays, red, setupLine, step, table } from './narration.ts';
import { flashOf, headingOf } from './page-text.ts';
import { ShopEventLog } from './shop-events.ts';

/** The shop's merchant account at the gateway. */
const MERCHANT = { merchantId: '77001', name: 'Kedai Kopi Nusantara', userId: 'bot77001', password: 'kopi-77001' } as const;

/** The merchant as the gateway's operator registers it (what Faspay's onboarding does). */
export interface DemoMerchant {
  readonly merchantId: string;
  readonly name: string;
  readonly userId: string;
  readonly password: string;
  readonly callbackUrl: string;
  readonly returnUrl: string;
  readonly paymentReturnUrl: string;
  readonly notifyUrl: string;
  readonly notifyFormat: WireFormat;
}

/** What the gateway answers of a registered merchant. */
export interface RegisteredMerchant {
  readonly merchantId: string;
  readonly name: string;
  readonly userId: string;
  readonly callbackUrl: string | null;
  readonly returnUrl: string | null;
  readonly paymentReturnUrl: string | null;
  readonly notifyUrl: string | null;
  readonly notifyFormat: WireFormat;
}

/** A gateway in sandbox mode, started for the demo alone. */
export interface DemoGateway {
  readonly url: string;
  /** How it runs, for the set-up lines, e.g. `sandbox mode, temporary SQLite /tmp/…`. */
  readonly description: string;
  registerMerchant(merchant: DemoMerchant): Promise<RegisteredMerchant>;
  close(): Promise<void>;
}

export interface DemoOptions {
  readonly format: WireFormat;
  readonly startGateway: () => Promise<DemoGateway>;
}

interface Balance {
  readonly cash: bigint;
  readonly points: bigint;
}

interface Scene {
  readonly options: DemoOptions;
  readonly gateway: DemoGateway;
  readonly shop: MerchantStore;
  readonly customer: ScriptedCustomer;
}

const PAYMENTS: ReadonlyArray<{ title: string; product: string; payType: PayType; cash: bigint; points: bigint; why: string }> = [
  { title: 'Pay with OVO Cash (payType "cash")', product: 'tumbler', payType: 'cash', cash: 85_000n, points: 0n,
    why: 'Tumbler Nusantara, Rp 85.000, all from OVO Cash. The shop calls ovo.pay() and sends the browser to the PIN page.' },
  { title: 'Pay with OVO Points (payType "points")', product: 'kopi-susu', payType: 'points', cash: 0n, points: 25_000n,
    why: 'Es Kopi Susu, Rp 25.000, all from OVO Points.' },
  { title: 'Pay with points first, then cash (payType "pointsThenCash")', product: 'biji-kopi', payType: 'pointsThenCash', cash: 40_000n, points: 25_000n,
    why: 'Kopi Gayo 250 g, Rp 65.000: the remaining 25.000 points first, the other Rp 40.000 from OVO Cash.' },
];
/** The order that meets the 02 answer, and is paid after relinking: Roti Bakar Keju, from OVO Cash. */
const RELINK_ORDER = { product: 'roti-bakar', payType: 'cash', cash: 18_000n } as const;

/** Plays the story and prints it; true when every step behaved as described. */
export async function playDemo(options: DemoOptions): Promise<boolean> {
  const started = Date.now();
  const closers: Array<() => Promise<void>> = [];
  try {
    await story(options, closers);
    console.log(`\n${green(bold('Demo finished'))} in ${((Date.now() - started) / 1000).toFixed(1)} s: every step behaved as described.`);
    console.log(dim('  Next: run `npx ovo-tokenize serve` and the shop (examples/merchant-store/README.md) and click through it yourself.'));
    return true;
  } catch (error) {
    printFailure(error);
    return false;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

function printFailure(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`\n${red(bold(`Demo failed${currentStep() > 0 ? ` at step ${currentStep()}` : ''}:`))} ${message}`);
  if (!(error instanceof DemoFailure) && error instanceof Error && error.stack) console.error(dim(error.stack));
}

async function story(options: DemoOptions, closers: Array<() => Promise<void>>): Promise<void> {
  printIntroduction();
  const scene = await setUp(options, closers);
  await signIn(scene);
  await link(scene);
  let expected = await firstBalance(scene);
  expected = await payThreeWays(scene, expected);
  await balanceAgain(scene, expected);
  await history(scene);
  await unlink(scene);
  const pending = await meetRelinkRequired(scene);
  const payPath = await relink(scene, pending);
  expected = await payAgain(scene, payPath, expected);
  await theEnd(scene, expected);
}

function printIntroduction(): void {
  console.log(bold('OVO Tokenize demo: one merchant integration, from linking an account to linking it again'));
  console.log(dim('A gateway (the Faspay side) and an example shop (the merchant) start on this machine. A scripted customer'));
  console.log(dim('uses the shop; the shop calls the gateway only through @ovo-tokenize/client. "browser" lines are the'));
  console.log(dim('customer, "shop" lines are the merchant\'s server, each request and answer as it happens.'));
}

async function setUp(options: DemoOptions, closers: Array<() => Promise<void>>): Promise<Scene> {
  const gateway = await options.startGateway();
  closers.push(() => gateway.close());
  const events = new ShopEventLog();
  const shop = await startMerchantStore({
    gatewayUrl: gateway.url, ...MERCHANT, merchantName: MERCHANT.name, format: options.format, port: 0, onEvent: events.record,
  });
  closers.push(() => shop.close());
  const merchant = await gateway.registerMerchant({ ...MERCHANT, ...shop.merchantUrls, notifyFormat: options.format });
  printSetUp(options, gateway, shop, merchant);
  return { options, gateway, shop, customer: new ScriptedCustomer(gateway.url, shop, events) };
}

function printSetUp(options: DemoOptions, gateway: DemoGateway, shop: MerchantStore, merchant: RegisteredMerchant): void {
  console.log(`\n${bold('Setting up')}`);
  setupLine(`gateway   ${gateway.url}  (${gateway.description})`);
  setupLine(`shop      ${shop.url}  (examples/merchant-store, speaking ${options.format.toUpperCase()})`);
  setupLine(`merchant  ${merchant.merchantId} "${merchant.name}", user ${merchant.userId}, registered with the shop's addresses:`);
  setupLine(`            activation callback   ${merchant.callbackUrl}`);
  setupLine(`            browser return        ${merchant.returnUrl}`);
  setupLine(`            payment return        ${merchant.paymentReturnUrl}`);
  setupLine(`            payment notification  ${merchant.notifyUrl} (${merchant.notifyFormat})`);
  setupLine(`customer  ${CUSTOMER.name}, ${CUSTOMER.phone}: sandbox mode opens an OVO wallet for a new number on its first link`);
  setupLine(`          (OVO Cash ${rupiah(SANDBOX_WALLET.cash)}, OVO Points ${groupDigits(SANDBOX_WALLET.points)}, PIN ${SANDBOX_WALLET.pin})`);
}

async function signIn({ customer }: Scene): Promise<void> {
  step('The customer signs in at the shop', 'The shop knows its customers by mobile number: the same number identifies their OVO account.');
  const page = await customer.postAtShop('/login', CUSTOMER, `phone=${CUSTOMER.phone} name="${CUSTOMER.name}" email=${CUSTOMER.email}`);
  check(page.html.includes('Not linked'), `the shop's home page should say "Not linked" (got "${headingOf(page.html)}")`);
  good('signed in; the OVO panel says "Not linked" and offers "Link OVO"');
}

async function link({ customer }: Scene): Promise<void> {
  step('Link OVO: the shop asks the gateway for an activation page', 'ovo.activate() answers a redirectUrl; the shop sends the browser there with a 303.');
  await customer.linkFromShop();
}

async function firstBalance({ customer }: Scene): Promise<Balance> {
  step('The shop shows the balance', 'While linked, the home page calls ovo.balance(): OVO Cash in rupiah, OVO Points (1 point = Rp 1).');
  const balance = await customer.balance();
  check(balance.cash === SANDBOX_WALLET.cash && balance.points === SANDBOX_WALLET.points,
    `a new sandbox wallet holds ${rupiah(SANDBOX_WALLET.cash)} and ${groupDigits(SANDBOX_WALLET.points)} points, the shop shows ${rupiah(balance.cash)} and ${groupDigits(balance.points)}`);
  good(`the page shows OVO Cash ${rupiah(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);
  return balance;
}

async function payThreeWays({ customer }: Scene, before: Balance): Promise<Balance> {
  let expected = before;
  for (const [i, p] of PAYMENTS.entries()) {
    step(p.title, p.why);
    await customer.buy(p.product, p.payType, i === 0);
    expected = { cash: expected.cash - p.cash, points: expected.points - p.points };
  }
  return expected;
}

async function balanceAgain({ customer }: Scene, expected: Balance): Promise<void> {
  step('The balance after three payments', `Expected: OVO Cash ${rupiah(expected.cash)}, OVO Points ${groupDigits(expected.points)}.`);
  const balance = await customer.balance();
  checkBalance(balance, expected);
  good(`OVO Cash ${rupiah(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);
}

function checkBalance(balance: Balance, expected: Balance): void {
  check(balance.cash === expected.cash && balance.points === expected.points,
    `expected ${rupiah(expected.cash)} and ${groupDigits(expected.points)} points, the shop shows ${rupiah(balance.cash)} and ${groupDigits(balance.points)}`);
}

async function history({ options, gateway }: Scene): Promise<void> {
  step('The transaction history, from the merchant\'s back office', 'The merchant\'s own code calls ovo.historyAll(): every page of this customer\'s payments to the shop, with the Cash/Points split.');
  const backOffice = new OvoTokenizeClient({
    baseUrl: gateway.url, merchantId: MERCHANT.merchantId, merchantName: MERCHANT.name, userId: MERCHANT.userId, password: MERCHANT.password, format: options.format,
  });
  const today = jakartaDate();
  officeSays(`→ gateway: ovo.historyAll({ phone: '${CUSTOMER.phone}', startDate: '${today}', endDate: '${today}' })`);
  const rows: Array<Record<string, string>> = [];
  for await (const result of backOffice.historyAll({ phone: CUSTOMER.phone, startDate: today, endDate: today })) {
    check(result.outcome === 'ok', `history answered ${result.outcome}`);
    officeSays(`← gateway: ok, page ${result.page}: ${result.transactions.length} of ${result.total} transactions`);
    for (const t of result.transactions) {
      rows.push({ 'trx_id': t.trxId, 'paid at': t.paymentDate, status: t.status, amount: rupiah(t.amount), Cash: rupiah(t.cash), Points: groupDigits(t.points) });
    }
  }
  table(rows, ['amount', 'Cash', 'Points']);
  const splits = rows.map((r) => `${r.Cash}/${r.Points}`).reverse();
  check(rows.length === PAYMENTS.length && splits.join(' ') === PAYMENTS.map((p) => `${rupiah(p.cash)}/${groupDigits(p.points)}`).join(' '),
    `history should list the three payments with their splits, got ${splits.join(', ')}`);
  good('three payments, each split between Cash and Points as chosen');
}

async function unlink({ customer }: Scene): Promise<void> {
  step('The customer unlinks OVO', 'The shop calls ovo.unlink(); the payment token is gone.');
  const page = await customer.postAtShop('/ovo/unlink');
  check(page.html.includes('Not linked'), 'after unlinking the shop should show "Not linked"');
  good(`the shop says: "${flashOf(page.html)}"`);
}

/** An order the gateway refused with 02, waiting for the link the shop's "Link again" leads to. */
interface PendingOrder {
  readonly billNo: string;
  readonly relinkUrl: string;
}

async function meetRelinkRequired({ customer }: Scene): Promise<PendingOrder> {
  step('A payment now answers relinkRequired (02)', 'The shop still offers OVO and lets the gateway decide: ovo.pay() answers outcome "relinkRequired" with a relinkUrl. Nothing is charged.');
  const page = await customer.orderWithoutLink(RELINK_ORDER.product, RELINK_ORDER.payType);
  const relinkUrl = /<a class="button button--ovo" href="([^"]+)">Link again<\/a>/.exec(page.html)?.[1];
  check(relinkUrl, `the order page should offer "Link again" (got "${flashOf(page.html)}")`);
  const pending = customer.newestOrder();
  check(pending.status === 'link_required', `the order should wait for a link, it is ${pending.status}`);
  good(`order ${pending.billNo} is "Link OVO to pay"; the page offers "Link again" → ${decodeHtml(relinkUrl)}`);
  return { billNo: pending.billNo, relinkUrl: decodeHtml(relinkUrl) };
}

/** Links again from the order; the path of the order's "Pay" form. */
async function relink({ customer }: Scene, pending: PendingOrder): Promise<string> {
  step('Relink: the customer follows "Link again"', 'The relinkUrl is a fresh activation page: SMS code and PIN again; afterwards the shop brings the browser back to the order.');
  browserSays('follows the "Link again" link');
  const page = await customer.link({ status: 303, location: pending.relinkUrl });
  check(page.url.endsWith(`/orders/${pending.billNo}`), `after relinking the browser should be back at the order (got ${page.url})`);
  const payPath = postFormActions(page.html).find((action) => action.endsWith('/pay'));
  check(payPath, 'the order page should now offer to pay');
  good(`back at order ${pending.billNo}: "${flashOf(page.html)}"`);
  return payPath;
}

async function payAgain({ customer }: Scene, payPath: string, before: Balance): Promise<Balance> {
  step('Pay the same order again', 'Same bill_no, same content: the gateway treats it as the same order. Roti Bakar Keju, Rp 18.000 from OVO Cash.');
  await customer.payAgain(payPath);
  return { cash: before.cash - RELINK_ORDER.cash, points: before.points };
}

async function theEnd({ shop, customer }: Scene, expected: Balance): Promise<void> {
  step('The shop\'s order list and the final balance', 'Every order turned Paid only when its notification arrived, never because a browser came back.');
  const balance = await customer.balance();
  const orders = shop.state.ordersOf(CUSTOMER.phone);
  table([...orders].reverse().map((o) => ({
    order: o.billNo, item: o.product.name, 'paid with': o.payType, amount: rupiah(o.amount), status: ORDER_STATUS_TEXT[o.status], trx_id: o.trxId ?? '-',
  })), ['amount']);
  const unpaid = orders.filter((o) => o.status !== 'paid');
  check(unpaid.length === 0, `orders not paid: ${unpaid.map((o) => `${o.billNo} ${o.status}`).join(', ')}`);
  checkBalance(balance, expected);
  good(`four orders paid; OVO Cash ${rupiah(balance.cash)}, OVO Points ${groupDigits(balance.points)}`);
}
