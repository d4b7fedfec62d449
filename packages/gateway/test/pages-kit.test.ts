// Proves the page kit escapes whatever it is given, builds accessible CSP-clean documents, serves every stylesheet as a cached file, and that the security headers reach HTML and JSON replies without overriding a route's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import fc from 'fast-check';
import { CONTENT_SECURITY_POLICY, registerSecurityHeaders } from '../src/api/security-headers.ts';
import { ASSET_CACHE_CONTROL, registerAssets } from '../src/pages/assets.ts';
import { escapeHtml, html, raw, SafeHtml } from '../src/pages/html.ts';
import {
  INSPECTOR_STYLESHEET_PATH, STYLESHEET_PATH, WALLET_STYLESHEET_PATH, button, card, field, hiddenField, linkButton, notice, pageLang, renderPage,
} from '../src/pages/layout.ts';

const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</title><script>alert(1)</script>',
  '&lt;script&gt;',
];

function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');
}

test('escapeHtml replaces the five dangerous characters and nothing else', () => {
  assert.equal(escapeHtml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f');
  assert.equal(escapeHtml('Rp 20.000 — ok'), 'Rp 20.000 — ok');
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    const out = escapeHtml(s);
    assert.doesNotMatch(out, /[<>"']/);
    assert.equal(unescape(out), s);
  }));
});

