// The one page shell every hosted page uses, and the small building blocks (card, notice, button, field)
// that keep markup conventions in one place. No inline style or script anywhere: the CSP forbids both, so
// all presentation lives in the stylesheets under /assets/ (app.css, and wallet-app.css on top for the wallet).
import { localized, otherLang, type Lang } from '../domain/localized.ts';
import { html, type HtmlValue, type SafeHtml } from './html.ts';

/** Reads a `lang` query value; anything but exactly `en` (including repeats) falls back to Indonesian. */
export function pageLang(value: unknown): Lang {
  return value === 'en' ? 'en' : 'id';
}

export const STYLESHEET_PATH = '/assets/app.css';
/** The wallet app's own styles, layered on app.css: balance card, tabs, transaction and merchant lists. */
export const WALLET_STYLESHEET_PATH = '/assets/wallet-app.css';
/** The sandbox's delivery inspector, layered on app.css: a wider page, status badges, raw bodies. */
export const INSPECTOR_STYLESHEET_PATH = '/assets/inspector.css';
export const FAVICON_PATH = '/assets/favicon.svg';

/** Longest auto-refresh a page may ask for; anything longer is a bug, not a redirect. */
export const REFRESH_DELAY_MAX_S = 600;

/** How long a result page (activation, payment) shows before it sends the browser back to the merchant. */
export const RETURN_DELAY_S = 3;

/** The page's language and its header link to the other one. */
export interface PageLocale {
  readonly lang: Lang;
  /** Link to this same page in the other language; shown in the header bar. */
  readonly langSwitch?: { readonly href: string };
}

export interface PageOptions extends PageLocale {
  readonly title: string;
  readonly body: SafeHtml;
  /** Rendered as the page's `<h1>`; leave it out only when `body` brings its own `<h1>`. */
  readonly heading?: string;
  /** Sends the browser on after `seconds` with `<meta http-equiv="refresh">` (not subject to CSP form-action). */
  readonly refreshTo?: { readonly url: string; readonly seconds: number };
  /** A stylesheet linked after app.css, e.g. WALLET_STYLESHEET_PATH. */
  readonly extraStylesheet?: string;
}

/** Each language's name as written in that language: the label of the link that switches to it. */
const LANGUAGE_NAME = localized('English', 'Bahasa Indonesia');

const TEXT = {
  skip: localized('Skip to content', 'Langsung ke isi'),
  language: localized('Language', 'Bahasa'),
  footer: localized('Payments by Faspay', 'Layanan pembayaran oleh Faspay'),
  refresh: (s: number) => localized(`You will be taken back in ${s} seconds.`, `Anda akan diarahkan kembali dalam ${s} detik.`),
  continueNow: localized('Continue now', 'Lanjutkan sekarang'),
};

function checkRefresh(refresh: { url: string; seconds: number }): void {
  let protocol: string;
  try {
    protocol = new URL(refresh.url).protocol;
  } catch {
    throw new TypeError('refreshTo.url must be an absolute URL');
  }
  // A refresh to javascript:/data: would be a script injection channel; merchants' return URLs are web URLs.
  if (protocol !== 'https:' && protocol !== 'http:') throw new TypeError('refreshTo.url must be http(s)');
  if (!Number.isInteger(refresh.seconds) || refresh.seconds < 0 || refresh.seconds > REFRESH_DELAY_MAX_S) {
    throw new RangeError(`refreshTo.seconds must be an integer from 0 to ${REFRESH_DELAY_MAX_S}`);
  }
}

