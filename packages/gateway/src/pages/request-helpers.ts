import type { FastifyRequest } from 'fastify';
import { isToken } from './input-shapes.ts';

/** Fields of an `application/x-www-form-urlencoded` body (parsed by the app into a plain record). */
export function formFields(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Record<string, string>) : {};
}

/**
 * The one place cookies are parsed. Returns the first value of cookie `name` that can be read and that
 * `accept` takes. A value that does not decode (`%`, `%zz`) or has the wrong shape counts as absent and is
 * skipped: a cookie planted by a sibling subdomain must neither crash a page nor shadow the real one.
 */
export function readCookie(request: FastifyRequest, name: string, accept: (value: string) => boolean = () => true): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    const value = decodedOrUndefined(part.slice(eq + 1).trim());
    if (value !== undefined && accept(value)) return value;
  }
  return undefined;
}

/** A cookie that holds one of the gateway's tokens (a browser binding, a session), when it has a token's shape. */
export function readTokenCookie(request: FastifyRequest, name: string): string | undefined {
  return readCookie(request, name, isToken);
}

function decodedOrUndefined(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function cookieHeader(name: string, value: string, opts: { path: string; maxAgeS: number; secure: boolean }): string {
  return [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path}`, `Max-Age=${opts.maxAgeS}`, 'HttpOnly', 'SameSite=Lax',
    ...(opts.secure ? ['Secure'] : [])].join('; ');
}

/**
 * Whether a browser says this request comes from a page of another origin: Sec-Fetch-Site, which every
 * current browser sends and a page cannot forge, else an Origin that is not this gateway's own. Tools that
 * are not browsers (curl, an SDK) send neither and are not a cross-site threat. `Origin: null` (what a
 * browser sends under `Referrer-Policy: no-referrer` when it has no Sec-Fetch-Site) counts as another origin.
 */
export function isFromAnotherOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  return origin !== undefined && origin !== `${request.protocol}://${request.host}`;
}
