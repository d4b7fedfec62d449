import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions } from 'fast-xml-parser';
import { ProtocolError } from './codes.ts';
import { FORBIDDEN_FIELD_NAMES, emptyFields, stripBom } from './decoded-fields.ts';
import { isReplyScalar, scalarToWire } from './reply-value.ts';
import type { ReplyValue } from './reply-value.ts';

export interface XmlLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

export const XML_MAX_BYTES = 64 * 1024;
export const XML_MAX_DEPTH = 8;

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const ROOT = 'faspay';

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

function formatError(message: string, field?: string): ProtocolError {
  return new ProtocolError('30', message, field);
}

/**
 * Only the five predefined entities and numeric character references exist in a document without a
 * DTD; anything else is a well-formedness error, which fast-xml-parser would otherwise leave as text.
 * One left-to-right pass, so `&amp;lt;` decodes to `&lt;` and never to `<`.
 */
function decodeReferences(text: string): string {
  return text.replace(/&([^&;]*)(;?)/g, (_whole, ref: string, semicolon: string) => {
    if (semicolon === ';') {
      const named = PREDEFINED_ENTITIES.get(ref);
      if (named !== undefined) return named;
      const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (numeric !== null) {
        const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
        if (isXmlChar(codePoint)) return String.fromCodePoint(codePoint);
      }
    }
    const shown = ref.length > 20 ? `${ref.slice(0, 20)}…` : ref;
    throw formatError(
      `XML reference &${shown}${semicolon} is not accepted (use &amp; &lt; &gt; &quot; &apos; or &#…;)`,
    );
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const strictDecoder: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: decodeReferences,
};

// A parser holds only options (each parse gets fresh state), so one per depth limit is reused.
const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    parser = newParser(maxDepth);
    parsers.set(maxDepth, parser);
  }
  return parser;
}

function newParser(maxDepth: number): XMLParser {
  return new XMLParser({
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreAttributes: true,
    processEntities: true,
    htmlEntities: false,
    entityDecoder: strictDecoder,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
  });
}

/**
 * Rejects what must never reach the parser: DTDs (XXE, entity expansion), any `<!` markup other than
 * CDATA (comments included: a request has no use for them), and nesting deeper than `maxDepth`.
 * The scan is rough (it is not a parser); the validator that follows catches malformed input, and
 * the parser's own nesting cap backs up the depth count.
 */
function prescan(raw: string, maxDepth: number): void {
  if (/<!\s*(?:doctype|entity)/i.test(raw)) {
    throw formatError('XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  let depth = 0;
  let i = raw.indexOf('<');
  while (i !== -1) {
    let resumeAt = i + 1;
    if (raw.startsWith('<![CDATA[', i)) {
      const end = raw.indexOf(']]>', i + 9);
      if (end === -1) throw formatError('body is not well-formed XML');
      resumeAt = end + 3;
    } else if (raw[i + 1] === '!') {
      throw formatError('XML comments and <! declarations other than CDATA are not accepted');
    } else if (raw[i + 1] === '?') {
      const end = raw.indexOf('?>', i + 2);
      if (end === -1) throw formatError('body is not well-formed XML');
      resumeAt = end + 2;
    } else if (raw[i + 1] === '/') {
      depth -= 1;
    } else {
      const end = tagEnd(raw, i + 1);
      if (end === -1) throw formatError('body is not well-formed XML');
      if (raw[end - 1] !== '/') {
        depth += 1;
        if (depth > maxDepth) throw formatError(`XML is nested deeper than ${maxDepth} levels`);
      }
      resumeAt = end + 1;
    }
    i = raw.indexOf('<', resumeAt);
  }
}

/** Index of the `>` closing the tag that starts before `from`, skipping quoted attribute values. */
function tagEnd(raw: string, from: number): number {
  for (let j = from; j < raw.length; j += 1) {
    const ch = raw[j];
    if (ch === '>') return j;
    if (ch === '"' || ch === "'") {
      j = raw.indexOf(ch, j + 1);
      if (j === -1) return -1;
    }
  }
  return -1;
}

/**
 * An XML request body (`<faspay>` with one simple text element per field) → its fields as strings.
 * Values stay text (`081234567890` keeps its leading zero); `<x/>` is `''`.
 */
export function parseXmlBody(raw: string, limits: XmlLimits = {}): Record<string, string> {
  const maxBytes = limits.maxBytes ?? XML_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? XML_MAX_DEPTH;
  // UTF-8 is never shorter than UTF-16 code units, so the cheap check settles most bodies.
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw formatError(`body is larger than ${maxBytes} bytes`);
  }
  const text = stripBom(raw);
  prescan(text, maxDepth);
  if (XMLValidator.validate(text) !== true) throw formatError('body is not well-formed XML');

  let document: unknown;
  try {
    document = parserFor(maxDepth).parse(text);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // fast-xml-parser refuses __proto__/constructor/prototype element names itself (among others).
    throw formatError('body is not well-formed XML');
  }
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
    if (Array.isArray(value)) throw formatError(`<${name}> appears more than once`, name);
    if (typeof value !== 'string') throw formatError(`${name} must be a single value`, name);
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
