// Which language a customer page speaks, per request: `?lang=id|en` when present (and then remembered in the
// `ovo_lang` cookie), else that cookie, else the browser's Accept-Language (Indonesian preferred over
// English means Indonesian; anything else, or no header at all, means English).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLang, otherLang, type Lang } from '../domain/localized.ts';
import { cookieHeader, readCookie } from './request-helpers.ts';

export const LANG_COOKIE = 'ovo_lang';
export const LANG_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

/** `id-ID` → id, `in` (the old code) → id, `en-GB` → en; any other language → undefined. */
function tagLang(tag: string): Lang | undefined {
  const primary = tag.trim().toLowerCase().split('-')[0];
  if (primary === 'id' || primary === 'in') return 'id';
  return primary === 'en' ? 'en' : undefined;
}

/** The `q=` weight of one Accept-Language entry: 1 when absent; the last readable one counts. */
function quality(params: readonly string[]): number {
  let q = 1;
  for (const param of params) {
    const m = /^\s*q\s*=\s*([0-9](?:\.[0-9]{0,3})?)\s*$/i.exec(param);
    if (m) q = Number(m[1]);
  }
  return q;
}

/** `id-ID,id;q=0.9,en;q=0.8` → `id`; `en-US,en` → `en`; Indonesian (`id`, or the old `in`) only when ranked above English. */
export function acceptLanguageLang(header: string | undefined): Lang {
  if (!header) return 'en';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.split(';');
    const lang = tagLang(tag);
    const q = quality(params);
    if (lang !== undefined && q > 0 && (best === undefined || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/**
 * The page language for this request. A `?lang=` choice is stored in a cookie (Path=/, a year) so the
 * following pages and form posts keep it. Marks the reply with Content-Language and Vary.
 */
export function requestLang(request: FastifyRequest, reply: FastifyReply, secure: boolean): Lang {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  let lang: Lang;
  if (isLang(asked)) {
    reply.header('set-cookie', cookieHeader(LANG_COOKIE, asked, { path: '/', maxAgeS: LANG_COOKIE_MAX_AGE_S, secure }));
    lang = asked;
  } else {
    // Only a readable id|en counts: any other ovo_lang (`%`, a planted value) is as if there were none.
    const remembered = readCookie(request, LANG_COOKIE, isLang);
    lang = isLang(remembered) ? remembered : acceptLanguageLang(request.headers['accept-language']);
  }
  reply.header('content-language', lang).header('vary', 'Accept-Language, Cookie');
  return lang;
}

/**
 * The header link to the other language: the same page (its path and query, e.g. a wallet history page)
 * with `lang` set. A page re-rendered after a form POST links to its GET page, `pagePath`.
 */
export function langSwitch(request: FastifyRequest, lang: Lang, pagePath: string): { href: string } {
  const here = request.method === 'GET' || request.method === 'HEAD' ? request.url : pagePath;
  const url = new URL(here, 'http://page.invalid');
  url.searchParams.set('lang', otherLang(lang));
  return { href: `${url.pathname}${url.search}` };
}
