// The hosted payment authorisation page (spec §4.3 redirectURL): what is being paid, to whom and from which
// balance, then the SMS code (when the merchant asks for one) and the OVO PIN, or Cancel; finally the outcome.
// Plain HTML forms, so it works without JavaScript. Each POST answers 303 to the page (a reload never
// resubmits), or re-renders the step with a message after a wrong entry. The outcome page sends the customer
// back to the merchant's payment return URL (spec §4.11) with a button and a meta refresh, or, when the
// merchant has none, only says where to go back to. In Bahasa Indonesia or English, as page-language.ts
// picks per request. A pinless payment, paid when it was made, has no challenge: its page is the receipt
// alone, found by its receipt token (services/payment-page-url.ts).
import { formatJakartaDateTime, maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { localized, verbatim, type Lang, type Localized } from '../domain/localized.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Payment } from '../domain/payment.ts';
import type { Opened } from '../services/challenge-flow.ts';
import {
  CUSTOMER_CANCEL_REASON, PAYMENT_FAILURE, PAYMENT_FLOW, formatRupiahDigits, type PaymentPage,
} from '../services/payment-authorization.ts';
import { openReceipt } from '../services/payment-page-url.ts';
import { paymentReturnUrl } from '../services/payment-return.ts';
import { codeStepForms, flashNotice, inlineButtonForm, pinStepForm, registerStepRoutes, type Flash } from './challenge-pages.ts';
import { html, type SafeHtml } from './html.ts';
import { RETURN_DELAY_S, linkButton, notice, renderPage, type PageLocale } from './layout.ts';

/** The binding cookie outlives the payment by this much, so the customer can still reload the receipt. */
const RECEIPT_VIEW_S = 60 * 60;

const TEXT = {
  notFoundTitle: localized('Payment not found', 'Pembayaran tidak ditemukan'),
  notFound: localized('This payment link is not valid. Start again from the shop.', 'Link pembayaran ini tidak valid. Mulai lagi dari toko.'),
  otherBrowser: localized('This payment is already open in another browser. Finish it there, or start again from the shop.', 'Pembayaran ini sudah dibuka di browser lain. Selesaikan di sana, atau mulai lagi dari toko.'),
  otpTitle: localized('Verify your payment', 'Verifikasi pembayaran'),
  heading: localized('Confirm your payment', 'Konfirmasi pembayaran'),
  otpLabel: localized('Verification code', 'Kode verifikasi'),
  otpHint: (masked: string) => localized(`We sent a 6-digit code by SMS to ${masked}.`,
    `Kami telah mengirim 6 digit kode verifikasi lewat SMS ke ${masked}.`),
  verify: localized('Verify code', 'Verifikasi kode'),
  resend: localized('Send a new code', 'Kirim kode baru'),
  pinTitle: localized('Enter your PIN', 'Masukkan PIN'),
  pinLabel: localized('OVO PIN', 'PIN OVO'),
  pinHint: (amount: string, merchant: string) => localized(`Enter your 6-digit OVO PIN to pay ${amount} to ${merchant}.`,
    `Masukkan 6 digit PIN OVO kamu untuk membayar ${amount} ke ${merchant}.`),
  pay: (amount: string) => localized(`Pay ${amount}`,
    `Bayar ${amount}`),
  cancel: localized('Cancel payment', 'Batalkan pembayaran'),
  back: (merchant: string) => localized(html`<p>You can return to ${merchant}.</p>`,
    html`<p>Kamu bisa kembali ke ${merchant}.</p>`),
  backTo: (merchant: string) => localized(`Back to ${merchant}`,
    `Kembali ke ${merchant}`),
  successTitle: localized('Payment successful', 'Pembayaran berhasil'),
  paid: (amount: string, merchant: string) => localized(`You paid ${amount} to ${merchant}.`,
    `Kamu telah membayar ${amount} ke ${merchant}.`),
  cancelledTitle: localized('Payment cancelled', 'Pembayaran dibatalkan'),
  noMoneyTaken: localized('No money was taken from your OVO account.', 'Saldo OVO kamu tidak terpotong.'),
  youCancelled: localized('You cancelled this payment.', 'Kamu membatalkan pembayaran ini.'),
  merchantCancelled: (merchant: string) => localized(`${merchant} cancelled this payment.`,
    `${merchant} membatalkan pembayaran ini.`),
  merchantCancelledWhy: (merchant: string, reason: string) => localized(`${merchant} cancelled this payment: ${reason}.`,
    `${merchant} membatalkan pembayaran ini: ${reason}.`),
  expiredTitle: localized('Payment expired', 'Pembayaran kedaluwarsa'),
  expired: localized('This payment was not confirmed in time and can no longer be paid.', 'Pembayaran ini tidak dikonfirmasi tepat waktu dan tidak bisa dibayar lagi.'),
  failedTitle: localized('Payment failed', 'Pembayaran gagal'),
  failed: (reason: string) => localized(`This payment failed: ${reason}.`,
    `Pembayaran ini gagal: ${reason}.`),
  lead: (merchant: string, masked: string) => localized(html`<p class="lead">Pay <strong>${merchant}</strong> from your OVO account <strong>${masked}</strong>.</p>`,
    html`<p class="lead">Bayar ke <strong>${merchant}</strong> dari akun OVO kamu <strong>${masked}</strong>.</p>`),
  details: localized('Payment details', 'Rincian pembayaran'),
  merchant: localized('Merchant', 'Merchant'),
  description: localized('Description', 'Keterangan'),
  orderNumber: localized('Order number', 'Nomor pesanan'),
  amount: localized('Amount', 'Jumlah'),
  payWith: localized('Pay with', 'Bayar dengan'),
  method: localized('Payment method', 'Metode pembayaran'),
  account: localized('OVO account', 'Akun OVO'),
  confirmBefore: localized('Confirm before', 'Konfirmasi sebelum'),
  receipt: localized('Receipt', 'Bukti pembayaran'),
  trxId: localized('Transaction ID', 'ID transaksi'),
  paidWith: localized('Paid with', 'Dibayar dengan'),
  paidAt: localized('Paid at', 'Waktu pembayaran'),
} as const;

/** Why a payment failed, as the customer reads it (the English reason is the payment's failure_reason). */
const FAILURE_TEXT: Readonly<Record<keyof typeof PAYMENT_FAILURE, Localized>> = {
  expired: localized('payment expired', 'pembayaran kedaluwarsa'),
  otpAttempts: localized('too many wrong verification codes', 'terlalu banyak kode verifikasi yang salah'),
  pinLocked: localized('your OVO PIN is locked after too many wrong attempts', 'PIN OVO kamu diblokir setelah terlalu banyak percobaan yang salah'),
  walletInactive: localized('OVO account is not active', 'akun OVO tidak aktif'),
  phoneChanged: localized('the OVO account changed its phone number', 'nomor ponsel akun OVO telah berubah'),
};
const FAILURE_UNKNOWN = localized('it could not be completed', 'pembayaran tidak dapat diselesaikan');

export function registerPaymentPages(app: FastifyInstance, ctx: GatewayContext): void {
  registerStepRoutes(app, ctx, {
    basePath: '/pay',
    param: 'token',
    cookie: 'ovo_payment',
    cookieMaxAgeS: (c) => c.config.payment_ttl_s + RECEIPT_VIEW_S,
    flow: PAYMENT_FLOW,
    render: renderPaymentPage,
    withoutChallenge: async (c, token, locale) => {
      const receipt = await openReceipt(c, token);
      return receipt && outcomePage(receipt, locale);
    },
    text: TEXT,
  });
}

/** `Rp 150.000` */
export function rupiah(amount: bigint): string {
  return `Rp ${formatRupiahDigits(amount)}`;
}

/** The page for the payment's current state: the step to take while pending, else its outcome. */
export function renderPaymentPage(ctx: GatewayContext, opened: Opened<PaymentPage>, locale: PageLocale = { lang: 'en' }, flash?: Flash): string {
  const { challenge, subject: { payment, merchant } } = opened;
  if (payment.status !== 'PENDING') return outcomePage(opened.subject, locale);
  const { lang } = locale;
  const action = (name: string) => `/pay/${encodeURIComponent(challenge.id)}/${name}`;
  const top = html`${paymentSummary(payment, merchant, lang)}${flashNotice(flash, lang)}`;
  const cancel = inlineButtonForm(action('cancel'), challenge.csrfToken, TEXT.cancel[lang], 'danger');
  if (challenge.step === 'otp') {
    return renderPage({
      title: TEXT.otpTitle[lang], ...locale, heading: TEXT.heading[lang],
      body: html`${top}
${codeStepForms(ctx, {
        lang, action, csrf: challenge.csrfToken, phone: payment.phone, label: TEXT.otpLabel[lang],
        hint: TEXT.otpHint(maskPhone(payment.phone))[lang], verify: TEXT.verify[lang], resend: TEXT.resend[lang],
      })}
${cancel}`,
    });
  }
  return renderPage({
    title: TEXT.pinTitle[lang], ...locale, heading: TEXT.heading[lang],
    body: html`${top}
${pinStepForm({
      action, csrf: challenge.csrfToken, label: TEXT.pinLabel[lang], hint: TEXT.pinHint(rupiah(payment.amount), merchant.name)[lang],
      submit: TEXT.pay(rupiah(payment.amount))[lang],
    })}
${cancel}`,
  });
}

/** The ended payment: what happened, then back to the merchant (a button and a meta refresh) when it has a return URL. */
function outcomePage({ payment, merchant }: PaymentPage, locale: PageLocale): string {
  const { lang } = locale;
  const returnUrl = paymentReturnUrl(merchant, payment);
  const { title, body } = outcomeContent(payment, merchant, lang);
  const back = returnUrl ? html`<p>${linkButton(returnUrl, TEXT.backTo(merchant.name)[lang], 'primary')}</p>` : TEXT.back(merchant.name)[lang];
  return renderPage({
    title, ...locale, heading: title,
    body: html`${body}
${back}`,
    refreshTo: returnUrl ? { url: returnUrl, seconds: RETURN_DELAY_S } : undefined,
  });
}

function outcomeContent(payment: Payment, merchant: Merchant, lang: Lang): { title: string; body: SafeHtml } {
  switch (payment.status) {
    case 'SUCCESS':
      return {
        title: TEXT.successTitle[lang],
        body: html`${notice('success', TEXT.paid(rupiah(payment.amount), merchant.name)[lang])}
${receipt(payment, merchant, lang)}`,
      };
    case 'CANCELLED':
      return {
        title: TEXT.cancelledTitle[lang],
        body: html`${notice('info', `${cancelText(payment, merchant)[lang]} ${TEXT.noMoneyTaken[lang]}`)}
${paymentSummary(payment, merchant, lang, 'ended')}`,
      };
    case 'EXPIRED':
      return {
        title: TEXT.expiredTitle[lang],
        body: html`${notice('error', `${TEXT.expired[lang]} ${TEXT.noMoneyTaken[lang]}`)}
${paymentSummary(payment, merchant, lang, 'ended')}`,
      };
    case 'FAILED':
    default:
      return {
        title: TEXT.failedTitle[lang],
        body: html`${notice('error', `${TEXT.failed(failureText(payment.failureReason)[lang])[lang]} ${TEXT.noMoneyTaken[lang]}`)}
${paymentSummary(payment, merchant, lang, 'ended')}`,
      };
  }
}

function cancelText(payment: Payment, merchant: Merchant): Localized {
  if (payment.cancelReason === CUSTOMER_CANCEL_REASON) return TEXT.youCancelled;
  return payment.cancelReason ? TEXT.merchantCancelledWhy(merchant.name, payment.cancelReason) : TEXT.merchantCancelled(merchant.name);
}

/** A failure reason we do not know (another version wrote it) is shown as it is, starting lower case. */
function failureText(reason: string | null): Localized {
  if (reason === null || reason === '') return FAILURE_UNKNOWN;
  const key = (Object.keys(PAYMENT_FAILURE) as (keyof typeof PAYMENT_FAILURE)[]).find((k) => PAYMENT_FAILURE[k] === reason);
  return key === undefined ? verbatim(reason.charAt(0).toLowerCase() + reason.slice(1)) : FAILURE_TEXT[key];
}

type SummaryMode = 'pending' | 'ended';

/** Who is paid, for what, how much, and from which balance: what the customer agrees to with their PIN. */
function paymentSummary(payment: Payment, merchant: Merchant, lang: Lang, mode: SummaryMode = 'pending'): SafeHtml {
  const pending = mode === 'pending';
  return html`${pending && html`${TEXT.lead(merchant.name, maskPhone(payment.phone))[lang]}
`}<div class="table-wrap">
<table class="table">
<caption>${TEXT.details[lang]}</caption>
<tbody>
<tr><th scope="row">${TEXT.merchant[lang]}</th><td>${merchant.name}</td></tr>
<tr><th scope="row">${TEXT.description[lang]}</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">${TEXT.orderNumber[lang]}</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">${TEXT.amount[lang]}</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, pending ? TEXT.payWith[lang] : TEXT.method[lang])}
<tr><th scope="row">${TEXT.account[lang]}</th><td>${maskPhone(payment.phone)}</td></tr>
${pending && html`<tr><th scope="row">${TEXT.confirmBefore[lang]}</th><td>${formatJakartaDateTime(new Date(payment.expiresAt)).slice(0, 16)} WIB</td></tr>`}
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

function receipt(payment: Payment, merchant: Merchant, lang: Lang): SafeHtml {
  return html`<div class="table-wrap">
<table class="table">
<caption>${TEXT.receipt[lang]}</caption>
<tbody>
<tr><th scope="row">${TEXT.trxId[lang]}</th><td class="mono">${payment.trxId}</td></tr>
<tr><th scope="row">${TEXT.merchant[lang]}</th><td>${merchant.name}</td></tr>
<tr><th scope="row">${TEXT.description[lang]}</th><td>${payment.billDesc}</td></tr>
<tr><th scope="row">${TEXT.orderNumber[lang]}</th><td class="mono">${payment.billNo}</td></tr>
<tr><th scope="row">${TEXT.amount[lang]}</th><td><strong>${rupiah(payment.amount)}</strong></td></tr>
${splitRow(payment, TEXT.paidWith[lang])}
<tr><th scope="row">${TEXT.account[lang]}</th><td>${maskPhone(payment.phone)}</td></tr>
<tr><th scope="row">${TEXT.paidAt[lang]}</th><td>${formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt))} WIB</td></tr>
</tbody>
</table>
</div>`;
}
