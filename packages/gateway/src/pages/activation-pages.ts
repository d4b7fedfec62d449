// The hosted activation page (spec §4.1): OTP, then PIN, then a result that sends the browser back to the
// merchant. Plain HTML forms: it works without JavaScript. The routes are every challenge page's
// (challenge-pages.ts); in Bahasa Indonesia or English, as page-language.ts picks per request.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { linkFailureText } from '../domain/link-session.ts';
import { localized, type Lang } from '../domain/localized.ts';
import type { Opened } from '../services/challenge-flow.ts';
import { ACTIVATION_FLOW, activationReturnUrl, type Activation } from '../services/linking.ts';
import { codeStepForms, flashNotice, inlineButtonForm, pinStepForm, registerStepRoutes, type Flash } from './challenge-pages.ts';
import { html, type SafeHtml } from './html.ts';
import { RETURN_DELAY_S, notice, renderPage, type PageLocale } from './layout.ts';

const TEXT = {
  notFoundTitle: localized('Activation not found', 'Aktivasi tidak ditemukan'),
  notFound: localized('This activation link is not valid. Start again from the shop.', 'Link aktivasi ini tidak valid. Mulai lagi dari toko.'),
  otherBrowser: localized('This activation link is already in use in another browser. Start again from the shop.',
    'Link aktivasi ini sudah dipakai di browser lain. Mulai lagi dari toko.'),
  intro: (merchant: string, masked: string) => localized(
    html`<p class="lead"><strong>${merchant}</strong> wants to link your OVO account <strong>${masked}</strong> for faster payments.</p>`,
    html`<p class="lead"><strong>${merchant}</strong> ingin menautkan akun OVO kamu <strong>${masked}</strong> agar pembayaran lebih cepat.</p>`),
  otpTitle: localized('Verify your phone', 'Verifikasi nomor ponsel'),
  otpHeading: localized('Link your OVO account', 'Tautkan akun OVO'),
  otpLabel: localized('Verification code', 'Kode verifikasi'),
  otpHint: (masked: string) => localized(`We sent a 6-digit code by SMS to ${masked}.`, `Kami telah mengirim 6 digit kode verifikasi lewat SMS ke ${masked}.`),
  verify: localized('Verify code', 'Verifikasi kode'),
  resend: localized('Send a new code', 'Kirim kode baru'),
  pinTitle: localized('Enter your PIN', 'Masukkan PIN'),
  pinHeading: localized('Enter your OVO PIN', 'Masukkan PIN OVO kamu'),
  pinLabel: localized('OVO PIN', 'PIN OVO'),
  pinHint: localized('Your 6-digit OVO security code.', '6 digit kode keamanan OVO kamu.'),
  link: localized('Link account', 'Tautkan akun'),
  cancel: localized('Cancel', 'Batal'),
  linkedHeading: localized('Account linked', 'Akun berhasil ditautkan'),
  linked: (masked: string, merchant: string) => localized(`Your OVO account ${masked} is now linked to ${merchant}.`,
    `Akun OVO kamu ${masked} sekarang sudah tertaut ke ${merchant}.`),
  failedHeading: localized('Linking failed', 'Gagal menautkan akun'),
  failed: (reason: string) => localized(`Your OVO account was not linked: ${reason}.`, `Akun OVO kamu tidak ditautkan: ${reason}.`),
  failedDefault: localized('failed', 'gagal'),
  close: (merchant: string) => localized(html`<p>You can close this page and return to ${merchant}.</p>`,
    html`<p>Kamu bisa menutup halaman ini dan kembali ke ${merchant}.</p>`),
} as const;

export function registerActivationPages(app: FastifyInstance, ctx: GatewayContext): void {
  registerStepRoutes(app, ctx, {
    basePath: '/activation',
    param: 'id',
    cookie: 'ovo_activation',
    cookieMaxAgeS: (c) => c.config.link_session_ttl_s,
    flow: ACTIVATION_FLOW,
    render: renderActivation,
    text: TEXT,
  });
}

/** The page for the session's current state: the challenge's step while open, else the result. */
export function renderActivation(ctx: GatewayContext, opened: Opened<Activation>, locale: PageLocale = { lang: 'en' }, flash?: Flash): string {
  const { challenge, subject: { session, merchant } } = opened;
  const { lang } = locale;
  const masked = maskPhone(session.phone);
  const action = (step: string) => `/activation/${encodeURIComponent(session.id)}/${step}`;
  const intro = html`${TEXT.intro(merchant.name, masked)[lang]}${flashNotice(flash, lang)}`;
  const cancel = inlineButtonForm(action('cancel'), challenge.csrfToken, TEXT.cancel[lang], 'danger');
  if (session.state === 'linked') return resultPage(opened, locale, TEXT.linkedHeading[lang], notice('success', TEXT.linked(masked, merchant.name)[lang]));
  if (session.state === 'failed') {
    const reason = session.resultDesc ? linkFailureText(session.resultDesc)[lang] : TEXT.failedDefault[lang];
    return resultPage(opened, locale, TEXT.failedHeading[lang], notice('error', TEXT.failed(reason)[lang]));
  }
  if (challenge.step === 'otp') {
    return renderPage({
      title: TEXT.otpTitle[lang], ...locale, heading: TEXT.otpHeading[lang],
      body: html`${intro}
${codeStepForms(ctx, {
        lang, action, csrf: challenge.csrfToken, phone: session.phone, label: TEXT.otpLabel[lang], hint: TEXT.otpHint(masked)[lang],
        verify: TEXT.verify[lang], resend: TEXT.resend[lang],
      })}
${cancel}`,
    });
  }
  return renderPage({
    title: TEXT.pinTitle[lang], ...locale, heading: TEXT.pinHeading[lang],
    body: html`${intro}
${pinStepForm({ action, csrf: challenge.csrfToken, label: TEXT.pinLabel[lang], hint: TEXT.pinHint[lang], submit: TEXT.link[lang] })}
${cancel}`,
  });
}

function resultPage(opened: Opened<Activation>, locale: PageLocale, heading: string, message: SafeHtml): string {
  const back = activationReturnUrl(opened.subject);
  return renderPage({
    title: heading, ...locale, heading,
    body: html`${message}${back ? '' : TEXT.close(opened.subject.merchant.name)[locale.lang]}`,
    refreshTo: back ? { url: back, seconds: RETURN_DELAY_S } : undefined,
  });
}

