// The hosted payment authorisation page (spec §4.3 redirectURL): what is being paid, to whom and from which
// balance, then the SMS code (when the merchant asks for one) and the OVO PIN, or Cancel; finally the outcome.
// Plain HTML forms, so it works without JavaScript. Each POST answers 303 to the page (a reload never
// resubmits), or re-renders the step with a message after a wrong entry. The spec gives payments no return
// URL: the merchant learns the result from its notification, so the page only says where to go back to.
import { formatJakartaDateTime, maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Payment } from '../domain/payment.ts';
import {
  CUSTOMER_CANCEL_REASON, cancelPaymentByCustomer, formatRupiahDigits, openPaymentPage, resendPaymentOtp, submitPaymentOtp, submitPaymentPin,
  type PaymentStepInput, type PaymentStepOutcome, type PaymentView,
} from '../services/payment-authorization.ts';
import { html, type SafeHtml } from './html.ts';
import { button, field, hiddenField, notice, renderPage } from './layout.ts';
import { cookieHeader, formFields, readCookie } from './request-helpers.ts';

const COOKIE = 'ovo_payment';
/** The binding cookie outlives the payment by this much, so the customer can still reload the receipt. */
const RECEIPT_VIEW_S = 60 * 60;

type Params = { Params: { token: string } };
type StepRunner = (input: PaymentStepInput & { form: Record<string, string> }) => Promise<PaymentStepOutcome>;

export function registerPaymentPages(app: FastifyInstance, ctx: GatewayContext): void {
  // No automatic HEAD route: a link-preview HEAD must not bind the payment to a robot or send an SMS.
  app.get<Params>('/pay/:token', { exposeHeadRoute: false }, async (request, reply) => {
    const view = await openPaymentPage(ctx, request.params.token, readCookie(request, COOKIE));
    if (view === 'not_found') return problemPage(reply, 404, 'Payment not found', 'This payment link is not valid. Start again from the shop.');
    if (view === 'other_browser') {
      return problemPage(reply, 403, 'Link opened elsewhere', 'This payment is already open in another browser. Finish it there, or start again from the shop.');
    }
    if (view.newBrowserKey) {
      reply.header('set-cookie', cookieHeader(COOKIE, view.newBrowserKey, {
        path: pagePath(request.params.token), maxAgeS: ctx.config.payment_ttl_s + RECEIPT_VIEW_S, secure: ctx.config.publicUrl.startsWith('https:'),
      }));
    }
    return sendPage(reply, 200, ctx, view);
  });

  const step = (name: string, run: StepRunner) =>
    app.post<Params>(`/pay/:token/${name}`, async (request, reply) => {
      const form = formFields(request);
      const outcome = await run({ token: request.params.token, browserKey: readCookie(request, COOKIE), csrfToken: form.csrf_token, form });
      return answerStep(ctx, request, reply, outcome);
    });
  step('otp', (input) => submitPaymentOtp(ctx, { ...input, otp: (input.form.otp ?? '').trim() }));
  step('resend', (input) => resendPaymentOtp(ctx, input));
  step('pin', (input) => submitPaymentPin(ctx, { ...input, pin: input.form.pin ?? '' }));
  step('cancel', (input) => cancelPaymentByCustomer(ctx, input));
}

async function answerStep(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply, outcome: PaymentStepOutcome) {
  if (outcome.kind === 'forbidden') {
    return problemPage(reply, 403, 'Request refused', 'This form has expired or was sent from another browser. Start again from the shop.');
  }
  if (outcome.kind === 'retry') {
    const view = await openPaymentPage(ctx, request.params.token, readCookie(request, COOKIE));
    if (typeof view === 'string') return problemPage(reply, 403, 'Request refused', 'Start again from the shop.');
    return sendPage(reply, 422, ctx, { ...view, flash: outcome.message });
  }
  return reply.status(303).header('location', pagePath(request.params.token)).send();
}

function pagePath(token: string): string {
  return `/pay/${encodeURIComponent(token)}`;
}

function sendPage(reply: FastifyReply, status: number, ctx: GatewayContext, view: PaymentView) {
  return reply.status(status).type('text/html; charset=utf-8').send(renderPaymentPage(ctx, view));
}

function problemPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.status(status).type('text/html; charset=utf-8')
    .send(renderPage({ title, lang: 'en', heading: title, body: notice('error', message) }));
}

/** `Rp 150.000` */
export function rupiah(amount: bigint): string {
  return `Rp ${formatRupiahDigits(amount)}`;
}

/** The page for the payment's current state: the step to take while pending, else its outcome. */
export function renderPaymentPage(ctx: GatewayContext, view: PaymentView): string {
  const { payment, merchant } = view;
  const action = (name: string) => `${pagePath(payment.pageToken)}/${name}`;
  const flash = view.flash ? notice(view.flash.startsWith('A new code') ? 'info' : 'error', view.flash) : '';
  const summary = paymentSummary(payment, merchant);
  if (payment.status === 'PENDING' && payment.authStep === 'otp') {
    const masked = maskPhone(payment.phone);
    return renderPage({
      title: 'Verify your payment', lang: 'en', heading: 'Confirm your payment',
      body: html`${summary}${flash}
<form method="post" action="${action('otp')}" class="form">
${hiddenField('csrf_token', payment.csrfToken)}
${field({ id: 'otp', name: 'otp', label: 'Verification code', hint: `We sent a 6-digit code by SMS to ${masked}.`, type: 'text',
          inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button('Verify code')}
</form>
${secondaryForm(action('resend'), payment.csrfToken, 'Send a new code')}
${sandboxHint(ctx, payment)}
${cancelForm(action('cancel'), payment.csrfToken)}`,
    });
  }
  if (payment.status === 'PENDING') {
    return renderPage({
      title: 'Enter your PIN', lang: 'en', heading: 'Confirm your payment',
      body: html`${summary}${flash}
<form method="post" action="${action('pin')}" class="form">
${hiddenField('csrf_token', payment.csrfToken)}
${field({ id: 'pin', name: 'pin', label: 'OVO PIN', hint: `Enter your 6-digit OVO PIN to pay ${rupiah(payment.amount)} to ${merchant.name}.`,
          type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true,
          autofocus: true, variant: 'pin' })}
${button(`Pay ${rupiah(payment.amount)}`)}
</form>
${cancelForm(action('cancel'), payment.csrfToken)}`,
    });
  }
  return outcomePage(payment, merchant);
}

