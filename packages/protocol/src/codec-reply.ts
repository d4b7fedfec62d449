import { ProtocolError } from './codes.ts';
import { FORBIDDEN_FIELD_NAMES, stripBom } from './decoded-fields.ts';
import type { WireFormat } from './wire.ts';
import { readXml } from './xml-reader.ts';

// Replies (and the other direction's nested documents) as the merchant side reads them. Requests are flat
// and go through parseBody; replies nest: `detail/cash/balance`, `topup_instruction/instruction_N`,
// `list_transaction/transaction_N/amount_detail` (an array in JSON, a repeated element in XML).

/** A decoded reply: every scalar a string, objects nest, repeated XML elements and JSON arrays are arrays. */
export type ReplyNode = string | readonly ReplyNode[] | ReplyObject;
export interface ReplyObject {
  readonly [field: string]: ReplyNode;
}

export interface ReplyLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

/** History with 100 rows in XML is about 50 KB; a megabyte leaves room without inviting abuse. */
export const REPLY_MAX_BYTES = 1024 * 1024;
/** `faspay/list_transaction/transaction_N/amount_detail/type` is 5 deep. */
export const REPLY_MAX_DEPTH = 8;

const XML_ROOT = 'faspay';

function formatError(message: string): ProtocolError {
  return new ProtocolError('30', message);
}

function checkSize(raw: string, maxBytes: number): void {
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw formatError(`reply is larger than ${maxBytes} bytes`);
  }
}

/** A reply body in either format → its fields, nested. Throws ProtocolError `30` on anything malformed. */
export function parseReplyBody(format: WireFormat, raw: string, limits: ReplyLimits = {}): ReplyObject {
  return format === 'json' ? parseJsonReply(raw, limits) : parseXmlReply(raw, limits);
}

/**
 * A JSON reply → a tree of strings. Numbers and booleans become their text (the gateway sends strings,
 * other senders may not); an integer JavaScript cannot hold exactly is refused rather than rounded.
 * `null` counts as absent.
 */
export function parseJsonReply(raw: string, limits: ReplyLimits = {}): ReplyObject {
  const maxDepth = limits.maxDepth ?? REPLY_MAX_DEPTH;
  checkSize(raw, limits.maxBytes ?? REPLY_MAX_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(raw));
  } catch {
    throw formatError('reply is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw formatError('reply must be a JSON object');
  }
  return jsonObject(parsed as Record<string, unknown>, 1, maxDepth);
}

function jsonNode(value: unknown, depth: number, maxDepth: number): ReplyNode | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return String(value);
    case 'number': {
      const text = String(value);
      if (Number.isSafeInteger(value) || (Number.isFinite(value) && /^-?[0-9]+\.[0-9]+$/.test(text))) return text;
      throw formatError('reply holds a number too large or too precise to read exactly');
    }
    case 'object': {
      if (value === null) return undefined;
      if (depth >= maxDepth) throw formatError(`reply is nested deeper than ${maxDepth} levels`);
      if (Array.isArray(value)) {
        const items: ReplyNode[] = [];
        for (const item of value) {
          const node = jsonNode(item, depth + 1, maxDepth);
          if (node !== undefined) items.push(node);
        }
        return items;
      }
      return jsonObject(value as Record<string, unknown>, depth + 1, maxDepth);
    }
    default:
      throw formatError('reply holds a value that is not JSON');
  }
}

function jsonObject(value: Record<string, unknown>, depth: number, maxDepth: number): ReplyObject {
  // No prototype, so a key named __proto__ or constructor can never reach Object.prototype.
  const out = Object.create(null) as Record<string, ReplyNode>;
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_FIELD_NAMES.has(key)) continue;
    const node = jsonNode(item, depth, maxDepth);
    if (node !== undefined) out[key] = node;
  }
  return out;
}

/**
 * An XML reply (`<faspay>` root) → a tree of strings: an element with children is an object, an element
 * repeated under one parent is an array, an empty element is `''`. DTDs, comments and any `<!` markup other
 * than CDATA are refused before parsing (XXE, entity expansion), as the request codec does.
 */
export function parseXmlReply(raw: string, limits: ReplyLimits = {}): ReplyObject {
  const maxDepth = limits.maxDepth ?? REPLY_MAX_DEPTH;
  checkSize(raw, limits.maxBytes ?? REPLY_MAX_BYTES);
  // Whitespace before the declaration (a PHP script's stray newline) is skipped, as detectFormat skips it.
  const document = readXml(stripBom(raw).trimStart(), maxDepth);
  const roots = typeof document === 'object' && document !== null ? Object.keys(document) : [];
  if (roots.length !== 1 || roots[0] !== XML_ROOT) throw formatError(`XML reply must have one root element <${XML_ROOT}>`);
  const root = xmlNode((document as Record<string, unknown>)[XML_ROOT], 1, maxDepth);
  if (root === '') return Object.create(null) as ReplyObject;
  if (typeof root !== 'object' || Array.isArray(root)) throw formatError(`<${XML_ROOT}> must contain one element per field`);
  return root as ReplyObject;
}

function xmlNode(value: unknown, depth: number, maxDepth: number): ReplyNode {
  if (depth > maxDepth) throw formatError(`reply is nested deeper than ${maxDepth} levels`);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => xmlNode(item, depth, maxDepth));
  if (typeof value !== 'object' || value === null) throw formatError('reply holds an unreadable XML value');
  const out = Object.create(null) as Record<string, ReplyNode>;
  for (const [name, item] of Object.entries(value)) {
    if (name === '#text') throw formatError('reply mixes text and elements');
    if (FORBIDDEN_FIELD_NAMES.has(name)) continue;
    out[name] = xmlNode(item, depth + 1, maxDepth);
  }
  return out;
}
