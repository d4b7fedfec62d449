// The hosted activation page (spec §4.1): OTP, then PIN, then a result that sends the browser back to the
// merchant. Plain HTML forms: it works without JavaScript. Each POST answers 303 to the page (so a reload
// never resubmits), or re-renders the step with a message after a wrong entry. In Bahasa Indonesia or
// English, as page-language.ts picks per request.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { linkFailureText, type LinkSession } from '../domain/link-session.ts';
import type { Merchant } from '../domain/merchant.ts';
import {
  cancelSession, openSession, resendOtp, submitOtp, submitPin, type SessionView, type StepOutcome,
} from '../services/linking.ts';
import { html, type SafeHtml } from './html.ts';
import { RETURN_DELAY_S, button, field, hiddenField, notice, renderPage, type PageLang } from './layout.ts';
import { langSwitch, requestLang } from './page-language.ts';
import { tokenOrUndefined } from './input-shapes.ts';
import { cookieHeader, formFields, readTokenCookie } from './request-helpers.ts';

const COOKIE = 'ovo_activation';

const TEXT = {
  en: {
    notFoundTitle: 'Activation not found',
    notFound: 'This activation link is not valid. Start again from the shop.',
    otherBrowserTitle: 'Link opened elsewhere',
    otherBrowser: 'This activation link is already in use in another browser. Start again from the shop.',
    refusedTitle: 'Request refused',
    refused: 'This form has expired or was sent from another browser. Start again from the shop.',
    startAgain: 'Start again from the shop.',
    intro: (merchant: string, masked: string) => html`<p class="lead"><strong>${merchant}</strong> wants to link your OVO account <strong>${masked}</strong> for faster payments.</p>`,
    otpTitle: 'Verify your phone',
    otpHeading: 'Link your OVO account',
    otpLabel: 'Verification code',
    otpHint: (masked: string) => `We sent a 6-digit code by SMS to ${masked}.`,
    verify: 'Verify code',
    resend: 'Send a new code',
    pinTitle: 'Enter your PIN',
    pinHeading: 'Enter your OVO PIN',
    pinLabel: 'OVO PIN',
    pinHint: 'Your 6-digit OVO security code.',
    link: 'Link account',
    cancel: 'Cancel',
    linkedHeading: 'Account linked',
    linked: (masked: string, merchant: string) => `Your OVO account ${masked} is now linked to ${merchant}.`,
    failedHeading: 'Linking failed',
    failed: (reason: string) => `Your OVO account was not linked: ${reason}.`,
    failedDefault: 'failed',
    close: (merchant: string) => html`<p>You can close this page and return to ${merchant}.</p>`,
    sandbox: (inbox: string) => html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`,
  },
  id: {
    notFoundTitle: 'Aktivasi tidak ditemukan',
    notFound: 'Link aktivasi ini tidak valid. Mulai lagi dari toko.',
    otherBrowserTitle: 'Link dibuka di tempat lain',
    otherBrowser: 'Link aktivasi ini sudah dipakai di browser lain. Mulai lagi dari toko.',
    refusedTitle: 'Permintaan ditolak',
    refused: 'Formulir ini sudah kedaluwarsa atau dikirim dari browser lain. Mulai lagi dari toko.',
    startAgain: 'Mulai lagi dari toko.',
    intro: (merchant: string, masked: string) => html`<p class="lead"><strong>${merchant}</strong> ingin menautkan akun OVO kamu <strong>${masked}</strong> agar pembayaran lebih cepat.</p>`,
    otpTitle: 'Verifikasi nomor ponsel',
    otpHeading: 'Tautkan akun OVO',
    otpLabel: 'Kode verifikasi',
    otpHint: (masked: string) => `Kami telah mengirim 6 digit kode verifikasi lewat SMS ke ${masked}.`,
    verify: 'Verifikasi kode',
    resend: 'Kirim kode baru',
    pinTitle: 'Masukkan PIN',
    pinHeading: 'Masukkan PIN OVO kamu',
    pinLabel: 'PIN OVO',
    pinHint: '6 digit kode keamanan OVO kamu.',
    link: 'Tautkan akun',
    cancel: 'Batal',
    linkedHeading: 'Akun berhasil ditautkan',
    linked: (masked: string, merchant: string) => `Akun OVO kamu ${masked} sekarang sudah tertaut ke ${merchant}.`,
    failedHeading: 'Gagal menautkan akun',
    failed: (reason: string) => `Akun OVO kamu tidak ditautkan: ${reason}.`,
    failedDefault: 'gagal',
    close: (merchant: string) => html`<p>Kamu bisa menutup halaman ini dan kembali ke ${merchant}.</p>`,
    sandbox: (inbox: string) => html`Mode sandbox: SMS tidak dikirim. Lihat kodenya di <a href="${inbox}">kotak masuk sandbox</a>.`,
  },
} as const;

type Text = (typeof TEXT)[PageLang];

/** The page's language and its header link to the other one. */
export interface PageLocale {
  readonly lang: PageLang;
  readonly langSwitch?: { readonly href: string };
}

type Params = { Params: { id: string } };

export function registerActivationPages(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<Params>('/activation/:id', async (request, reply) => {
    const locale = localeOf(ctx, request, reply);
    const t = TEXT[locale.lang];
    const id = tokenOrUndefined(request.params.id);
    const view = id === undefined ? 'not_found' : await openSession(ctx, id, readTokenCookie(request, COOKIE));
    if (view === 'not_found') return problemPage(reply, 404, locale, t.notFoundTitle, t.notFound);
    if (view === 'other_browser') return problemPage(reply, 403, locale, t.otherBrowserTitle, t.otherBrowser);
    if (view.newBrowserKey) {
      reply.header('set-cookie', cookieHeader(COOKIE, view.newBrowserKey, {
        path: `/activation/${request.params.id}`, maxAgeS: ctx.config.link_session_ttl_s, secure: ctx.config.publicUrl.startsWith('https:'),
      }));
    }
    return sendPage(reply, 200, ctx, view, locale);
  });

  const step = (path: string, run: (input: { id: string; browserKey: string | undefined; csrfToken: string | undefined; form: Record<string, string> }) => Promise<StepOutcome>) =>
    app.post<Params>(`/activation/:id/${path}`, async (request, reply) => {
      const id = tokenOrUndefined(request.params.id);
      // A session id that cannot exist is refused like an unknown one, without a query.
      if (id === undefined) return answerStep(ctx, request, reply, { kind: 'forbidden' });
      const form = formFields(request);
      const outcome = await run({ id, browserKey: readTokenCookie(request, COOKIE), csrfToken: tokenOrUndefined(form.csrf_token), form });
      return answerStep(ctx, request, reply, outcome);
    });
  step('otp', (input) => submitOtp(ctx, { ...input, otp: (input.form.otp ?? '').trim() }));
  step('resend', (input) => resendOtp(ctx, input));
  step('pin', (input) => submitPin(ctx, { ...input, pin: input.form.pin ?? '' }));
  step('cancel', (input) => cancelSession(ctx, input));
}

function pagePath(id: string): string {
  return `/activation/${encodeURIComponent(id)}`;
}

function localeOf(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply): PageLocale {
  const lang = requestLang(request, reply, ctx.config.publicUrl.startsWith('https:'));
  return { lang, langSwitch: langSwitch(request, lang, pagePath(request.params.id)) };
}

async function answerStep(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply, outcome: StepOutcome) {
  if (outcome.kind === 'forbidden' || outcome.kind === 'retry') {
    const locale = localeOf(ctx, request, reply);
    const t = TEXT[locale.lang];
    if (outcome.kind === 'forbidden') return problemPage(reply, 403, locale, t.refusedTitle, t.refused);
    const view = await openSession(ctx, request.params.id, readTokenCookie(request, COOKIE));
    if (typeof view === 'string') return problemPage(reply, 403, locale, t.refusedTitle, t.startAgain);
    return sendPage(reply, outcome.info ? 200 : 422, ctx, { ...view, flash: outcome.message, flashKind: outcome.info ? 'info' : 'error' }, locale);
  }
  return reply.status(303).header('location', pagePath(request.params.id)).send();
}

function sendPage(reply: FastifyReply, status: number, ctx: GatewayContext, view: SessionView, locale: PageLocale) {
  return reply.status(status).type('text/html; charset=utf-8').send(renderActivation(ctx, view, locale));
}

function problemPage(reply: FastifyReply, status: number, locale: PageLocale, title: string, message: string) {
  return reply.status(status).type('text/html; charset=utf-8')
    .send(renderPage({ title, ...locale, heading: title, body: notice('error', message) }));
}

export function renderActivation(ctx: GatewayContext, view: SessionView, locale: PageLocale = { lang: 'en' }): string {
  const { session, merchant } = view;
  const t = TEXT[locale.lang];
  const masked = maskPhone(session.phone);
  const action = (step: string) => `/activation/${encodeURIComponent(session.id)}/${step}`;
  const flash = view.flash ? notice(view.flashKind ?? 'error', view.flash[locale.lang]) : '';
  const intro = t.intro(merchant.name, masked);
  switch (session.state) {
    case 'otp':
      return renderPage({
        title: t.otpTitle, ...locale, heading: t.otpHeading,
        body: html`${intro}${flash}
<form method="post" action="${action('otp')}" class="form">
${hiddenField('csrf_token', session.csrfToken)}
${field({ id: 'otp', name: 'otp', label: t.otpLabel, hint: t.otpHint(masked), type: 'text',
          inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button(t.verify)}
</form>
${secondaryForm(action('resend'), session.csrfToken, t.resend)}
${sandboxHint(ctx, session, t)}
${cancelForm(action('cancel'), session.csrfToken, t)}`,
      });
    case 'pin':
      return renderPage({
        title: t.pinTitle, ...locale, heading: t.pinHeading,
        body: html`${intro}${flash}
<form method="post" action="${action('pin')}" class="form">
${hiddenField('csrf_token', session.csrfToken)}
${field({ id: 'pin', name: 'pin', label: t.pinLabel, hint: t.pinHint, type: 'password',
          inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button(t.link)}
</form>
${cancelForm(action('cancel'), session.csrfToken, t)}`,
      });
    case 'linked':
      return resultPage(view, merchant, locale, t.linkedHeading, notice('success', t.linked(masked, merchant.name)));
    case 'failed': {
      const reason = session.resultDesc ? linkFailureText(session.resultDesc)[locale.lang] : t.failedDefault;
      return resultPage(view, merchant, locale, t.failedHeading, notice('error', t.failed(reason)));
    }
  }
}

function resultPage(view: SessionView, merchant: Merchant, locale: PageLocale, heading: string, message: SafeHtml): string {
  const back = view.returnUrl;
  return renderPage({
    title: heading, ...locale, heading,
    body: html`${message}${back ? '' : TEXT[locale.lang].close(merchant.name)}`,
    refreshTo: back ? { url: back, seconds: RETURN_DELAY_S } : undefined,
  });
}

function secondaryForm(action: string, csrf: string, label: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(label, { variant: 'secondary' })}</form>`;
}

function cancelForm(action: string, csrf: string, t: Text): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(t.cancel, { variant: 'danger' })}</form>`;
}

function sandboxHint(ctx: GatewayContext, session: LinkSession, t: Text): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(session.phone)}`;
  return notice('info', t.sandbox(inbox));
}
