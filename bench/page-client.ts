// The hosted payment page driven like a browser without JavaScript: no browser, just its two requests.

/** The page answered with an unexpected HTTP status. */
export class PageStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** What a browser without JavaScript does: open the page (getting its cookie), post the PIN form. */
export async function authoriseOnPage(pageUrl: string, pin: string): Promise<void> {
  const page = await fetch(pageUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new PageStatusError(page.status, `GET ${new URL(pageUrl).pathname}: HTTP ${page.status}: ${html.slice(0, 200)}`);
  const cookie = page.headers.getSetCookie().map((line) => line.split(';')[0]!.trim()).join('; ');
  const csrf = /<input[^>]*name="csrf_token"[^>]*value="([^"]+)"/.exec(html)?.[1]
    ?? /<input[^>]*value="([^"]+)"[^>]*name="csrf_token"/.exec(html)?.[1];
  if (!csrf) throw new Error(`GET ${new URL(pageUrl).pathname}: no csrf_token on the page`);
  const posted = await fetch(`${pageUrl}/pin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie && { cookie }) },
    body: new URLSearchParams({ csrf_token: csrf, pin }).toString(),
  });
  const after = await posted.text();
  if (posted.status >= 400) throw new PageStatusError(posted.status, `POST ${new URL(pageUrl).pathname}/pin: HTTP ${posted.status}: ${after.slice(0, 200)}`);
}
