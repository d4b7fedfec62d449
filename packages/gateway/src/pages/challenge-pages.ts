// The routes and form parts every challenge page shares (activation, payment, and the wallet app's forms):
// a GET that binds the first browser by a cookie and shows the current step, and one POST per step, each
// answered 303 back to the page (so a reload never resubmits), or the step again with its message (422 for
// an error, 200 for information), or 403 for a form from elsewhere.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { StepOutcome } from '../domain/challenge.ts';
import { localized, type Lang, type Localized } from '../domain/localized.ts';
import {
  cancelChallenge, openChallenge, requestNewCode, submitCode, submitPin, type ChallengeFlow, type Opened, type StepRequest,
} from '../services/challenge-flow.ts';
import { html, type SafeHtml } from './html.ts';
import { button, field, hiddenField, notice, renderPage, type ButtonVariant, type NoticeKind, type PageLocale } from './layout.ts';
import { langSwitch, requestLang } from './page-language.ts';
import { tokenOrUndefined } from './input-shapes.ts';
import { cookieHeader, formFields, readTokenCookie } from './request-helpers.ts';

/** A one-line message shown above a step's form. */
export interface Flash {
  kind: NoticeKind;
  text: Localized;
}

/** What one challenge page is: where it lives, its cookie, its flow, how it draws a step, and its own refusals. */
export interface StepPage<S> {
  basePath: string;
  /** The name of the address's secret in the route pattern (what logs and metrics show instead of the secret). */
  param: 'id' | 'token';
  cookie: string;
  /** How long the binding cookie lives (it may outlive the challenge, so a receipt can be reloaded). */
  cookieMaxAgeS(ctx: GatewayContext): number;
  flow: ChallengeFlow<S>;
  render(ctx: GatewayContext, opened: Opened<S>, locale: PageLocale, flash?: Flash): string;
  /**
   * A page of this kind that has no challenge (a pinless payment's receipt): its HTML for `id`, or undefined
   * when `id` is no such page. Looked at before the challenges; nothing on it can be posted.
   */
  withoutChallenge?(ctx: GatewayContext, id: string, locale: PageLocale): Promise<string | undefined>;
  text: { notFoundTitle: Localized; notFound: Localized; otherBrowser: Localized };
}

