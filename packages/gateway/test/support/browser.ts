// Drives the system Chromium (CHROME_PATH, else /usr/bin/chromium) with playwright-core for page tests.
// Without a browser the test skips, unless OVO_REQUIRE_BROWSER=1 demands one (CI): then it fails.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
] as const;

export function chromiumPath(): string {
  return process.env.CHROME_PATH ?? '/usr/bin/chromium';
}

/**
 * Launches headless Chromium for test `t` and closes it when `t` ends. Returns undefined (and skips `t`)
 * when no browser is installed, unless OVO_REQUIRE_BROWSER=1, in which case it throws so the test fails.
 */
export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    if (process.env.OVO_REQUIRE_BROWSER === '1') {
      throw new Error(`OVO_REQUIRE_BROWSER=1 but no Chromium found at ${executablePath} (set CHROME_PATH)`);
    }
    t.skip(`no Chromium found at ${executablePath} (set CHROME_PATH, or OVO_REQUIRE_BROWSER=1 to fail instead)`);
    return undefined;
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  t.after(() => browser.close());
  return browser;
}

/** Runs `fn` with a page in a fresh browser context (no shared cookies), closing the context afterwards. */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page) => Promise<T>,
  options: BrowserContextOptions = {},
): Promise<T> {
  const context = await browser.newContext(options);
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/**
 * Collects everything that should never happen on our pages: console errors (CSP violations are reported
 * there), uncaught page errors, failed requests and HTTP error responses for sub-resources.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Leaving a page cancels its still-pending loads (often the favicon); that is navigation, not breakage.
    const error = r.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/** Makes `app` listen on 127.0.0.1 on a free port for test `t`; returns its base URL, closes it when `t` ends. */
export async function listenForBrowser(t: TestContext, app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