/** A complete HTML5 document: purple OVO header bar, one centered card holding the content. */
export function renderPage(opts: PageOptions): string {
  const { lang } = opts;
  const refresh = opts.refreshTo;
  if (refresh) checkRefresh(refresh);
  const doc = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="theme-color" content="#4c2a86">
<meta name="robots" content="noindex, nofollow">
${refresh && html`<meta http-equiv="refresh" content="${`${refresh.seconds};url=${refresh.url}`}">
`}<title>${opts.title} · OVO</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${opts.extraStylesheet !== undefined && html`<link rel="stylesheet" href="${opts.extraStylesheet}">
`}<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#main">${TEXT.skip[lang]}</a>
<header class="topbar">
<div class="topbar__inner">
<span class="brand">OVO</span>
${opts.langSwitch && languageSwitch(lang, opts.langSwitch.href)}
</div>
</header>
<main id="main" class="page" tabindex="-1">
<div class="card card--page">
${opts.heading !== undefined && html`<h1 class="page__title">${opts.heading}</h1>
`}${opts.body}
${refresh && html`<p class="refresh-note" role="status">${TEXT.refresh(refresh.seconds)[lang]} <a href="${refresh.url}">${TEXT.continueNow[lang]}</a></p>`}
</div>
</main>
<footer class="footer">${TEXT.footer[lang]}</footer>
</body>
</html>
`;
  return doc.value;
}

function languageSwitch(lang: Lang, href: string): SafeHtml {
  const other = otherLang(lang);
  return html`<nav class="topbar__nav" aria-label="${TEXT.language[lang]}"><a class="topbar__link" href="${href}" hreflang="${other}" lang="${other}">${LANGUAGE_NAME[other]}</a></nav>`;
}

/** A titled section inside the page card. */
export function card(body: SafeHtml, opts: { title?: string } = {}): SafeHtml {
  return html`<section class="card">${opts.title !== undefined && html`<h2 class="card__title">${opts.title}</h2>`}${body}</section>`;
}

export type NoticeKind = 'error' | 'info' | 'success';

/** A coloured message box; errors are announced immediately (`role="alert"`), the rest politely. */
export function notice(kind: NoticeKind, text: string | SafeHtml): SafeHtml {
  const role = kind === 'error' ? 'alert' : 'status';
  return html`<div class="notice notice--${kind}" role="${role}">${text}</div>`;
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger';

export interface ButtonOptions {
  readonly type?: 'submit' | 'button';
  readonly variant?: ButtonVariant;
  readonly name?: string;
  readonly value?: string;
}

/** `<button class="button button--primary" type="submit">` — full width on phones, 48px tall. */
export function button(label: string, opts: ButtonOptions = {}): SafeHtml {
  return html`<button class="button button--${opts.variant ?? 'primary'}" type="${opts.type ?? 'submit'}"${attrs({ name: opts.name, value: opts.value })}>${label}</button>`;
}

/** A link styled as a button (navigation, not a form submission). */
export function linkButton(href: string, label: string, variant: ButtonVariant = 'secondary'): SafeHtml {
  return html`<a class="button button--${variant}" href="${href}">${label}</a>`;
}

export interface FieldOptions {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly type?: 'text' | 'tel' | 'password' | 'email' | 'number' | 'url' | 'search';
  readonly value?: string;
  /** Help text under the label, tied to the input with aria-describedby. */
  readonly hint?: string;
  /** Validation message; marks the input aria-invalid and is tied to it with aria-describedby. */
  readonly error?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly inputmode?: 'none' | 'text' | 'tel' | 'numeric' | 'decimal' | 'email' | 'url' | 'search';
  readonly pattern?: string;
  readonly minlength?: number;
  readonly maxlength?: number;
  readonly placeholder?: string;
  readonly autofocus?: boolean;
  readonly readonly?: boolean;
  /** `pin` renders the large, letter-spaced, centered style for PINs and one-time codes. */
  readonly variant?: 'pin';
}

/** A `<label for>` + `<input>` pair (every input has a label), with optional hint and error text. */
export function field(opts: FieldOptions): SafeHtml {
  const hintId = opts.hint !== undefined ? `${opts.id}-hint` : undefined;
  const errorId = opts.error !== undefined ? `${opts.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter((x) => x !== undefined).join(' ');
  const inputClass = opts.variant === 'pin' ? 'input input--pin' : 'input';
  return html`<div class="${opts.error !== undefined ? 'field field--invalid' : 'field'}">
<label class="field__label" for="${opts.id}">${opts.label}</label>
${hintId !== undefined && html`<p class="field__hint" id="${hintId}">${opts.hint}</p>
`}<input class="${inputClass}"${attrs({
    id: opts.id,
    name: opts.name,
    type: opts.type ?? 'text',
    value: opts.value,
    required: opts.required,
    autocomplete: opts.autocomplete,
    inputmode: opts.inputmode,
    pattern: opts.pattern,
    minlength: opts.minlength,
    maxlength: opts.maxlength,
    placeholder: opts.placeholder,
    autofocus: opts.autofocus,
    readonly: opts.readonly,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
    'aria-invalid': opts.error !== undefined ? 'true' : undefined,
  })}>
${errorId !== undefined && html`<p class="field__error" id="${errorId}">${opts.error}</p>
`}</div>`;
}

/** A hidden input (e.g. a session or CSRF token). */
export function hiddenField(name: string, value: string): SafeHtml {
  return html`<input type="hidden"${attrs({ name, value })}>`;
}

/** Renders ` name="value"` pairs; `true` gives a bare boolean attribute, undefined/false leave it out. */
function attrs(record: Readonly<Record<string, string | number | boolean | undefined>>): SafeHtml {
  const parts: HtmlValue[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined || value === false) continue;
    parts.push(value === true ? html` ${name}` : html` ${name}="${String(value)}"`);
  }
  return html`${parts}`;
}