const TEXT = {
  otherBrowserTitle: localized('Link opened elsewhere', 'Link dibuka di tempat lain'),
  refusedTitle: localized('Request refused', 'Permintaan ditolak'),
  refused: localized('This form has expired or was sent from another browser. Start again from the shop.',
    'Formulir ini sudah kedaluwarsa atau dikirim dari browser lain. Mulai lagi dari toko.'),
  startAgain: localized('Start again from the shop.', 'Mulai lagi dari toko.'),
  sandboxInbox: (inbox: string) => localized(html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`,
    html`Mode sandbox: SMS tidak dikirim. Lihat kodenya di <a href="${inbox}">kotak masuk sandbox</a>.`),
} as const;

type Params = { Params: Record<string, string> };

export function registerStepRoutes<S>(app: FastifyInstance, ctx: GatewayContext, page: StepPage<S>): void {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const pagePath = (id: string) => `${page.basePath}/${encodeURIComponent(id)}`;
  const idOf = (request: FastifyRequest<Params>) => request.params[page.param] ?? '';
  const localeOf = (request: FastifyRequest<Params>, reply: FastifyReply): PageLocale => {
    const lang = requestLang(request, reply, secure);
    return { lang, langSwitch: langSwitch(request, lang, pagePath(idOf(request))) };
  };
  const problem = (reply: FastifyReply, status: number, locale: PageLocale, title: Localized, message: Localized) =>
    reply.status(status).type('text/html; charset=utf-8')
      .send(renderPage({ title: title[locale.lang], ...locale, heading: title[locale.lang], body: notice('error', message[locale.lang]) }));
  const show = (reply: FastifyReply, status: number, opened: Opened<S>, locale: PageLocale, flash?: Flash) =>
    reply.status(status).type('text/html; charset=utf-8').send(page.render(ctx, opened, locale, flash));

  // No automatic HEAD route: a link-preview HEAD must not bind the challenge to a robot or send an SMS.
  app.get<Params>(`${page.basePath}/:${page.param}`, { exposeHeadRoute: false }, async (request, reply) => {
    const locale = localeOf(request, reply);
    const id = tokenOrUndefined(idOf(request));
    const withoutChallenge = id === undefined ? undefined : await page.withoutChallenge?.(ctx, id, locale);
    if (withoutChallenge !== undefined) return reply.status(200).type('text/html; charset=utf-8').send(withoutChallenge);
    const opened = id === undefined ? 'not_found' : await openChallenge(ctx, page.flow, id, readTokenCookie(request, page.cookie));
    if (opened === 'not_found') return problem(reply, 404, locale, page.text.notFoundTitle, page.text.notFound);
    if (opened === 'other_browser') return problem(reply, 403, locale, TEXT.otherBrowserTitle, page.text.otherBrowser);
    if (opened.newBrowserKey) {
      reply.header('set-cookie', cookieHeader(page.cookie, opened.newBrowserKey, {
        path: pagePath(idOf(request)), maxAgeS: page.cookieMaxAgeS(ctx), secure,
      }));
    }
    return show(reply, 200, opened, locale);
  });

  const answer = async (request: FastifyRequest<Params>, reply: FastifyReply, outcome: StepOutcome) => {
    if (outcome.kind !== 'forbidden' && outcome.kind !== 'retry') return reply.status(303).header('location', pagePath(idOf(request))).send();
    const locale = localeOf(request, reply);
    if (outcome.kind === 'forbidden') return problem(reply, 403, locale, TEXT.refusedTitle, TEXT.refused);
    const opened = await openChallenge(ctx, page.flow, idOf(request), readTokenCookie(request, page.cookie));
    if (typeof opened === 'string') return problem(reply, 403, locale, TEXT.refusedTitle, TEXT.startAgain);
    return show(reply, outcome.tone === 'info' ? 200 : 422, opened, locale, { kind: outcome.tone, text: outcome.message });
  };
  const step = (name: string, run: (request: StepRequest, form: Record<string, string>) => Promise<StepOutcome>) =>
    app.post<Params>(`${page.basePath}/:${page.param}/${name}`, async (request, reply) => {
      const id = tokenOrUndefined(idOf(request));
      // An id that cannot exist is refused like an unknown one, without a query.
      if (id === undefined) return answer(request, reply, { kind: 'forbidden' });
      const form = formFields(request);
      const outcome = await run({ id, browserKey: readTokenCookie(request, page.cookie), csrfToken: tokenOrUndefined(form.csrf_token) }, form);
      return answer(request, reply, outcome);
    });
  step('otp', (request, form) => submitCode(ctx, page.flow, { ...request, otp: form.otp ?? '' }));
  step('resend', (request) => requestNewCode(ctx, page.flow, request));
  step('pin', (request, form) => submitPin(ctx, page.flow, { ...request, pin: form.pin ?? '' }));
  step('cancel', (request) => cancelChallenge(ctx, page.flow, request));
}

// ——— form parts ———

export function flashNotice(flash: Flash | undefined, lang: Lang): SafeHtml | '' {
  return flash ? notice(flash.kind, flash.text[lang]) : '';
}

export function postForm(action: string, csrf: string, content: SafeHtml, className = 'form'): SafeHtml {
  return html`<form method="post" action="${action}" class="${className}">
${hiddenField('csrf_token', csrf)}
${content}
</form>`;
}

export function inlineButtonForm(action: string, csrf: string, label: string, variant: ButtonVariant = 'secondary'): SafeHtml {
  return postForm(action, csrf, button(label, { variant }), 'form form--inline');
}

/** The 6-digit code or PIN field. */
export function secretField(name: 'otp' | 'pin', label: string, error: string | undefined, hint?: string): SafeHtml {
  return field({
    id: name, name, label, type: name === 'pin' ? 'password' : 'text', inputmode: 'numeric',
    autocomplete: name === 'pin' ? 'off' : 'one-time-code',
    pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error, hint,
  });
}

/** In sandbox mode, where the code can be read instead of an SMS. */
export function sandboxInboxHint(ctx: GatewayContext, phone: string, lang: Lang): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  return notice('info', TEXT.sandboxInbox(`/sandbox/inbox?phone_no=${encodeURIComponent(phone)}`)[lang]);
}

/** The code step's forms: the code, "send a new code", and in sandbox mode where to read it. */
export function codeStepForms(ctx: GatewayContext, o: {
  lang: Lang; action: (step: string) => string; csrf: string; phone: string; label: string; hint: string; verify: string; resend: string;
}): SafeHtml {
  return html`${postForm(o.action('otp'), o.csrf, html`${secretField('otp', o.label, undefined, o.hint)}
${button(o.verify)}`)}
${inlineButtonForm(o.action('resend'), o.csrf, o.resend)}
${sandboxInboxHint(ctx, o.phone, o.lang)}`;
}

/** The PIN step's form. */
export function pinStepForm(o: { action: (step: string) => string; csrf: string; label: string; hint: string; submit: string }): SafeHtml {
  return postForm(o.action('pin'), o.csrf, html`${secretField('pin', o.label, undefined, o.hint)}
${button(o.submit)}`);
}
