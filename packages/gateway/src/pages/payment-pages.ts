// The hosted payment authorisation page (spec §4.3 redirectURL): what is being paid, to whom and from which
// balance, then the SMS code (when the merchant asks for one) and the OVO PIN, or Cancel; finally the outcome.
// Plain HTML forms, so it works without JavaScript. Each POST answers 303 to the page (a reload never
// resubmits), or re-renders the step with a message after a wrong entry. The outcome page sends the customer
// back to the merchant's payment return URL (spec §4.11) with a button and a meta refresh, or, when the
// merchant has none, only says where to go back to. In Bahasa Indonesia or English, as page-language.ts
// picks per request.
import { formatJakartaDateTime, maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { verbatim, type Localized } from '../domain/localized.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Payment } from '../domain/payment.ts';
import {
  CUSTOMER_CANCEL_REASON, PAYMENT_FAILURE, cancelPaymentByCustomer, formatRupiahDigits, openPaymentPage, resendPaymentOtp, submitPaymentOtp, submitPaymentPin,
  type PaymentStepInput, type PaymentStepOutcome, type PaymentView,
} from '../services/payment-authorization.ts';
import { html, type SafeHtml } from './html.ts';
import { RETURN_DELAY_S, button, field, hiddenField, linkButton, notice, renderPage, type PageLang } from './layout.ts';
import { langSwitch, requestLang } from './page-language.ts';
import { tokenOrUndefined } from './input-shapes.ts';
import { cookieHeader, formFields, readTokenCookie } from './request-helpers.ts';

const COOKIE = 'ovo_payment';
/** The binding cookie outlives the payment by this much, so the customer can still reload the receipt. */
const RECEIPT_VIEW_S = 60 * 60;

const TEXT = {
  en: {
    notFoundTitle: 'Payment not found',
    notFound: 'This payment link is not valid. Start again from the shop.',
    otherBrowserTitle: 'Link opened elsewhere',
    otherBrowser: 'This payment is already open in another browser. Finish it there, or start again from the shop.',
    refusedTitle: 'Request refused',
    refused: 'This form has expired or was sent from another browser. Start again from the shop.',
    startAgain: 'Start again from the shop.',
    otpTitle: 'Verify your payment',
    heading: 'Confirm your payment',
    otpLabel: 'Verification code',
    otpHint: (masked: string) => `We sent a 6-digit code by SMS to ${masked}.`,
    verify: 'Verify code',
    resend: 'Send a new code',
    pinTitle: 'Enter your PIN',
    pinLabel: 'OVO PIN',
    pinHint: (amount: string, merchant: string) => `Enter your 6-digit OVO PIN to pay ${amount} to ${merchant}.`,
    pay: (amount: string) => `Pay ${amount}`,
    cancel: 'Cancel payment',
    back: (merchant: string) => html`<p>You can return to ${merchant}.</p>`,
    backTo: (merchant: string) => `Back to ${merchant}`,
    successTitle: 'Payment successful',
    paid: (amount: string, merchant: string) => `You paid ${amount} to ${merchant}.`,
    cancelledTitle: 'Payment cancelled',
    noMoneyTaken: 'No money was taken from your OVO account.',
    youCancelled: 'You cancelled this payment.',
    merchantCancelled: (merchant: string) => `${merchant} cancelled this payment.`,
    merchantCancelledWhy: (merchant: string, reason: string) => `${merchant} cancelled this payment: ${reason}.`,
    expiredTitle: 'Payment expired',
    expired: 'This payment was not confirmed in time and can no longer be paid.',
    failedTitle: 'Payment failed',
    failed: (reason: string) => `This payment failed: ${reason}.`,
    failedPinLocked: 'your OVO PIN is locked after too many wrong attempts',
    failedUnknown: 'it could not be completed',
    lead: (merchant: string, masked: string) => html`<p class="lead">Pay <strong>${merchant}</strong> from your OVO account <strong>${masked}</strong>.</p>`,
    details: 'Payment details',
    merchant: 'Merchant',
    description: 'Description',
    orderNumber: 'Order number',
    amount: 'Amount',
    payWith: 'Pay with',
    method: 'Payment method',
    account: 'OVO account',
    confirmBefore: 'Confirm before',
    receipt: 'Receipt',
    trxId: 'Transaction ID',
    paidWith: 'Paid with',
    paidAt: 'Paid at',
    sandbox: (inbox: string) => html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`,
  },
  id: {
    notFoundTitle: 'Pembayaran tidak ditemukan',
    notFound: 'Link pembayaran ini tidak valid. Mulai lagi dari toko.',
    otherBrowserTitle: 'Link dibuka di tempat lain',
    otherBrowser: 'Pembayaran ini sudah dibuka di browser lain. Selesaikan di sana, atau mulai lagi dari toko.',
    refusedTitle: 'Permintaan ditolak',
    refused: 'Formulir ini sudah kedaluwarsa atau dikirim dari browser lain. Mulai lagi dari toko.',
    startAgain: 'Mulai lagi dari toko.',
    otpTitle: 'Verifikasi pembayaran',
    heading: 'Konfirmasi pembayaran',
    otpLabel: 'Kode verifikasi',
    otpHint: (masked: string) => `Kami telah mengirim 6 digit kode verifikasi lewat SMS ke ${masked}.`,
    verify: 'Verifikasi kode',
    resend: 'Kirim kode baru',
    pinTitle: 'Masukkan PIN',
    pinLabel: 'PIN OVO',
    pinHint: (amount: string, merchant: string) => `Masukkan 6 digit PIN OVO kamu untuk membayar ${amount} ke ${merchant}.`,
    pay: (amount: string) => `Bayar ${amount}`,
    cancel: 'Batalkan pembayaran',
    back: (merchant: string) => html`<p>Kamu bisa kembali ke ${merchant}.</p>`,
    backTo: (merchant: string) => `Kembali ke ${merchant}`,
    successTitle: 'Pembayaran berhasil',
    paid: (amount: string, merchant: string) => `Kamu telah membayar ${amount} ke ${merchant}.`,
    cancelledTitle: 'Pembayaran dibatalkan',
    noMoneyTaken: 'Saldo OVO kamu tidak terpotong.',
    youCancelled: 'Kamu membatalkan pembayaran ini.',
    merchantCancelled: (merchant: string) => `${merchant} membatalkan pembayaran ini.`,
    merchantCancelledWhy: (merchant: string, reason: string) => `${merchant} membatalkan pembayaran ini: ${reason}.`,
    expiredTitle: 'Pembayaran kedaluwarsa',
    expired: 'Pembayaran ini tidak dikonfirmasi tepat waktu dan tidak bisa dibayar lagi.',
    failedTitle: 'Pembayaran gagal',
    failed: (reason: string) => `Pembayaran ini gagal: ${reason}.`,
    failedPinLocked: 'PIN OVO kamu diblokir setelah terlalu banyak percobaan yang salah',
    failedUnknown: 'pembayaran tidak dapat diselesaikan',
    lead: (merchant: string, masked: string) => html`<p class="lead">Bayar ke <strong>${merchant}</strong> dari akun OVO kamu <strong>${masked}</strong>.</p>`,
    details: 'Rincian pembayaran',
    merchant: 'Merchant',
    description: 'Keterangan',
    orderNumber: 'Nomor pesanan',
    amount: 'Jumlah',
    payWith: 'Bayar dengan',
    method: 'Metode pembayaran',
    account: 'Akun OVO',
    confirmBefore: 'Konfirmasi sebelum',
    receipt: 'Bukti pembayaran',
    trxId: 'ID transaksi',
    paidWith: 'Dibayar dengan',
    paidAt: 'Waktu pembayaran',
    sandbox: (inbox: string) => html`Mode sandbox: SMS tidak dikirim. Lihat kodenya di <a href="${inbox}">kotak masuk sandbox</a>.`,
  },
} as const;

type Text = (typeof TEXT)[PageLang];

/** PAYMENT_FAILURE (kept in English as the payment's failure_reason) as the customer reads it in Indonesian. */
const PAYMENT_FAILURE_ID: Readonly<Record<keyof typeof PAYMENT_FAILURE, string>> = {
  expired: 'Pembayaran kedaluwarsa',
  otpAttempts: 'Terlalu banyak kode verifikasi yang salah',
  pinLocked: 'PIN diblokir',
  walletInactive: 'Akun OVO tidak aktif',
  phoneChanged: 'Nomor ponsel akun OVO telah berubah',
};

/** The page's language and its header link to the other one. */
export interface PageLocale {
  readonly lang: PageLang;
  readonly langSwitch?: { readonly href: string };
}

type Params = { Params: { token: string } };
type StepRunner = (input: PaymentStepInput & { form: Record<string, string> }) => Promise<PaymentStepOutcome>;

export function registerPaymentPages(app: FastifyInstance, ctx: GatewayContext): void {
  // No automatic HEAD route: a link-preview HEAD must not bind the payment to a robot or send an SMS.
  app.get<Params>('/pay/:token', { exposeHeadRoute: false }, async (request, reply) => {
    const locale = localeOf(ctx, request, reply);
    const t = TEXT[locale.lang];
    const token = tokenOrUndefined(request.params.token);
    const view = token === undefined ? 'not_found' : await openPaymentPage(ctx, token, readTokenCookie(request, COOKIE));
    if (view === 'not_found') return problemPage(reply, 404, locale, t.notFoundTitle, t.notFound);
    if (view === 'other_browser') return problemPage(reply, 403, locale, t.otherBrowserTitle, t.otherBrowser);
    if (view.newBrowserKey) {
      reply.header('set-cookie', cookieHeader(COOKIE, view.newBrowserKey, {
        path: pagePath(request.params.token), maxAgeS: ctx.config.payment_ttl_s + RECEIPT_VIEW_S, secure: ctx.config.publicUrl.startsWith('https:'),
      }));
    }
    return sendPage(reply, 200, ctx, view, locale);
  });

  const step = (name: string, run: StepRunner) =>
    app.post<Params>(`/pay/:token/${name}`, async (request, reply) => {
      const token = tokenOrUndefined(request.params.token);
      // A page token that cannot exist is refused like an unknown one, without a query.
      if (token === undefined) return answerStep(ctx, request, reply, { kind: 'forbidden' });
      const form = formFields(request);
      const outcome = await run({ token, browserKey: readTokenCookie(request, COOKIE), csrfToken: tokenOrUndefined(form.csrf_token), form });
      return answerStep(ctx, request, reply, outcome);
    });
  step('otp', (input) => submitPaymentOtp(ctx, { ...input, otp: (input.form.otp ?? '').trim() }));
  step('resend', (input) => resendPaymentOtp(ctx, input));
  step('pin', (input) => submitPaymentPin(ctx, { ...input, pin: input.form.pin ?? '' }));
  step('cancel', (input) => cancelPaymentByCustomer(ctx, input));
}

function localeOf(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply): PageLocale {
  const lang = requestLang(request, reply, ctx.config.publicUrl.startsWith('https:'));
  return { lang, langSwitch: langSwitch(request, lang, pagePath(request.params.token)) };
}

async function answerStep(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply, outcome: PaymentStepOutcome) {
  if (outcome.kind === 'forbidden' || outcome.kind === 'retry') {
    const locale = localeOf(ctx, request, reply);
    const t = TEXT[locale.lang];
    if (outcome.kind === 'forbidden') return problemPage(reply, 403, locale, t.refusedTitle, t.refused);
    const view = await openPaymentPage(ctx, request.params.token, readTokenCookie(request, COOKIE));
    if (typeof view === 'string') return problemPage(reply, 403, locale, t.refusedTitle, t.startAgain);
    return sendPage(reply, outcome.info ? 200 : 422, ctx, { ...view, flash: outcome.message, flashKind: outcome.info ? 'info' : 'error' }, locale);
  }
  return reply.status(303).header('location', pagePath(request.params.token)).send();
}

function pagePath(token: string): string {
  return `/pay/${encodeURIComponent(token)}`;
}

function sendPage(reply: FastifyReply, status: number, ctx: GatewayContext, view: PaymentView, locale: PageLocale) {
  return reply.status(status).type('text/html; charset=utf-8').send(renderPaymentPage(ctx, view, locale));
}

function problemPage(reply: FastifyReply, status: number, locale: PageLocale, title: string, message: string) {
  return reply.status(status).type('text/html; charset=utf-8')
    .send(renderPage({ title, ...locale, heading: title, body: notice('error', message) }));
}

/** `Rp 150.000` */
export function rupiah(amount: bigint): string {
  return `Rp ${formatRupiahDigits(amount)}`;
}

/** The page for the payment's current state: the step to take while pending, else its outcome. */
export function renderPaymentPage(ctx: GatewayContext, view: PaymentView, locale: PageLocale = { lang: 'en' }): string {
  const { payment, merchant } = view;
  const t = TEXT[locale.lang];
  const action = (name: string) => `${pagePath(payment.pageToken)}/${name}`;
  const flash = view.flash ? notice(view.flashKind ?? 'error', view.flash[locale.lang]) : '';
  const summary = paymentSummary(payment, merchant, t);
  if (payment.status === 'PENDING' && payment.authStep === 'otp') {
    const masked = maskPhone(payment.phone);
    return renderPage({
      title: t.otpTitle, ...locale, heading: t.heading,
      body: html`${summary}${flash}
<form method="post" action="${action('otp')}" class="form">
${hiddenField('csrf_token', payment.csrfToken)}
${field({ id: 'otp', name: 'otp', label: t.otpLabel, hint: t.otpHint(masked), type: 'text',
          inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button(t.verify)}
</form>
${secondaryForm(action('resend'), payment.csrfToken, t.resend)}
${sandboxHint(ctx, payment, t)}
${cancelForm(action('cancel'), payment.csrfToken, t)}`,
    });
  }
  if (payment.status === 'PENDING') {
    return renderPage({
      title: t.pinTitle, ...locale, heading: t.heading,
      body: html`${summary}${flash}
<form method="post" action="${action('pin')}" class="form">
${hiddenField('csrf_token', payment.csrfToken)}
${field({ id: 'pin', name: 'pin', label: t.pinLabel, hint: t.pinHint(rupiah(payment.amount), merchant.name),
          type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true,
          autofocus: true, variant: 'pin' })}
${button(t.pay(rupiah(payment.amount)))}
</form>
${cancelForm(action('cancel'), payment.csrfToken, t)}`,
    });
  }
  return outcomePage(view, locale);
}

/** The ended payment: what happened, then back to the merchant (a button and a meta refresh) when it has a return URL. */
function outcomePage(view: PaymentView, locale: PageLocale): string {
  const { payment, merchant, returnUrl } = view;
  const t = TEXT[locale.lang];
  const { title, body } = outcomeContent(payment, merchant, t, locale.lang);
  const back = returnUrl ? html`<p>${linkButton(returnUrl, t.backTo(merchant.name), 'primary')}</p>` : t.back(merchant.name);
  return renderPage({
    title, ...locale, heading: title,
    body: html`${body}
${back}`,
    refreshTo: returnUrl ? { url: returnUrl, seconds: RETURN_DELAY_S } : undefined,
  });
}

function outcomeContent(payment: Payment, merchant: Merchant, t: Text, lang: PageLang): { title: string; body: SafeHtml } {
  switch (payment.status) {
    case 'SUCCESS':
      return {
        title: t.successTitle,
        body: html`${notice('success', t.paid(rupiah(payment.amount), merchant.name))}
${receipt(payment, merchant, t)}`,
      };
    case 'CANCELLED':
      return {
        title: t.cancelledTitle,
        body: html`${notice('info', `${cancelText(payment, merchant, t)} ${t.noMoneyTaken}`)}
${paymentSummary(payment, merchant, t, 'ended')}`,
      };
    case 'EXPIRED':
      return {
        title: t.expiredTitle,
        body: html`${notice('error', `${t.expired} ${t.noMoneyTaken}`)}
${paymentSummary(payment, merchant, t, 'ended')}`,
      };
    case 'FAILED':
    default:
      return {
        title: t.failedTitle,
        body: html`${notice('error', `${t.failed(failureText(payment.failureReason, t)[lang])} ${t.noMoneyTaken}`)}
${paymentSummary(payment, merchant, t, 'ended')}`,
      };
  }
}

function cancelText(payment: Payment, merchant: Merchant, t: Text): string {
  if (payment.cancelReason === CUSTOMER_CANCEL_REASON) return t.youCancelled;
  return payment.cancelReason ? t.merchantCancelledWhy(merchant.name, payment.cancelReason) : t.merchantCancelled(merchant.name);
}

function failureText(reason: string | null, t: Text): Localized {
  if (reason === 'PIN locked') return verbatim(t.failedPinLocked);
  if (reason === null || reason === '') return verbatim(t.failedUnknown);
  const key = (Object.keys(PAYMENT_FAILURE) as (keyof typeof PAYMENT_FAILURE)[]).find((k) => PAYMENT_FAILURE[k] === reason);
  const id = key === undefined ? reason : PAYMENT_FAILURE_ID[key];
  return { en: lowerFirst(reason), id: lowerFirst(id) };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

type SummaryMode = 'pending' | 'ended';

/** Who is paid, for what, how much, and from which balance: what the customer agrees to with their PIN. */
function paymentSummary(payment: Payment, merchant: Merchant, t: Text, mode: SummaryMode = 'pending'): SafeHtml {
  const pending = mode === 'pending';
  return html`${pending && html`${t.lead(merchant.name, maskPhone(payment.phone))}
`}<div class="table-wrap">
<table class="table">
<caption>${t.details}</caption>
<tbody>
<tr><th scope="row">${t.merchant}</th><td>${merchant.name}</td></tr>
<tr><th scope="row">${t.description}</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">${t.orderNumber}</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">${t.amount}</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, pending ? t.payWith : t.method)}
<tr><th scope="row">${t.account}</th><td>${maskPhone(payment.phone)}</td></tr>
${pending && html`<tr><th scope="row">${t.confirmBefore}</th><td>${formatJakartaDateTime(new Date(payment.expiresAt)).slice(0, 16)} WIB</td></tr>`}
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

function receipt(payment: Payment, merchant: Merchant, t: Text): SafeHtml {
  return html`<div class="table-wrap">
<table class="table">
<caption>${t.receipt}</caption>
<tbody>
<tr><th scope="row">${t.trxId}</th><td class="mono">${payment.trxId}</td></tr>
<tr><th scope="row">${t.merchant}</th><td>${merchant.name}</td></tr>
<tr><th scope="row">${t.description}</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">${t.orderNumber}</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">${t.amount}</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, t.paidWith)}
<tr><th scope="row">${t.account}</th><td>${maskPhone(payment.phone)}</td></tr>
<tr><th scope="row">${t.paidAt}</th><td>${formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt))} WIB</td></tr>
</tbody>
</table>
</div>`;
}

function secondaryForm(action: string, csrf: string, label: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(label, { variant: 'secondary' })}</form>`;
}

function cancelForm(action: string, csrf: string, t: Text): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(t.cancel, { variant: 'danger' })}</form>`;
}

function sandboxHint(ctx: GatewayContext, payment: Payment, t: Text): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(payment.phone)}`;
  return notice('info', t.sandbox(inbox));
}
