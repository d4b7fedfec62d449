import { parseJsonBody, serializeJson } from './codec-json.ts';
import { parseXmlBody, serializeXml } from './codec-xml.ts';
import type { XmlLimits } from './codec-xml.ts';
import type { ReplyValue } from './reply-value.ts';

export const WIRE_FORMATS = ['json', 'xml'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];

/** `application/json`, `…/…+json` → json; `application/xml`, `text/xml`, `…/…+xml` → xml; else null. */
export function formatFromContentType(ct: string | undefined): WireFormat | null {
  if (ct === undefined) return null;
  const mediaType = (ct.split(';', 1)[0] ?? '').trim().toLowerCase();
  const match = /^([a-z0-9][a-z0-9!#$&^_.+-]*)\/([a-z0-9][a-z0-9!#$&^_.+-]*)$/.exec(mediaType);
  if (match === null) return null;
  const [, type, subtype] = match as unknown as [string, string, string];
  if ((type === 'application' && subtype === 'json') || subtype.endsWith('+json')) return 'json';
  if (((type === 'application' || type === 'text') && subtype === 'xml') || subtype.endsWith('+xml')) {
    return 'xml';
  }
  return null;
}

/**
 * How a body is read (PROTOCOL.md §1.1): by its first non-whitespace character (`{` JSON, `<` XML, a UTF-8
 * BOM skipped) when that tells, else by a Content-Type naming JSON or XML. The body wins over the label
 * because Faspay's own WooCommerce plugin posts JSON labelled `text/xml`; a body that starts with neither
 * is read as labelled (and fails to parse, `30`, in the labelled format). Null when neither tells.
 */
export function detectFormat(contentType: string | undefined, body: string): WireFormat | null {
  const first = /^\uFEFF?\s*([{<])/.exec(body)?.[1];
  if (first === '{') return 'json';
  if (first === '<') return 'xml';
  return formatFromContentType(contentType);
}

/**
 * An `X-Request-Id` the gateway takes from its caller: short enough for a log field and a header, plain
 * enough that it cannot forge a log line or a header.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function contentTypeOf(format: WireFormat): string {
  return format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}

/** A request body → its fields as strings; `limits` apply to XML (JSON size is the HTTP layer's job). */
export function parseBody(format: WireFormat, raw: string, limits?: XmlLimits): Record<string, string> {
  return format === 'json' ? parseJsonBody(raw) : parseXmlBody(raw, limits);
}

export function serialize(format: WireFormat, value: ReplyValue): string {
  return format === 'json' ? serializeJson(value) : serializeXml(value);
}
