// A browser without a browser, for the demo, the gateway's tests and the benchmark: fetch that keeps cookies
// per site and path, does not follow redirects unless asked, and posts forms urlencoded; plus the few things
// such a customer reads out of a page (the CSRF token, form actions, a meta refresh).

export interface PageResponse {
  /** The URL asked for, absolute. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  /** The Location header of a redirect, resolved against the request URL. */
  readonly location?: string;
}

export interface FormClientOptions {
  /** What relative URLs (`/wallet`) are resolved against. */
  readonly baseUrl?: string;
  /** Sent with every request, e.g. an `accept-language`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A request that takes longer is aborted. */
  readonly timeoutMs?: number;
}

/** More hops than any page flow here takes: beyond it, something loops. */
const REDIRECTS_MAX = 5;
/** Stands for every site in a cookie set by hand. */
const ANY_ORIGIN = '*';

interface StoredCookie {
  readonly origin: string;
  readonly path: string;
  readonly name: string;
  readonly value: string;
}

/** Cookies as a browser keeps them, scoped by origin and path (RFC 6265 §5.1.4), read and forged by name. */
export class CookieJar {
  private readonly stored = new Map<string, StoredCookie>();

  /** The value of the cookie named `name` stored last, whatever its scope. */
  get(name: string): string | undefined {
    return [...this.stored.values()].findLast((c) => c.name === name)?.value;
  }

  /** Replaces every cookie named `name` by one sent to every site and path (a forged or copied cookie). */
  set(name: string, value: string): void {
    this.forget(name);
    this.put({ origin: ANY_ORIGIN, path: '/', name, value });
  }

  /** Stores a `Set-Cookie` line received from `url`; `Max-Age=0` deletes. A hand-set cookie of that name goes. */
  receive(url: URL, setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const eq = pair.indexOf('=');
    const cookie = { origin: url.origin, path: pathAttribute(attributes) ?? defaultPath(url), name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
    this.stored.delete(keyOf({ ...cookie, origin: ANY_ORIGIN, path: '/' }));
    const maxAge = attributeValue(attributes, 'max-age');
    if (maxAge !== undefined && Number(maxAge) <= 0) this.stored.delete(keyOf(cookie));
    else this.put(cookie);
  }

  /** The `Cookie` header a browser sends to `url`, or undefined when it has none for it. */
  headerFor(url: URL): string | undefined {
    const sent = [...this.stored.values()].filter((c) => (c.origin === ANY_ORIGIN || c.origin === url.origin) && pathMatches(url.pathname, c.path));
    return sent.length > 0 ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  private put(cookie: StoredCookie): void {
    // Re-inserted, so that iteration order is the order received.
    this.stored.delete(keyOf(cookie));
    this.stored.set(keyOf(cookie), cookie);
  }

  private forget(name: string): void {
    for (const [key, cookie] of this.stored) if (cookie.name === name) this.stored.delete(key);
  }
}

function keyOf(cookie: StoredCookie): string {
  return `${cookie.origin} ${cookie.path} ${cookie.name}`;
}

function attributeValue(attributes: readonly string[], name: string): string | undefined {
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    if (eq > 0 && attribute.slice(0, eq).trim().toLowerCase() === name) return attribute.slice(eq + 1).trim();
  }
  return undefined;
}

function pathAttribute(attributes: readonly string[]): string | undefined {
  const path = attributeValue(attributes, 'path');
  return path?.startsWith('/') ? path : undefined;
}

/** The request path's directory (RFC 6265 §5.1.4), the scope of a cookie without a Path. */
function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  return slash > 0 ? url.pathname.slice(0, slash) : '/';
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}

export class FormClient {
  readonly cookies = new CookieJar();
  /** Every Set-Cookie header received, as sent (to check the flags). */
  readonly setCookies: string[] = [];

  constructor(private readonly options: FormClientOptions = {}) {}

  get(url: string): Promise<PageResponse> {
    return this.request(url, { method: 'GET' });
  }

  post(url: string, form: Readonly<Record<string, string>>): Promise<PageResponse> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** POSTs, then follows a 303 with a GET (as a browser does). */
  async submit(url: string, form: Readonly<Record<string, string>>): Promise<PageResponse> {
    const res = await this.post(url, form);
    return res.status === 303 && res.location ? this.get(res.location) : res;
  }

  /** Follows redirects with GETs to the first page that is none; `onRedirect` sees each redirect first. */
  async follow(page: PageResponse, onRedirect?: (redirect: PageResponse & { location: string }) => void): Promise<PageResponse> {
    let current = page;
    for (let hops = 0; current.location !== undefined; hops++) {
      if (hops === REDIRECTS_MAX) throw new Error(`more than ${REDIRECTS_MAX} redirects from ${page.url}`);
      onRedirect?.({ ...current, location: current.location });
      current = await this.get(current.location);
    }
    return current;
  }

  private async request(address: string, init: RequestInit): Promise<PageResponse> {
    const url = new URL(address, this.options.baseUrl);
    const headers = new Headers({ ...this.options.headers, ...(init.headers as Record<string, string> | undefined) });
    const cookie = this.cookies.headerFor(url);
    if (cookie) headers.set('cookie', cookie);
    const timeout = this.options.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.options.timeoutMs);
    const res = await fetch(url, { ...init, headers, redirect: 'manual', signal: timeout });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      this.cookies.receive(url, line);
    }
    const location = res.headers.get('location');
    return { url: url.toString(), status: res.status, headers: res.headers, html: await res.text(), location: location ? new URL(location, url).toString() : undefined };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading a page

export function decodeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e]!);
}

/** The hidden csrf_token of the page's forms (all forms of a page carry the same one), if it has one. */
export function findCsrfToken(html: string): string | undefined {
  const token = /<input[^>]*name="csrf_token"[^>]*value="([^"]+)"/.exec(html)?.[1]
    ?? /<input[^>]*value="([^"]+)"[^>]*name="csrf_token"/.exec(html)?.[1];
  return token === undefined ? undefined : decodeHtml(token);
}

/** The page's csrf_token; throws when it has none. */
export function csrfTokenOf(html: string): string {
  const token = findCsrfToken(html);
  if (token === undefined) throw new Error(`no csrf_token on the page:\n${html.slice(0, 400)}`);
  return token;
}

/** The `action` of every POST form on the page, in page order. */
export function postFormActions(html: string): string[] {
  return [...html.matchAll(/<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"/gi)].map((m) => decodeHtml(m[1]!));
}

/** The `<meta http-equiv="refresh">` target of a page, or undefined. */
export function refreshTarget(html: string): { seconds: number; url: string } | undefined {
  const match = /<meta http-equiv="refresh" content="([0-9]+);url=([^"]+)">/.exec(html);
  return match ? { seconds: Number(match[1]), url: decodeHtml(match[2]!) } : undefined;
}