function outcomePage(payment: Payment, merchant: Merchant): string {
  const back = html`<p>You can return to ${merchant.name}.</p>`;
  switch (payment.status) {
    case 'SUCCESS':
      return renderPage({
        title: 'Payment successful', lang: 'en', heading: 'Payment successful',
        body: html`${notice('success', `You paid ${rupiah(payment.amount)} to ${merchant.name}.`)}
${receipt(payment, merchant)}
${back}`,
      });
    case 'CANCELLED':
      return renderPage({
        title: 'Payment cancelled', lang: 'en', heading: 'Payment cancelled',
        body: html`${notice('info', `${cancelText(payment, merchant)} No money was taken from your OVO account.`)}
${paymentSummary(payment, merchant, 'ended')}
${back}`,
      });
    case 'EXPIRED':
      return renderPage({
        title: 'Payment expired', lang: 'en', heading: 'Payment expired',
        body: html`${notice('error', 'This payment was not confirmed in time and can no longer be paid. No money was taken from your OVO account.')}
${paymentSummary(payment, merchant, 'ended')}
${back}`,
      });
    case 'FAILED':
    default:
      return renderPage({
        title: 'Payment failed', lang: 'en', heading: 'Payment failed',
        body: html`${notice('error', `This payment failed: ${failureText(payment.failureReason)}. No money was taken from your OVO account.`)}
${paymentSummary(payment, merchant, 'ended')}
${back}`,
      });
  }
}

function cancelText(payment: Payment, merchant: Merchant): string {
  if (payment.cancelReason === CUSTOMER_CANCEL_REASON) return 'You cancelled this payment.';
  return payment.cancelReason ? `${merchant.name} cancelled this payment: ${payment.cancelReason}.` : `${merchant.name} cancelled this payment.`;
}

function failureText(reason: string | null): string {
  if (reason === 'PIN locked') return 'your OVO PIN is locked after too many wrong attempts';
  if (reason === null || reason === '') return 'it could not be completed';
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

type SummaryMode = 'pending' | 'ended';

/** Who is paid, for what, how much, and from which balance: what the customer agrees to with their PIN. */
function paymentSummary(payment: Payment, merchant: Merchant, mode: SummaryMode = 'pending'): SafeHtml {
  const pending = mode === 'pending';
  return html`${pending && html`<p class="lead">Pay <strong>${merchant.name}</strong> from your OVO account <strong>${maskPhone(payment.phone)}</strong>.</p>
`}<div class="table-wrap">
<table class="table">
<caption>Payment details</caption>
<tbody>
<tr><th scope="row">Merchant</th><td>${merchant.name}</td></tr>
<tr><th scope="row">Description</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">Order number</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">Amount</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, pending ? 'Pay with' : 'Payment method')}
<tr><th scope="row">OVO account</th><td>${maskPhone(payment.phone)}</td></tr>
${pending && html`<tr><th scope="row">Confirm before</th><td>${formatJakartaDateTime(new Date(payment.expiresAt)).slice(0, 16)} WIB</td></tr>`}
</tbody>
</table>
</div>`;
}

/** The split fixed when the payment was made (cash in rupiah; one point is worth one rupiah). */
function splitRow(payment: Payment, label: string): SafeHtml {
  const parts = [
    payment.cashAmount > 0n && html`OVO Cash ${rupiah(payment.cashAmount)}`,
    payment.pointsAmount > 0n && html`OVO Points ${formatRupiahDigits(payment.pointsAmount)}`,
  ].filter((part) => part !== false);
  return html`<tr><th scope="row">${label}</th><td>${parts.map((part, i) => html`${i > 0 && html`<br>`}${part}`)}</td></tr>`;
}

function receipt(payment: Payment, merchant: Merchant): SafeHtml {
  return html`<div class="table-wrap">
<table class="table">
<caption>Receipt</caption>
<tbody>
<tr><th scope="row">Transaction ID</th><td class="mono">${payment.trxId}</td></tr>
<tr><th scope="row">Merchant</th><td>${merchant.name}</td></tr>
<tr><th scope="row">Description</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">Order number</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">Amount</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, 'Paid with')}
<tr><th scope="row">OVO account</th><td>${maskPhone(payment.phone)}</td></tr>
<tr><th scope="row">Paid at</th><td>${formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt))} WIB</td></tr>
</tbody>
</table>
</div>`;
}

function secondaryForm(action: string, csrf: string, label: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(label, { variant: 'secondary' })}</form>`;
}

function cancelForm(action: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button('Cancel payment', { variant: 'danger' })}</form>`;
}

function sandboxHint(ctx: GatewayContext, payment: Payment): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(payment.phone)}`;
  return notice('info', html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`);
}
