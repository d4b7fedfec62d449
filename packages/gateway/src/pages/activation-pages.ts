// The hosted activation page (spec §4.1): OTP, then PIN, then a result that sends the browser back to the
// merchant. Plain HTML forms: it works without JavaScript. Each POST answers 303 to the page (so a reload
// never resubmits), or re-renders the step with a message after a wrong entry.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { LinkSession } from '../domain/link-session.ts';
import type { Merchant } from '../domain/merchant.ts';
import {
  cancelSession, openSession, resendOtp, submitOtp, submitPin, type SessionView, type StepOutcome,
} from '../services/linking.ts';
import { html, type SafeHtml } from './html.ts';
import { button, field, hiddenField, notice, renderPage } from './layout.ts';
import { cookieHeader, formFields, readCookie } from './request-helpers.ts';

const COOKIE = 'ovo_activation';
const RETURN_DELAY_S = 3;

type Params = { Params: { id: string } };

export function registerActivationPages(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<Params>('/activation/:id', async (request, reply) => {
    const view = await openSession(ctx, request.params.id, readCookie(request, COOKIE));
    if (view === 'not_found') return problemPage(reply, 404, 'Activation not found', 'This activation link is not valid. Start again from the shop.');
    if (view === 'other_browser') return problemPage(reply, 403, 'Link opened elsewhere', 'This activation link is already in use in another browser. Start again from the shop.');
    if (view.newBrowserKey) {
      reply.header('set-cookie', cookieHeader(COOKIE, view.newBrowserKey, {
        path: `/activation/${request.params.id}`, maxAgeS: ctx.config.link_session_ttl_s, secure: ctx.config.publicUrl.startsWith('https:'),
      }));
    }
    return sendPage(reply, 200, ctx, view);
  });

  const step = (path: string, run: (input: { id: string; browserKey: string | undefined; csrfToken: string | undefined; form: Record<string, string> }) => Promise<StepOutcome>) =>
    app.post<Params>(`/activation/:id/${path}`, async (request, reply) => {
      const form = formFields(request);
      const outcome = await run({ id: request.params.id, browserKey: readCookie(request, COOKIE), csrfToken: form.csrf_token, form });
      return answerStep(ctx, request, reply, outcome);
    });
  step('otp', (input) => submitOtp(ctx, { ...input, otp: (input.form.otp ?? '').trim() }));
  step('resend', (input) => resendOtp(ctx, input));
  step('pin', (input) => submitPin(ctx, { ...input, pin: input.form.pin ?? '' }));
  step('cancel', (input) => cancelSession(ctx, input));
}

async function answerStep(ctx: GatewayContext, request: FastifyRequest<Params>, reply: FastifyReply, outcome: StepOutcome) {
  const pageUrl = `/activation/${encodeURIComponent(request.params.id)}`;
  if (outcome.kind === 'forbidden') {
    return problemPage(reply, 403, 'Request refused', 'This form has expired or was sent from another browser. Start again from the shop.');
  }
  if (outcome.kind === 'retry') {
    const view = await openSession(ctx, request.params.id, readCookie(request, COOKIE));
    if (typeof view === 'string') return problemPage(reply, 403, 'Request refused', 'Start again from the shop.');
    return sendPage(reply, outcome.info ? 200 : 422, ctx, { ...view, flash: outcome.message, flashKind: outcome.info ? 'info' : 'error' });
  }
  return reply.status(303).header('location', pageUrl).send();
}

function sendPage(reply: FastifyReply, status: number, ctx: GatewayContext, view: SessionView) {
  return reply.status(status).type('text/html; charset=utf-8').send(renderActivation(ctx, view));
}

function problemPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.status(status).type('text/html; charset=utf-8')
    .send(renderPage({ title, lang: 'en', heading: title, body: notice('error', message) }));
}

export function renderActivation(ctx: GatewayContext, view: SessionView): string {
  const { session, merchant } = view;
  const masked = maskPhone(session.phone);
  const action = (step: string) => `/activation/${encodeURIComponent(session.id)}/${step}`;
  const flash = view.flash ? notice(view.flashKind ?? 'error', view.flash) : '';
  const intro = html`<p class="lead"><strong>${merchant.name}</strong> wants to link your OVO account <strong>${masked}</strong> for faster payments.</p>`;
  switch (session.state) {
    case 'otp':
      return renderPage({
        title: 'Verify your phone', lang: 'en', heading: 'Link your OVO account',
        body: html`${intro}${flash}
<form method="post" action="${action('otp')}" class="form">
${hiddenField('csrf_token', session.csrfToken)}
${field({ id: 'otp', name: 'otp', label: 'Verification code', hint: `We sent a 6-digit code by SMS to ${masked}.`, type: 'text',
          inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button('Verify code')}
</form>
${secondaryForm(action('resend'), session.csrfToken, 'Send a new code')}
${sandboxHint(ctx, session)}
${cancelForm(action('cancel'), session.csrfToken)}`,
      });
    case 'pin':
      return renderPage({
        title: 'Enter your PIN', lang: 'en', heading: 'Enter your OVO PIN',
        body: html`${intro}${flash}
<form method="post" action="${action('pin')}" class="form">
${hiddenField('csrf_token', session.csrfToken)}
${field({ id: 'pin', name: 'pin', label: 'OVO PIN', hint: 'Your 6-digit OVO security code.', type: 'password',
          inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{6}', maxlength: 6, minlength: 6, required: true, autofocus: true, variant: 'pin' })}
${button('Link account')}
</form>
${cancelForm(action('cancel'), session.csrfToken)}`,
      });
    case 'linked':
      return resultPage(view, merchant, 'Account linked', notice('success', `Your OVO account ${masked} is now linked to ${merchant.name}.`));
    case 'failed':
      return resultPage(view, merchant, 'Linking failed', notice('error', `Your OVO account was not linked: ${session.resultDesc ?? 'failed'}.`));
  }
}

function resultPage(view: SessionView, merchant: Merchant, heading: string, message: SafeHtml): string {
  const back = view.returnUrl;
  return renderPage({
    title: heading, lang: 'en', heading,
    body: html`${message}${back ? '' : html`<p>You can close this page and return to ${merchant.name}.</p>`}`,
    refreshTo: back ? { url: back, seconds: RETURN_DELAY_S } : undefined,
  });
}

function secondaryForm(action: string, csrf: string, label: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button(label, { variant: 'secondary' })}</form>`;
}

function cancelForm(action: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${action}" class="form form--inline">${hiddenField('csrf_token', csrf)}${button('Cancel', { variant: 'danger' })}</form>`;
}

function sandboxHint(ctx: GatewayContext, session: LinkSession): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(session.phone)}`;
  return notice('info', html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`);
}
