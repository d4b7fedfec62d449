/** Field names a decoded body never carries: as keys they could reach an object's prototype. */
export const FORBIDDEN_FIELD_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The record both codecs fill: it has no prototype, so no field name can reach Object.prototype. */
export function emptyFields(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

export function stripBom(raw: string): string {
  return raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
}
