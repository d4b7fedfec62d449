// The delivery inspector in a browser (sandbox, README "Delivery inspector"): the list of callbacks and
// notifications with the filters of GET /sandbox/deliveries, one delivery with every attempt as sent and as
// answered, and its "Send again" button. api/sandbox/deliveries.ts routes a request here when its Accept
// prefers HTML; everything read comes from services/delivery-inspector.ts, as the JSON does.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { DELIVERY_KINDS, DELIVERY_STATUSES } from '../delivery/outbox.ts';
import {
  inspectDeliveries, inspectDelivery, parseDeliveryFilter, parseDeliveryRef, resendNow,
  type AttemptView, type DeliveryDetailView, type DeliveryView,
} from '../services/delivery-inspector.ts';
import { html, type SafeHtml } from './html.ts';
import { INSPECTOR_STYLESHEET_PATH, button, card, linkButton, notice, renderPage } from './layout.ts';
import { isFromAnotherOrigin } from './request-helpers.ts';

const LIST_PATH = '/sandbox/deliveries';
const HTML = 'text/html; charset=utf-8';
/** The detail page's query after a resend, so the page says what just happened (a reload keeps saying it). */
const RESENT_QUERY = 'resent=1';

type Params = { Params: { id: string } };

/** The page handlers for registerDeliveryInspector (api/sandbox/deliveries.ts). */
export function deliveryInspectorPages(ctx: GatewayContext) {
  return {
    async list(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const query = request.query as Record<string, unknown>;
      const filter = parseDeliveryFilter(query);
      if ('error' in filter) return page(reply, 400, 'Deliveries', html`${filterForm(query)}${notice('error', filter.error)}`);
      const deliveries = await inspectDeliveries(ctx, filter);
      return page(reply, 200, 'Deliveries', html`${filterForm(query)}${deliveryTable(deliveries)}`);
    },

    async detail(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const { id } = (request as FastifyRequest<Params>).params;
      const found = await findDelivery(ctx, id);
      if (typeof found === 'string') return problem(reply, found === 'bad' ? 400 : 404, id);
      const resent = (request.query as Record<string, unknown>).resent === '1';
      return page(reply, 200, `Delivery ${found.id}`, deliveryDetail(found, resent));
    },

    /** The "Send again" form: sends it now, then back (303) to the delivery, so a reload never resends. */
    async resend(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      // No token to check: the form carries no secret, so what stops another site's page from posting it
      // is the browser's own word on where the form came from (request-helpers.ts).
      if (isFromAnotherOrigin(request)) {
        return page(reply, 403, 'Request refused', notice('error', 'A delivery is sent again only from the inspector\'s own page, not from another site.'));
      }
      const { id } = (request as FastifyRequest<Params>).params;
      const ref = parseDeliveryRef(id);
      const resent = ref === undefined ? undefined : await resendNow(ctx, ref);
      if (resent === undefined) return problem(reply, ref === undefined ? 400 : 404, id);
      return reply.status(303).header('location', `${detailPath(resent)}?${RESENT_QUERY}`).send();
    },
  };
}

async function findDelivery(ctx: GatewayContext, id: string): Promise<DeliveryDetailView | 'bad' | 'missing'> {
  const ref = parseDeliveryRef(id);
  if (ref === undefined) return 'bad';
  return (await inspectDelivery(ctx, ref)) ?? 'missing';
}

function page(reply: FastifyReply, status: number, title: string, body: SafeHtml): FastifyReply {
  return reply.status(status).type(HTML).header('cache-control', 'no-store')
    .send(renderPage({ title, lang: 'en', heading: title, body, extraStylesheet: INSPECTOR_STYLESHEET_PATH }));
}

function problem(reply: FastifyReply, status: 400 | 404, id: string): FastifyReply {
  const message = status === 400 ? 'A delivery is named by its number or its notification id.' : `There is no delivery ${id}.`;
  return page(reply, status, 'No such delivery', html`${notice('error', message)}${backLink()}`);
}

function detailPath(d: Pick<DeliveryView, 'id'>): string {
  return `${LIST_PATH}/${d.id}`;
}

function backLink(): SafeHtml {
  return html`<p><a class="back-link" href="${LIST_PATH}">All deliveries</a></p>`;
}

// ——— the list ———

function filterForm(query: Record<string, unknown>): SafeHtml {
  const value = (name: string) => (typeof query[name] === 'string' ? query[name] as string : '');
  return html`<form method="get" action="${LIST_PATH}" class="form inspector-filters" role="search" aria-label="Filter deliveries">
${textFilter('merchant_id', 'Merchant', value('merchant_id'), 'numeric')}
${selectFilter('kind', 'Kind', DELIVERY_KINDS, value('kind'))}
${selectFilter('status', 'Status', DELIVERY_STATUSES, value('status'))}
${textFilter('bill_no', 'Bill no.', value('bill_no'), 'text')}
<div class="inspector-filters__actions">${button('Filter')}${linkButton(LIST_PATH, 'Clear')}</div>
</form>`;
}

