// The hosted payment page driven like a browser without JavaScript: no browser, just its two requests.
import { FormClient, csrfTokenOf } from '@ovo-tokenize/example-merchant-store/form-client';

/** The page answered with an unexpected HTTP status. */
export class PageStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** What a browser without JavaScript does: open the page (getting its cookie), post the PIN form. */
export async function authoriseOnPage(pageUrl: string, pin: string): Promise<void> {
  const browser = new FormClient();
  const path = new URL(pageUrl).pathname;
  const page = await browser.get(pageUrl);
  if (page.status !== 200) throw new PageStatusError(page.status, `GET ${path}: HTTP ${page.status}: ${page.html.slice(0, 200)}`);
  const posted = await browser.post(`${pageUrl}/pin`, { csrf_token: csrfTokenOf(page.html), pin });
  if (posted.status >= 400) throw new PageStatusError(posted.status, `POST ${path}/pin: HTTP ${posted.status}: ${posted.html.slice(0, 200)}`);
}
