// The customer wallet app at /wallet, standing in for the OVO mobile app (spec §4.4: the customer unlinks
// shops and changes the phone number here). Every state change is a POST answered with 303 back to a page,
// so a reload never resubmits; a wrong entry re-renders the form (422) with the reason.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { StepOutcome } from '../domain/challenge.ts';
import { decodeLocalized, type Localized } from '../domain/localized.ts';
import {
  cancelPhoneChange, confirmPhoneChange, linkedMerchants, resendPhoneChangeCode, sandboxTopUp, startPhoneChange,
  submitPhoneChangeCode, unlinkMerchant, walletOverview,
} from '../services/wallet-app.ts';
import { parseRupiahInput } from '../services/wallet-app-format.ts';
import {
  WALLET_APP_LIMITS, cancelSignIn, currentView, newSignInNonce, requireSignedIn, resendSignInCode, signInCsrfToken,
  signOut, startSignIn, submitSignInCode, submitSignInPin, type SignedIn,
} from '../services/wallet-app-session.ts';
import { takeFlash, type WalletSession } from '../store/wallet-sessions.ts';
import { langSwitch, requestLang } from './page-language.ts';
import { cursorOrUndefined, tokenOrUndefined } from './input-shapes.ts';
import { cookieHeader, formFields, readTokenCookie } from './request-helpers.ts';
import {
  WALLET_PATHS, renderHome, renderMerchants, renderPhone, renderSignIn, renderSignInCode, renderSignInPin, renderTopUp,
  renderWalletRefused, type Message, type PageLocale,
} from './wallet-app-views.ts';

/** The session token (HttpOnly, SameSite=Lax, Path=/wallet). */
export const WALLET_COOKIE = 'ovo_wallet';
/** A random value the sign-in form's CSRF token is derived from, before any session exists. */
export const SIGN_IN_COOKIE = 'ovo_wallet_signin';

const HTML = 'text/html; charset=utf-8';

type Form = Record<string, string>;

/** The GET page a POST belongs to: where its language switch link goes. */
function pageOf(path: string): string {
  for (const page of [WALLET_PATHS.merchants, WALLET_PATHS.phone, WALLET_PATHS.topUp]) {
    if (path === page || path.startsWith(`${page}/`)) return page;
  }
  return WALLET_PATHS.home;
}

/** A flash as stored in the session (both languages, see encodeLocalized). */
function storedMessage(flash: WalletSession['flash']): Message {
  return flash ? { kind: flash.kind, text: decodeLocalized(flash.text) } : null;
}