function textFilter(name: string, label: string, value: string, inputmode: 'numeric' | 'text'): SafeHtml {
  return html`<div class="field"><label class="field__label" for="filter-${name}">${label}</label>
<input class="input" id="filter-${name}" name="${name}" type="text" inputmode="${inputmode}" value="${value}" maxlength="40"></div>`;
}

function selectFilter(name: string, label: string, options: readonly string[], selected: string): SafeHtml {
  const option = (value: string, text: string) =>
    html`<option value="${value}"${value === selected ? html` selected` : ''}>${text}</option>`;
  return html`<div class="field"><label class="field__label" for="filter-${name}">${label}</label>
<select class="input" id="filter-${name}" name="${name}">${option('', 'any')}${options.map((o) => option(o, o))}</select></div>`;
}

function deliveryTable(deliveries: readonly DeliveryView[]): SafeHtml {
  if (deliveries.length === 0) return notice('info', 'No delivery matches.');
  const rows = deliveries.map((d) => html`<tr>
<td><a href="${detailPath(d)}">${d.id}</a></td><td>${d.kind}</td><td>${d.merchant_id}</td><td class="mono">${d.bill_no ?? '–'}</td>
<td>${statusBadge(d.status)}</td><td>${d.attempts}</td><td>${lastOutcome(d)}</td>
<td class="mono">${d.next_attempt_at ?? '–'}</td><td class="mono">${d.created_at}</td>
</tr>`);
  return html`<div class="table-wrap"><table class="table" data-testid="deliveries">
<caption>Newest first; times in UTC</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Kind</th><th scope="col">Merchant</th><th scope="col">Bill no.</th><th scope="col">Status</th>
<th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next retry</th><th scope="col">Created</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function statusBadge(status: DeliveryView['status']): SafeHtml {
  return html`<span class="status-badge status-badge--${status}">${status}</span>`;
}

/** The last attempt's error (which names a refusing HTTP status), else its HTTP status. */
function lastOutcome(d: Pick<DeliveryView, 'last_http_status' | 'last_error'>): string {
  return d.last_error ?? (d.last_http_status === null ? '–' : `HTTP ${d.last_http_status}`);
}

// ——— one delivery ———

function deliveryDetail(d: DeliveryDetailView, resent: boolean): SafeHtml {
  const rows: Array<[string, SafeHtml | string]> = [
    ['Notification id (X-Notification-Id)', html`<code>${d.notification_id}</code>`],
    ['Kind', d.kind],
    ['Merchant', d.merchant_id],
    ['Bill no.', d.bill_no ?? '–'],
    ['URL', html`<code>${d.url}</code>`],
    ['Status', statusBadge(d.status)],
    ['Next retry', d.next_attempt_at ?? '–'],
    ['Created', d.created_at],
    ['Delivered', d.delivered_at ?? '–'],
  ];
  const attempts = d.attempts.length === 0
    ? notice('info', 'Not tried yet.')
    : html`${[...d.attempts].reverse().map((a) => attemptCard(a))}`;
  const resentNote = `Sent again with the same X-Notification-Id.${d.status === 'pending' ? ' Reload to see how the merchant answered.' : ''}`;
  return html`${resent && notice('success', resentNote)}
<div class="table-wrap"><table class="table" data-testid="delivery"><tbody>${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}</tbody></table></div>
<form method="post" action="${detailPath(d)}/resend" class="form form--inline">${button('Send again')}</form>
<p class="field__hint">Attempts, newest first (the last 20 are kept). Times in UTC.</p>
${attempts}
${backLink()}`;
}

function attemptCard(a: AttemptView): SafeHtml {
  const request = a.request === null
    ? html`<p>Nothing was sent.</p>`
    : html`<h3>Request headers</h3>
<div class="table-wrap"><table class="table"><tbody>${Object.entries(a.request.headers).map(([name, value]) => html`<tr><th scope="row" class="mono">${name}</th><td class="mono">${value}</td></tr>`)}</tbody></table></div>
<h3>Request body</h3>${a.request.body === null ? html`<p>None (a GET).</p>` : html`<pre class="inspector-pre">${a.request.body}</pre>`}`;
  return card(html`<dl class="inspector-facts">
<dt>Started</dt><dd class="mono">${a.started_at}</dd>
<dt>Response status</dt><dd class="mono" data-testid="attempt-status">${a.response.status ?? 'none'}</dd>
<dt>Latency</dt><dd class="mono">${a.response.latency_ms} ms</dd>
${a.error !== null && html`<dt>Error</dt><dd data-testid="attempt-error">${a.error}</dd>`}
</dl>
${request}
<h3>Response body (first 4 KiB)</h3>${a.response.body === null ? html`<p>None.</p>` : html`<pre class="inspector-pre" data-testid="attempt-response">${a.response.body}</pre>`}`,
  { title: `Attempt ${a.number}` });
}
