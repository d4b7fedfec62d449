// Proves the five top-up options, their icons and their instruction pages are served in both languages, and that a real Chromium renders them styled, with every image loaded and no CSP violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { registerSecurityHeaders } from '../src/api/security-headers.ts';
import { ASSET_CACHE_CONTROL, registerAssets } from '../src/pages/assets.ts';
import { registerTopupPages } from '../src/pages/topup-pages.ts';
import { TOPUP_OPTIONS, topupInstructionEntries } from '../src/pages/topup-options.ts';
import { launchBrowser, listenForBrowser, watchPageProblems, withPage } from './support/browser.ts';

function buildApp() {
  const app = Fastify();
  registerSecurityHeaders(app);
  registerAssets(app);
  registerTopupPages(app);
  return app;
}

/** Same-origin paths a page links to or loads (href and src attributes). */
function localReferences(doc: string): string[] {
  return [...doc.matchAll(/\s(?:href|src)="(\/[^"#]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

test('the five options, in the guide order, with labels, icons and pages', () => {
  assert.deepEqual(TOPUP_OPTIONS.map((o) => o.id), ['atm', 'mobile-banking', 'grab', 'tokopedia', 'ovo-merchant']);
  assert.deepEqual(TOPUP_OPTIONS.map((o) => o.option), ['ATM', 'Internet/Mobile Banking', 'Grab', 'Tokopedia', 'Merchant/Mitra OVO']);
  for (const o of TOPUP_OPTIONS) {
    assert.equal(o.iconPath, `/assets/topup/${o.id}.svg`);
    assert.equal(o.pagePath, `/topup/${o.id}`);
  }
});

test('topupInstructionEntries builds absolute URLs under the public base URL', () => {
  for (const base of ['https://gw.example', 'https://gw.example/', 'https://gw.example/ovo//']) {
    const entries = topupInstructionEntries(base);
    const prefix = base.startsWith('https://gw.example/ovo') ? 'https://gw.example/ovo' : 'https://gw.example';
    assert.equal(entries.length, 5);
    assert.deepEqual(entries[0], { option: 'ATM', icon: `${prefix}/assets/topup/atm.svg`, url: `${prefix}/topup/atm` });
    assert.deepEqual(entries.map((e) => e.option), TOPUP_OPTIONS.map((o) => o.option));
    for (const e of entries) {
      assert.ok(new URL(e.icon).href === e.icon && new URL(e.url).href === e.url);
    }
  }
  assert.throws(() => topupInstructionEntries('/relative'));
  assert.throws(() => topupInstructionEntries('ftp://gw.example'));
});

test('every page and icon answers 200 with the right content type, and pages link only to things that exist', async () => {
  const app = buildApp();
  try {
    const pages = ['/topup', '/topup?lang=en', ...TOPUP_OPTIONS.flatMap((o) => [o.pagePath, `${o.pagePath}?lang=en`])];
    const referenced = new Set<string>();
    for (const url of pages) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/, url);
      assert.match(res.body, /<h1 class="page__title">/, url);
      assert.doesNotMatch(res.body, /<script|<style|<[a-z][^>]*\sstyle=/i, url);
      // Every image has alt text (empty when decorative).
      for (const img of res.body.match(/<img[^>]*>/g) ?? []) assert.match(img, /\salt="[^"]*"/, img);
      for (const ref of localReferences(res.body)) referenced.add(ref);
    }
    for (const o of TOPUP_OPTIONS) {
      const index = (await app.inject('/topup')).body;
      assert.ok(index.includes(`href="${o.pagePath}"`), `index links to ${o.pagePath}`);
      assert.ok(index.includes(`src="${o.iconPath}"`), `index shows ${o.iconPath}`);
      const icon = await app.inject(o.iconPath);
      assert.equal(icon.statusCode, 200, o.iconPath);
      assert.equal(icon.headers['content-type'], 'image/svg+xml');
      assert.equal(icon.headers['cache-control'], ASSET_CACHE_CONTROL);
      assert.equal(icon.headers['x-content-type-options'], 'nosniff');
      assert.match(icon.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 48 48"/);
      assert.doesNotMatch(icon.body, /<script|\son[a-z]+=|href=/i, 'icons are inert and self-contained');
    }
    const css = await app.inject('/assets/app.css');
    assert.equal(css.statusCode, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['cache-control'], 'public, max-age=86400');
    assert.match(css.body, /\.topbar\s*\{[^}]*var\(--purple\)/);
    assert.match(css.body, /--purple: #4c2a86/);
    assert.match(css.body, /:focus-visible/);
    assert.match(css.body, /\.input--pin\s*\{[^}]*letter-spacing/);

    const again = await app.inject({ url: '/assets/app.css', headers: { 'if-none-match': String(css.headers.etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');

    for (const ref of referenced) {
      const res = await app.inject(ref);
      assert.equal(res.statusCode, 200, `referenced ${ref}`);
    }
    for (const missing of ['/assets/nope.css', '/assets/topup/paypal.svg', '/assets/topup/', '/assets/../package.json', '/assets/topup/atm.svg.bak']) {
      const res = await app.inject(missing);
      assert.equal(res.statusCode, 404, missing);
      assert.equal(res.headers['cache-control'], undefined, `a 404 is not cached for a day: ${missing}`);
    }
  } finally {
    await app.close();
  }
});

test('Indonesian is the default, English is chosen with ?lang=en, anything else falls back to Indonesian', async () => {
  const app = buildApp();
  try {
    for (const path of ['/topup', ...TOPUP_OPTIONS.map((o) => o.pagePath)]) {
      const id = await app.inject(path);
      const en = await app.inject(`${path}?lang=en`);
      assert.match(id.body, /<html lang="id">/, path);
      assert.match(en.body, /<html lang="en">/, path);
      assert.equal(id.headers['content-language'], 'id');
      assert.equal(en.headers['content-language'], 'en');
      const h1 = (doc: string) => /<h1 class="page__title">([^<]*)<\/h1>/.exec(doc)?.[1];
      assert.notEqual(h1(id.body), h1(en.body), path);
      assert.ok(id.body.includes(`href="${path}?lang=en" hreflang="en" lang="en">English</a>`), `switch to English on ${path}`);
      assert.ok(en.body.includes(`href="${path}" hreflang="id" lang="id">Bahasa Indonesia</a>`), `switch to Indonesian on ${path}`);
      for (const q of ['?lang=fr', '?lang=EN', '?lang=', '?lang=en&lang=id']) {
        assert.equal((await app.inject(`${path}${q}`)).body, id.body, `${path}${q}`);
      }
    }
    const index = (await app.inject('/topup?lang=en')).body;
    for (const o of TOPUP_OPTIONS) assert.ok(index.includes(`href="${o.pagePath}?lang=en"`), 'English index keeps English');
    assert.match((await app.inject('/topup/atm')).body, /Masukkan nomor virtual account OVO[\s\S]*39358081234567890/);
    assert.match((await app.inject('/topup/atm?lang=en')).body, /Enter your OVO virtual account number[\s\S]*39358081234567890/);
    assert.match((await app.inject('/topup/ovo-merchant')).body, /minimal Rp 20\.000/);
    assert.match((await app.inject('/topup/tokopedia')).body, /Top-up &amp; Tagihan/);
    assert.match((await app.inject('/topup/grab?lang=en')).body, /GrabPay is powered by OVO/);
  } finally {
    await app.close();
  }
});

test('an unknown option is an HTML 404 page in the chosen language', async () => {
  const app = buildApp();
  try {
    for (const [url, lang, text] of [
      ['/topup/paypal', 'id', 'Halaman tidak ditemukan'],
      ['/topup/paypal?lang=en', 'en', 'Page not found'],
      ['/topup/%3Cscript%3E', 'id', 'Halaman tidak ditemukan'],
      ['/topup/ATM', 'id', 'Halaman tidak ditemukan'],
    ] as const) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, new RegExp(`<html lang="${lang}">`));
      assert.match(res.body, new RegExp(`<h1 class="page__title">${text}</h1>`));
      assert.match(res.body, /<link rel="stylesheet" href="\/assets\/app.css">/);
      assert.match(res.body, /role="alert"/);
      assert.doesNotMatch(res.body, /<script/i);
    }
  } finally {
    await app.close();
  }
});

const PURPLE = 'rgb(76, 42, 134)';

test('a real browser clicks through every option in both languages: styled, images loaded, no CSP violation', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const base = await listenForBrowser(t, buildApp());

  await withPage(browser, async (page) => {
    page.setDefaultTimeout(5_000);
    const problems = watchPageProblems(page);
    const checkPage = async (where: string, lang: 'id' | 'en', imagesMin = 1) => {
      assert.equal(await page.getAttribute('html', 'lang'), lang, where);
      const header = await page.locator('header.topbar').evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(header, PURPLE, `stylesheet applied on ${where}`);
      const images = await page.locator('img').evaluateAll((imgs) =>
        (imgs as HTMLImageElement[]).map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0 })));
      assert.ok(images.length >= imagesMin, where);
      for (const img of images) assert.ok(img.ok, `image loaded: ${img.src} on ${where}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling on a phone at ${where}`);
    };

    await page.goto(`${base}/topup`);
    await checkPage('/topup', 'id');
    const links = page.locator('a.option-link');
    assert.equal(await links.count(), 5);
    for (const box of await links.evaluateAll((as) => as.map((a) => a.getBoundingClientRect().height))) {
      assert.ok(box >= 44, `tap target at least 44px tall (got ${box})`);
    }

    for (const o of TOPUP_OPTIONS) {
      await page.goto(`${base}/topup`);
      await page.getByRole('link', { name: o.option, exact: true }).click();
      await page.waitForURL(`${base}${o.pagePath}`);
      await checkPage(o.pagePath, 'id');
      const idHeading = await page.getByRole('heading', { level: 1 }).textContent();
      assert.ok((await page.locator('ol.steps > li').count()) >= 4, `steps on ${o.pagePath}`);

      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL(`${base}${o.pagePath}?lang=en`);
      await checkPage(`${o.pagePath}?lang=en`, 'en');
      const enHeading = await page.getByRole('heading', { level: 1 }).textContent();
      assert.notEqual(enHeading, idHeading);

      await page.getByRole('link', { name: 'All top-up options' }).click();
      await page.waitForURL(`${base}/topup?lang=en`);
      await checkPage('/topup?lang=en', 'en');
      await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
      await page.waitForURL(`${base}/topup`);
    }

    await page.goto(`${base}/topup/atm`);
    const shot = join(tmpdir(), 'ovo-topup-atm.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    assert.deepEqual(problems, []);

    const response = await page.goto(`${base}/topup/unknown`);
    assert.equal(response?.status(), 404);
    await checkPage('/topup/unknown', 'id', 0);
    // Chromium logs the 404 document itself to the console; nothing else may appear.
    assert.deepEqual(problems, ['console error: Failed to load resource: the server responded with a status of 404 (Not Found)']);
  }, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
});

test('the pages need no JavaScript: with it turned off, navigation and styling still work', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const base = await listenForBrowser(t, buildApp());
  await withPage(browser, async (page) => {
    page.setDefaultTimeout(5_000);
    const problems = watchPageProblems(page);
    await page.goto(`${base}/topup?lang=en`);
    await page.getByRole('link', { name: 'Tokopedia', exact: true }).click();
    await page.waitForURL(`${base}/topup/tokopedia?lang=en`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Top up OVO through Tokopedia');
    assert.equal(await page.locator('header.topbar').evaluate((el) => getComputedStyle(el).backgroundColor), PURPLE);
    assert.deepEqual(problems, []);
  }, { javaScriptEnabled: false });
});

test('the browser really enforces the CSP, so a clean console above means something', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  const app = buildApp();
  app.get('/probe', async (_request, reply) => reply.type('text/html').send(
    '<!doctype html><html lang="en"><head><title>probe</title><style>body{color:red}</style></head>' +
    '<body><p style="color:red">x</p><script>document.title = "ran"</script></body></html>'));
  const base = await listenForBrowser(t, app);
  await withPage(browser, async (page) => {
    const problems = watchPageProblems(page);
    await page.goto(`${base}/probe`);
    assert.equal(await page.title(), 'probe', 'the inline script did not run');
    assert.equal(await page.locator('p').evaluate((p) => getComputedStyle(p).color), 'rgb(0, 0, 0)', 'inline styles ignored');
    assert.ok(problems.some((p) => /Content Security Policy/i.test(p)), problems.join('\n'));
  });
});
