// The shop's pages. Plain HTML forms and links: no JavaScript, so every step is a request a reader can
// follow in the server code (and a test can follow without a browser).
import { art } from './art.ts';
import { CATALOG, type Product } from './catalog.ts';
import { PAY_TYPES, PAY_TYPE_LABELS, groupDigits, maskPhone, rupiah } from './format.ts';
import { html, type Html, type HtmlValue } from './html.ts';
import { ORDER_STATUS_TEXT, freshRelinkUrl, type Customer, type Flash, type Order } from './state.ts';

export interface PageChrome {
  readonly shopName: string;
  readonly customer?: Customer;
  readonly flash?: Flash;
}

export function layout(chrome: PageChrome, title: string, body: HtmlValue): string {
  const { customer, flash } = chrome;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${chrome.shopName}</title>
<link rel="stylesheet" href="/shop.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><span class="brand__mark" aria-hidden="true">☕</span>${chrome.shopName}</a>
  ${customer && html`<div class="who">
    <span class="who__name">${customer.name}<small>${maskPhone(customer.phone)}</small></span>
    <form method="post" action="/logout"><button class="link-button" type="submit">Sign out</button></form>
  </div>`}
</header>
<main class="page">
${flash && html`<p class="flash flash--${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</p>`}
${body}
</main>
<footer class="footer">An example shop for <strong>OVO Tokenize</strong>: every payment goes through <code>@ovo-tokenize/client</code>.</footer>
</body>
</html>
`.value;
}

export interface SignInValues {
  readonly phone?: string;
  readonly name?: string;
  readonly email?: string;
}

export function signInPage(values: SignInValues = {}, error?: string): Html {
  return html`<section class="hero">
  <h1>Good coffee, paid with OVO</h1>
  <p class="lead">Sign in with your mobile number, link your OVO account once, and pay with OVO Cash, OVO Points or both.</p>
</section>
<section class="card card--narrow">
  <h2>Sign in</h2>
  ${error && html`<p class="flash flash--error" role="alert">${error}</p>`}
  <form method="post" action="/login" class="form">
    <label for="phone">Mobile number</label>
    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" placeholder="0812 3456 7890" required value="${values.phone ?? ''}">
    <label for="name">Your name</label>
    <input id="name" name="name" autocomplete="name" maxlength="100" required value="${values.name ?? ''}">
    <label for="email">Email <small>(for your receipts)</small></label>
    <input id="email" name="email" type="email" autocomplete="email" maxlength="254" required value="${values.email ?? ''}">
    <button class="button" type="submit">Continue</button>
  </form>
</section>`;
}

/** What the OVO panel shows about the balance, as the shop learned it just now. */
export type BalanceView =
  | { readonly kind: 'ok'; readonly cash: bigint; readonly points: bigint }
  | { readonly kind: 'unavailable'; readonly message: string };

export function homePage(customer: Customer, balance: BalanceView | undefined, orders: readonly Order[]): Html {
  return html`<div class="grid">
  <section class="card ovo" aria-labelledby="ovo-heading">
    <h2 id="ovo-heading"><span class="ovo__logo">OVO</span> Your OVO account</h2>
    ${ovoPanel(customer, balance)}
  </section>
  <section class="card" aria-labelledby="orders-heading">
    <h2 id="orders-heading">Your orders</h2>
    ${orders.length === 0 ? html`<p class="muted">No orders yet. Pick something below.</p>` : ordersTable(orders)}
  </section>
</div>
<section aria-labelledby="menu-heading">
  <h2 id="menu-heading" class="section-title">Menu</h2>
  <div class="products">${CATALOG.map(productCard)}</div>
</section>`;
}

function ovoPanel(customer: Customer, balance: BalanceView | undefined): Html {
  const link = customer.link;
  switch (link.state) {
    case 'linked':
      return html`<p class="ovo__status"><span class="dot dot--on" aria-hidden="true"></span>Linked · ${maskPhone(customer.phone)}</p>
${balance?.kind === 'ok'
    ? html`<dl class="balance">
  <div><dt>OVO Cash</dt><dd data-balance="cash">${rupiah(balance.cash)}</dd></div>
  <div><dt>OVO Points</dt><dd data-balance="points">${groupDigits(balance.points)}</dd></div>
</dl>`
    : html`<p class="flash flash--error">${balance?.message ?? 'Balance unavailable.'}</p>`}
<form method="post" action="/ovo/unlink"><button class="button button--quiet" type="submit">Unlink OVO</button></form>`;
    case 'relinkRequired':
      return html`<p class="ovo__status"><span class="dot dot--warn" aria-hidden="true"></span>Link ended</p>
<p>OVO says the link between your account and this shop has ended (it was removed, or it expired). Link it again to pay with OVO.</p>
${linkAgain(customer)}`;
    default:
      return html`<p class="ovo__status"><span class="dot" aria-hidden="true"></span>Not linked</p>
<p>${link.state === 'pending' ? 'You started linking but did not finish. ' : ''}${link.state === 'failed' ? `Linking failed: ${link.reason}. ` : ''}Link your OVO account once: after that you confirm each payment with your OVO PIN.</p>
<form method="post" action="/ovo/link"><button class="button button--ovo" type="submit">Link OVO</button></form>`;
  }
}

/** To the relinkUrl the gateway gave with its 02 answer, or, once that has grown old, through a new activate(). */
function linkAgain(customer: Customer): Html {
  const url = freshRelinkUrl(customer.link);
  return url
    ? html`<a class="button button--ovo" href="${url}">Link again</a>`
    : html`<form method="post" action="/ovo/link"><button class="button button--ovo" type="submit">Link again</button></form>`;
}

function productCard(product: Product): Html {
  return html`<article class="product" aria-labelledby="product-${product.id}">
  <div class="product__art" style="background:${product.tint}">${art(product.art)}</div>
  <h3 id="product-${product.id}">${product.name}</h3>
  <p class="muted">${product.description}</p>
  <p class="price">${rupiah(product.price)}</p>
  <form method="post" action="/orders" class="form">
    <input type="hidden" name="product" value="${product.id}">
    <fieldset class="paytypes">
      <legend>Pay with</legend>
      ${PAY_TYPES.map((payType, i) => html`<label class="paytype"><input type="radio" name="payType" value="${payType}"${i === 0 ? html` checked` : ''}> ${PAY_TYPE_LABELS[payType]}</label>`)}
    </fieldset>
    <button class="button button--ovo" type="submit">Pay with OVO</button>
  </form>
</article>`;
}

export function statusBadge(order: Order): Html {
  return html`<span class="badge badge--${order.status}" data-status="${order.status}">${ORDER_STATUS_TEXT[order.status]}</span>`;
}

function ordersTable(orders: readonly Order[]): Html {
  return html`<table class="orders">
<thead><tr><th scope="col">Order</th><th scope="col" class="num">Amount</th><th scope="col">Status</th></tr></thead>
<tbody>${orders.map((o) => html`<tr data-bill-no="${o.billNo}">
  <td><a href="/orders/${o.billNo}">${o.product.name}</a><small class="muted">${o.billNo} · ${PAY_TYPE_LABELS[o.payType]}</small></td>
  <td class="num">${rupiah(o.amount)}</td>
  <td>${statusBadge(o)}</td>
</tr>`)}</tbody>
</table>`;
}

export function orderPage(order: Order, customer: Customer): Html {
  const rows: Array<[string, HtmlValue]> = [
    ['Item', order.product.name],
    ['Amount', rupiah(order.amount)],
    ['Pay with', PAY_TYPE_LABELS[order.payType]],
    ['OVO transaction', order.trxId ?? '—'],
    ['Status', statusBadge(order)],
  ];
  return html`<p class="crumbs"><a href="/">← Back to the shop</a></p>
<section class="card card--narrow">
  <h1>Order ${order.billNo}</h1>
  <table class="details"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
  ${orderNext(order, customer)}
</section>`;
}

/** What the customer can do next; the status only ever changes on the gateway's word. */
function orderNext(order: Order, customer: Customer): Html {
  switch (order.status) {
    case 'awaiting_payment':
      return html`<p class="flash flash--info" role="status">Waiting for payment. Confirm it with your PIN on the OVO page; this order turns <strong>Paid</strong> as soon as OVO notifies us, usually within seconds.</p>
<div class="actions">
  <a class="button" href="/orders/${order.billNo}">Refresh</a>
  ${order.paymentUrl && html`<a class="button button--quiet" href="${order.paymentUrl}">Open the OVO payment page</a>`}
</div>`;
    case 'paid':
      return html`<p class="flash flash--success" role="status">Paid${order.paidAt ? ` at ${order.paidAt.toLocaleTimeString('en-GB', { timeZone: 'Asia/Jakarta' })} (Jakarta)` : ''}. Thank you! Your order is being prepared.</p>`;
    case 'link_required':
      if (customer.link.state === 'linked') {
        return html`<p class="flash flash--info" role="status">Your OVO account is linked again. Nothing has been charged for this order yet.</p>
<form method="post" action="/orders/${order.billNo}/pay"><button class="button button--ovo" type="submit">Pay ${rupiah(order.amount)} with OVO</button></form>`;
      }
      if (customer.link.state === 'relinkRequired') {
        return html`<p class="flash flash--error" role="alert">OVO could not charge this order: the link between your OVO account and this shop has ended. Nothing was charged. Link your account again, then pay.</p>
${linkAgain(customer)}`;
      }
      return html`<p class="flash flash--error" role="alert">Link your OVO account to pay this order. Nothing was charged.</p>
<form method="post" action="/ovo/link"><button class="button button--ovo" type="submit">Link OVO</button></form>`;
    case 'reversed':
      return html`<p class="flash flash--info" role="status">This payment was reversed: the money went back to your OVO account.</p>`;
    default:
      return html`<p class="flash flash--error" role="alert">${ORDER_STATUS_TEXT[order.status]}${order.note ? `: ${order.note}` : ''}. Nothing was charged for this order.</p>
<p><a class="button button--quiet" href="/">Back to the shop</a></p>`;
  }
}

export function messagePage(title: string, message: string): Html {
  return html`<section class="card card--narrow"><h1>${title}</h1><p>${message}</p><p><a class="button" href="/">Back to the shop</a></p></section>`;
}
