import { ProtocolError } from './codes.ts';
import { FORBIDDEN_FIELD_NAMES, emptyFields, stripBom } from './decoded-fields.ts';
import { isReplyScalar, scalarToWire } from './reply-value.ts';
import { readXml } from './xml-reader.ts';
import type { ReplyValue } from './reply-value.ts';

export interface XmlLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

export const XML_MAX_BYTES = 64 * 1024;
export const XML_MAX_DEPTH = 8;

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const ROOT = 'faspay';

function formatError(message: string, field?: string): ProtocolError {
  return new ProtocolError('30', message, field);
}

/**
 * An XML request body (`<faspay>` with one simple text element per field) → its fields as strings.
 * Values stay text (`081234567890` keeps its leading zero); `<x/>` is `''`; repeated and nested elements
 * are left out.
 */
export function parseXmlBody(raw: string, limits: XmlLimits = {}): Record<string, string> {
  const maxBytes = limits.maxBytes ?? XML_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? XML_MAX_DEPTH;
  // UTF-8 is never shorter than UTF-16 code units, so the cheap check settles most bodies.
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw formatError(`body is larger than ${maxBytes} bytes`);
  }
  const document = readXml(stripBom(raw).trimStart(), maxDepth);
  return fieldsOf(document);
}

function fieldsOf(document: unknown): Record<string, string> {
  const roots = typeof document === 'object' && document !== null ? Object.keys(document) : [];
  if (roots.length !== 1 || roots[0] !== ROOT) {
    throw formatError(`XML must have exactly one root element <${ROOT}>`);
  }
  const root: unknown = (document as Record<string, unknown>)[ROOT];
  const fields = emptyFields();
  if (root === '') return fields;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw formatError(`<${ROOT}> must contain one element per field`);
  }
  for (const [name, value] of Object.entries(root)) {
    if (name === '#text') throw formatError(`text directly inside <${ROOT}> is not accepted`);
    if (FORBIDDEN_FIELD_NAMES.has(name)) continue;
    // Repeated or nested elements (a debit client's <item> list) are no operation's field: dropped like unknown
    // fields, so a catalogue field sent that way is absent.
    if (typeof value !== 'string') continue;
    fields[name] = value;
  }
  return fields;
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry at all, even escaped.
const NON_XML_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeText(text: string): string {
  return text
    .replace(NON_XML_CHARACTERS, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * `<?xml …?>` then `<faspay>` with one element per field: objects nest, arrays repeat the element
 * under the array's own key, null/undefined are left out. Element names come from our code, so they
 * are asserted rather than escaped.
 */
export function serializeXml(reply: ReplyValue): string {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    throw new TypeError('an XML reply must be an object of fields');
  }
  const lines: string[] = [XML_DECLARATION, `<${ROOT}>`];
  writeChildren(lines, reply, '  ');
  lines.push(`</${ROOT}>`);
  return lines.join('\n');
}

function writeChildren(lines: string[], fields: { [key: string]: ReplyValue }, indent: string): void {
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) {
      for (const item of value) writeElement(lines, name, item, indent);
    } else {
      writeElement(lines, name, value, indent);
    }
  }
}

function writeElement(lines: string[], name: string, value: ReplyValue, indent: string): void {
  if (value === null || value === undefined) return;
  if (!XML_NAME.test(name) || /^xml/i.test(name)) throw new TypeError(`not an XML element name: ${name}`);
  if (isReplyScalar(value)) {
    lines.push(`${indent}<${name}>${escapeText(scalarToWire(value))}</${name}>`);
    return;
  }
  if (Array.isArray(value)) throw new TypeError(`nested arrays cannot be written as XML (${name})`);
  lines.push(`${indent}<${name}>`);
  writeChildren(lines, value, `${indent}  `);
  lines.push(`${indent}</${name}>`);
}