test('interpolated XSS payloads come out inert in text and in quoted attributes', () => {
  for (const payload of XSS_PAYLOADS) {
    const out = html`<p title="${payload}" data-x='${payload}'>${payload}</p>`.value;
    assert.doesNotMatch(out, /<script|<img|<\/title/i, payload);
    // Exactly one element, whose two attributes were not broken out of.
    assert.equal(out.match(/</g)?.length, 2, out);
    assert.equal(out.match(/"/g)?.length, 2, out);
    assert.equal(out.match(/'/g)?.length, 2, out);
  }
  assert.equal(html`${'&lt;'}`.value, '&amp;lt;', 'already-escaped text is escaped again, not trusted');
});

test('html joins arrays, keeps SafeHtml as is, and renders null, undefined and false as nothing', () => {
  const items = ['a<b', 'c'].map((s) => html`<li>${s}</li>`);
  assert.equal(html`<ul>${items}</ul>`.value, '<ul><li>a&lt;b</li><li>c</li></ul>');
  assert.equal(html`[${null}${undefined}${false}]`.value, '[]');
  assert.equal(html`${0}|${12n}|${''}`.value, '0|12|');
  assert.equal(html`${[['x', html`<b>y</b>`], null]}`.value, 'x<b>y</b>');
  assert.equal(html`${raw('<svg></svg>')}`.value, '<svg></svg>');
  const safe = html`<i>${'<'}</i>`;
  assert.ok(safe instanceof SafeHtml);
  assert.equal(String(safe), '<i>&lt;</i>');
  assert.equal(html`<b>${safe}</b>`.value, '<b><i>&lt;</i></b>', 'nested SafeHtml is not escaped twice');
});

function assertCspClean(doc: string): void {
  assert.doesNotMatch(doc, /<script/i, 'no script element');
  assert.doesNotMatch(doc, /<style/i, 'no style element');
  assert.doesNotMatch(doc, /<[a-z][^>]*\sstyle\s*=/i, 'no style attribute');
  assert.doesNotMatch(doc, /<[a-z][^>]*\son[a-z]+\s*=/i, 'no inline event handler');
}

test('renderPage builds a complete, accessible document with no inline style or script', () => {
  for (const lang of ['id', 'en'] as const) {
    const doc = renderPage({ title: 'Aktivasi <OVO>', lang, heading: 'Masukkan PIN', body: html`<p>${XSS_PAYLOADS[1]}</p>` });
    assert.match(doc, /^<!doctype html>\n<html lang="(id|en)">/);
    assert.ok(doc.startsWith(`<!doctype html>\n<html lang="${lang}">`));
    assert.match(doc, /<meta charset="utf-8">/);
    assert.match(doc, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(doc, /<link rel="stylesheet" href="\/assets\/app.css">/);
    assert.match(doc, /<title>Aktivasi &lt;OVO&gt; · OVO<\/title>/);
    assert.match(doc, /<header class="topbar">[\s\S]*<span class="brand">OVO<\/span>/);
    assert.match(doc, /<main id="main"[^>]*>[\s\S]*<h1 class="page__title">Masukkan PIN<\/h1>/);
    assert.match(doc, /<a class="skip-link" href="#main">/);
    assert.doesNotMatch(doc, /http-equiv="refresh"/);
    assertCspClean(doc);
    assert.doesNotMatch(doc, /<img src=x/);
  }
});

test('renderPage refreshTo adds a meta refresh and a visible link, and refuses non-web URLs', () => {
  const url = 'https://shop.example/return?order=1&x="y"';
  const doc = renderPage({ title: 'Berhasil', lang: 'id', body: html`<p>ok</p>`, refreshTo: { url, seconds: 5 } });
  assert.match(doc, /<meta http-equiv="refresh" content="5;url=https:\/\/shop.example\/return\?order=1&amp;x=&quot;y&quot;">/);
  assert.match(doc, /<a href="https:\/\/shop.example\/return\?order=1&amp;x=&quot;y&quot;">Lanjutkan sekarang<\/a>/);
  assertCspClean(doc);
  const en = renderPage({ title: 'Done', lang: 'en', body: html``, refreshTo: { url: 'http://127.0.0.1:3000/', seconds: 0 } });
  assert.match(en, /You will be taken back in 0 seconds/);
  for (const bad of ['javascript:alert(1)', 'data:text/html,<script>', '/relative', 'not a url']) {
    assert.throws(() => renderPage({ title: 't', lang: 'en', body: html``, refreshTo: { url: bad, seconds: 1 } }), TypeError, bad);
  }
  for (const seconds of [-1, 1.5, 601, Number.NaN]) {
    assert.throws(() => renderPage({ title: 't', lang: 'en', body: html``, refreshTo: { url: 'https://a.example/', seconds } }), RangeError);
  }
});

test('renderPage shows a language switch link to the other language', () => {
  const doc = renderPage({ title: 't', lang: 'id', body: html``, langSwitch: { href: '/x?lang=en&a=1' } });
  assert.match(doc, /<nav class="topbar__nav" aria-label="Bahasa"><a class="topbar__link" href="\/x\?lang=en&amp;a=1" hreflang="en" lang="en">English<\/a><\/nav>/);
  const en = renderPage({ title: 't', lang: 'en', body: html``, langSwitch: { href: '/x' } });
  assert.match(en, /hreflang="id" lang="id">Bahasa Indonesia<\/a>/);
  assert.equal(pageLang('en'), 'en');
  for (const v of ['id', 'EN', 'fr', '', undefined, ['en', 'id'], 1]) assert.equal(pageLang(v), 'id');
});

test('every stylesheet is a file under /assets/, served with one content type, cache lifetime and ETag; a page can layer the wallet one', async () => {
  const app = Fastify();
  registerAssets(app);
  try {
    for (const [path, rule] of [[STYLESHEET_PATH, /\.topbar\s*\{/], [WALLET_STYLESHEET_PATH, /\.balance-card\s*\{/], [INSPECTOR_STYLESHEET_PATH, /\.status-badge\s*\{/]] as const) {
      const css = await app.inject(path);
      assert.equal(css.statusCode, 200, path);
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8', path);
      assert.equal(css.headers['cache-control'], ASSET_CACHE_CONTROL, path);
      assert.match(css.body, rule, path);
      const again = await app.inject({ url: path, headers: { 'if-none-match': String(css.headers.etag) } });
      assert.equal(again.statusCode, 304, path);
    }
  } finally {
    await app.close();
  }
  const doc = renderPage({ title: 't', lang: 'en', body: html``, extraStylesheet: WALLET_STYLESHEET_PATH });
  assert.match(doc, /<link rel="stylesheet" href="\/assets\/app.css">\n<link rel="stylesheet" href="\/assets\/wallet-app.css">\n<link rel="icon"/);
  assert.doesNotMatch(renderPage({ title: 't', lang: 'en', body: html`` }), /wallet-app.css/);
});

test('field labels every input and wires hint and error text to it', () => {
  const plain = field({ id: 'phone', name: 'phone_no', label: 'Nomor ponsel', type: 'tel', value: '"><script>', autocomplete: 'tel' }).value;
  assert.match(plain, /<label class="field__label" for="phone">Nomor ponsel<\/label>/);
  assert.match(plain, /<input class="input" id="phone" name="phone_no" type="tel" value="&quot;&gt;&lt;script&gt;" autocomplete="tel">/);
  assert.doesNotMatch(plain, /aria-/);

  const pin = field({
    id: 'pin', name: 'pin', label: 'PIN', type: 'password', variant: 'pin', inputmode: 'numeric', pattern: '[0-9]{6}',
    minlength: 6, maxlength: 6, required: true, autocomplete: 'off', hint: '6 angka', error: 'PIN salah',
  }).value;
  assert.match(pin, /<div class="field field--invalid">/);
  assert.match(pin, /<label class="field__label" for="pin">PIN<\/label>/);
  assert.match(pin, /<p class="field__hint" id="pin-hint">6 angka<\/p>/);
  assert.match(pin, /<p class="field__error" id="pin-error">PIN salah<\/p>/);
  assert.match(pin, /class="input input--pin" id="pin"/);
  assert.match(pin, / required /);
  assert.match(pin, /inputmode="numeric" pattern="\[0-9\]\{6\}" minlength="6" maxlength="6"/);
  assert.match(pin, /aria-describedby="pin-hint pin-error" aria-invalid="true">/);

  // Every id referenced by a label exists on an input.
  for (const markup of [plain, pin]) {
    const forId = /for="([^"]+)"/.exec(markup)?.[1];
    assert.ok(forId !== undefined && markup.includes(`<input class="input${markup === pin ? ' input--pin' : ''}" id="${forId}"`));
  }
  assert.equal(hiddenField('session', 'a"b').value, '<input type="hidden" name="session" value="a&quot;b">');
});

test('notice, card and button markup conventions', () => {
  assert.equal(notice('error', 'PIN <salah>').value, '<div class="notice notice--error" role="alert">PIN &lt;salah&gt;</div>');
  assert.equal(notice('info', 'x').value, '<div class="notice notice--info" role="status">x</div>');
  assert.equal(notice('success', html`<b>ok</b>`).value, '<div class="notice notice--success" role="status"><b>ok</b></div>');
  assert.equal(card(html`<p>x</p>`, { title: 'A&B' }).value, '<section class="card"><h2 class="card__title">A&amp;B</h2><p>x</p></section>');
  assert.equal(card(html`<p>x</p>`).value, '<section class="card"><p>x</p></section>');
  assert.equal(button('Bayar').value, '<button class="button button--primary" type="submit">Bayar</button>');
  assert.equal(button('Batal', { variant: 'danger', name: 'action', value: 'cancel' }).value,
    '<button class="button button--danger" type="submit" name="action" value="cancel">Batal</button>');
  assert.equal(linkButton('/a?b=1&c=2', 'Kembali').value, '<a class="button button--secondary" href="/a?b=1&amp;c=2">Kembali</a>');
});

function headersApp() {
  const app = Fastify();
  registerSecurityHeaders(app);
  app.get('/page', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderPage({ title: 't', lang: 'id', body: html`<p>x</p>` })));
  app.get('/api', async () => ({ response_code: '00' }));
  app.get('/own', async (_request, reply) =>
    reply.type('text/html').header('cache-control', 'private, max-age=5').header('x-frame-options', 'SAMEORIGIN').send('<p>x</p>'));
  return app;
}

test('security headers: every reply gets the basics, HTML replies also get the CSP and no-store', async () => {
  const app = headersApp();
  try {
    const page = await app.inject('/page');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(page.headers['content-security-policy'],
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    assert.equal(page.headers['cache-control'], 'no-store');

    for (const url of ['/api', '/missing']) {
      const json = await app.inject(url);
      assert.match(String(json.headers['content-type']), /^application\/json/);
      assert.equal(json.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(json.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(json.headers['x-frame-options'], 'DENY', url);
      assert.equal(json.headers['content-security-policy'], undefined, url);
      assert.equal(json.headers['cache-control'], undefined, url);
    }
    const post = await app.inject({ method: 'POST', url: '/api', payload: {} });
    assert.equal(post.statusCode, 404);
    assert.equal(post.headers['x-content-type-options'], 'nosniff');
  } finally {
    await app.close();
  }
});

test('security headers never overwrite a header the route set', async () => {
  const app = headersApp();
  try {
    const own = await app.inject('/own');
    assert.equal(own.headers['cache-control'], 'private, max-age=5');
    assert.equal(own.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(own.headers['content-security-policy'], CONTENT_SECURITY_POLICY, 'the gaps are still filled');
  } finally {
    await app.close();
  }
});
