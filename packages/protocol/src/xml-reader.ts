// The safe way in for XML, shared by the request codec and the reply codec: no DTD ever reaches the parser,
// only the five predefined entities and character references are decoded, and nesting is capped twice.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions } from 'fast-xml-parser';
import { ProtocolError } from './codes.ts';

function formatError(message: string, field?: string): ProtocolError {
  return new ProtocolError('30', message, field);
}

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

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

function safeXmlParser(maxDepth: number): XMLParser {
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
export function prescanXml(raw: string, maxDepth: number): void {
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


/** Pre-scan, well-formedness check and parse: the document as fast-xml-parser builds it. */
export function readXml(text: string, maxDepth: number): unknown {
  prescanXml(text, maxDepth);
  if (XMLValidator.validate(text) !== true) throw formatError('body is not well-formed XML');
  try {
    return safeXmlParser(maxDepth).parse(text);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // fast-xml-parser refuses __proto__/constructor/prototype element names itself (among others).
    throw formatError('body is not well-formed XML');
  }
}