export function registerWalletApp(app: FastifyInstance, ctx: GatewayContext): void {
  const secure = () => ctx.config.publicUrl.startsWith('https:');
  const sessionCookie = (token: string) => cookieHeader(WALLET_COOKIE, token, { path: WALLET_PATHS.home, maxAgeS: WALLET_APP_LIMITS.session_absolute_s, secure: secure() });
  const clearSessionCookie = () => cookieHeader(WALLET_COOKIE, '', { path: WALLET_PATHS.home, maxAgeS: 0, secure: secure() });
  const token = (request: FastifyRequest) => readTokenCookie(request, WALLET_COOKIE);
  const csrfOf = (form: Form) => tokenOrUndefined(form.csrf_token);
  const localeOf = (request: FastifyRequest, reply: FastifyReply): PageLocale => {
    const lang = requestLang(request, reply, secure());
    return { lang, langSwitch: langSwitch(request, lang, pageOf(request.url.split('?')[0] ?? WALLET_PATHS.home)) };
  };

  /** The phone form, with its double-submit CSRF cookie (set here when the browser has none yet). */
  const signInPage = (request: FastifyRequest, reply: FastifyReply, status: number,
    opts: { clearCookie?: boolean; notice?: Message; phone?: string; error?: Localized }) => {
    const locale = localeOf(request, reply);
    const cookies: string[] = [];
    let nonce = readTokenCookie(request, SIGN_IN_COOKIE);
    if (nonce === undefined) {
      nonce = newSignInNonce(ctx);
      cookies.push(cookieHeader(SIGN_IN_COOKIE, nonce, { path: WALLET_PATHS.home, maxAgeS: 24 * 60 * 60, secure: secure() }));
    }
    if (opts.clearCookie) cookies.push(clearSessionCookie());
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    return reply.status(status).type(HTML).send(renderSignIn(ctx, locale, { csrf: signInCsrfToken(ctx, nonce), ...opts }));
  };

  const refused = (request: FastifyRequest, reply: FastifyReply) => reply.status(403).type(HTML)
    .send(renderWalletRefused(localeOf(request, reply)));
  const seeOther = (reply: FastifyReply, location: string) => reply.status(303).header('location', location).send();

  /** Non-retry outcomes: redirect (setting a new session cookie when there is one) or refuse. */
  const settle = (request: FastifyRequest, reply: FastifyReply, step: Exclude<StepOutcome, { kind: 'retry' }>, target: string) => {
    switch (step.kind) {
      case 'forbidden': return refused(request, reply);
      case 'finished': return seeOther(reply, WALLET_PATHS.home);
      case 'new_token': reply.header('set-cookie', sessionCookie(step.token)); return seeOther(reply, WALLET_PATHS.home);
      case 'ok': return seeOther(reply, target);
    }
  };

  app.get<{ Querystring: { before?: string } }>(WALLET_PATHS.home, async (request, reply) => {
    const view = await currentView(ctx, token(request));
    if (view.kind === 'signed_out') return signInPage(request, reply, 200, { clearCookie: view.clearCookie, notice: view.notice });
    const locale = localeOf(request, reply);
    if (view.kind === 'signing_in') {
      const page = view.session.challenge.step === 'pin' ? renderSignInPin(ctx, locale, view.session) : renderSignInCode(ctx, locale, view.session);
      return reply.type(HTML).send(page);
    }
    const flash = storedMessage(await takeFlash(ctx.database.db, view.session));
    const before = cursorOrUndefined(request.query.before);
    const overview = await walletOverview(ctx, view.wallet, before);
    return reply.type(HTML).send(renderHome({ ctx, ...view, locale }, overview, { flash, olderPage: before !== undefined }));
  });

  // ——— signing in ———

  app.post(WALLET_PATHS.signIn, async (request, reply) => {
    const form = formFields(request);
    const step = await startSignIn(ctx, {
      nonce: readTokenCookie(request, SIGN_IN_COOKIE), csrfToken: csrfOf(form), phone: form.phone ?? '', currentToken: token(request),
    });
    if (step.kind === 'retry') return signInPage(request, reply, 422, { phone: step.value, error: step.message });
    return settle(request, reply, step, WALLET_PATHS.home);
  });

  const signInStep = (path: string, run: (input: { token: string | undefined; csrfToken: string | undefined }, form: Form) => Promise<StepOutcome>) =>
    app.post(path, async (request, reply) => {
      const form = formFields(request);
      const step = await run({ token: token(request), csrfToken: csrfOf(form) }, form);
      if (step.kind !== 'retry') return settle(request, reply, step, WALLET_PATHS.home);
      const view = await currentView(ctx, token(request));
      if (view.kind !== 'signing_in') return seeOther(reply, WALLET_PATHS.home);
      const locale = localeOf(request, reply);
      const m: Message = { kind: step.tone, text: step.message };
      const page = view.session.challenge.step === 'pin' ? renderSignInPin(ctx, locale, view.session, m) : renderSignInCode(ctx, locale, view.session, m);
      return reply.status(step.tone === 'info' ? 200 : 422).type(HTML).send(page);
    });
  signInStep(WALLET_PATHS.signInCode, (input, form) => submitSignInCode(ctx, { ...input, otp: form.otp ?? '' }));
  signInStep(WALLET_PATHS.signInResend, (input) => resendSignInCode(ctx, input));
  signInStep(WALLET_PATHS.signInPin, (input, form) => submitSignInPin(ctx, { ...input, pin: form.pin ?? '' }));
  signInStep(WALLET_PATHS.signInCancel, (input) => cancelSignIn(ctx, input));
  signInStep(WALLET_PATHS.signOut, (input) => signOut(ctx, input));

  // ——— signed in ———

  type Page = { ctx: GatewayContext; locale: PageLocale } & SignedIn;

  const page = (path: string, render: (p: Page, flash: Message) => Promise<string> | string) =>
    app.get(path, async (request, reply) => {
      const view = await currentView(ctx, token(request));
      if (view.kind !== 'signed_in') return seeOther(reply, WALLET_PATHS.home);
      const flash = storedMessage(await takeFlash(ctx.database.db, view.session));
      return reply.type(HTML).send(await render({ ctx, session: view.session, wallet: view.wallet, locale: localeOf(request, reply) }, flash));
    });

  /** A signed-in form: live session + its CSRF token, then `run`; a retry re-renders `retryPage` with the reason. */
  const action = (path: string, target: string, run: (auth: SignedIn, form: Form) => Promise<StepOutcome>,
    retryPage: (p: Page, step: Extract<StepOutcome, { kind: 'retry' }>, form: Form) => Promise<string> | string) =>
    app.post(path, async (request, reply) => {
      const form = formFields(request);
      const auth = await requireSignedIn(ctx, token(request), csrfOf(form));
      if (auth === 'forbidden') return refused(request, reply);
      if (auth === 'ended') return seeOther(reply, WALLET_PATHS.home);
      const step = await run(auth, form);
      if (step.kind !== 'retry') return settle(request, reply, step, target);
      const view = await currentView(ctx, token(request));
      if (view.kind !== 'signed_in') return seeOther(reply, WALLET_PATHS.home);
      return reply.status(step.tone === 'info' ? 200 : 422).type(HTML)
        .send(await retryPage({ ctx, session: view.session, wallet: view.wallet, locale: localeOf(request, reply) }, step, form));
    });

  page(WALLET_PATHS.merchants, async (p, flash) => renderMerchants(p, await linkedMerchants(ctx, p.wallet), flash));
  action(WALLET_PATHS.unlink, WALLET_PATHS.merchants, (auth, form) => unlinkMerchant(ctx, auth, form.merchant_id ?? ''),
    async (p, step) => renderMerchants(p, await linkedMerchants(ctx, p.wallet), { kind: 'error', text: step.message }));

  const phoneRetry = (p: Page, step: Extract<StepOutcome, { kind: 'retry' }>) => step.tone === 'info'
    ? renderPhone(p, { flash: { kind: 'info', text: step.message } })
    : renderPhone(p, { error: step.message, phone: step.value });
  page(WALLET_PATHS.phone, (p, flash) => renderPhone(p, { flash }));
  action(WALLET_PATHS.phone, WALLET_PATHS.phone, (auth, form) => startPhoneChange(ctx, auth, form.phone ?? ''), phoneRetry);
  action(WALLET_PATHS.phoneCode, WALLET_PATHS.phone, (auth, form) => submitPhoneChangeCode(ctx, auth, form.otp ?? ''), phoneRetry);
  action(WALLET_PATHS.phoneResend, WALLET_PATHS.phone, (auth) => resendPhoneChangeCode(ctx, auth), phoneRetry);
  action(WALLET_PATHS.phoneCancel, WALLET_PATHS.phone, (auth) => cancelPhoneChange(ctx, auth), phoneRetry);
  action(WALLET_PATHS.phonePin, WALLET_PATHS.phone, (auth, form) => confirmPhoneChange(ctx, auth, form.pin ?? ''), phoneRetry);

  if (ctx.config.sandbox) {
    page(WALLET_PATHS.topUp, (p, flash) => renderTopUp(p, { flash }));
    action(WALLET_PATHS.topUp, WALLET_PATHS.home, (auth, form) => sandboxTopUp(ctx, auth, parseRupiahInput(form.amount ?? '')),
      (p, step, form) => renderTopUp(p, { error: step.message, amount: step.value ?? form.amount }));
  }
}
