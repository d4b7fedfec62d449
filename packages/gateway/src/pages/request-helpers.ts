import type { FastifyRequest } from 'fastify';

/** Fields of an `application/x-www-form-urlencoded` body (parsed by the app into a plain record). */
export function formFields(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Record<string, string>) : {};
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function cookieHeader(name: string, value: string, opts: { path: string; maxAgeS: number; secure: boolean }): string {
  return [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path}`, `Max-Age=${opts.maxAgeS}`, 'HttpOnly', 'SameSite=Lax',
    ...(opts.secure ? ['Secure'] : [])].join('; ');
}
