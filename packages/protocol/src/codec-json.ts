import { ProtocolError } from './codes.ts';
import { FORBIDDEN_FIELD_NAMES, emptyFields, stripBom } from './decoded-fields.ts';
import { isReplyScalar, scalarToWire } from './reply-value.ts';
import type { ReplyValue } from './reply-value.ts';

/**
 * A JSON request body → its top-level fields as strings. Numbers keep their digits only while that is
 * exact and written plainly: Node 20's JSON.parse gives no access to a number's source text, so the text is
 * checked for exponents first (`5e4` would otherwise become `50000`), and an integer beyond 2^53 is refused
 * (`30`) rather than silently altered. Booleans are refused too: no field is a yes/no, and `true` read as
 * the text "true" would pass for a name. Send long ids and amounts as strings. `null`, lists and objects
 * count as absent.
 */
export function parseJsonBody(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(raw));
  } catch {
    throw new ProtocolError('30', 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError('30', 'body must be a JSON object');
  }

  if (hasExponentNumber(raw)) throw new ProtocolError('30', 'numbers must be written without an exponent');
  const fields = emptyFields();
  for (const [name, value] of Object.entries(parsed)) {
    if (FORBIDDEN_FIELD_NAMES.has(name) || value === null) continue;
    switch (typeof value) {
      case 'string':
        fields[name] = value;
        break;
      case 'boolean':
        throw new ProtocolError('30', `${name} must be a string or a number, not ${value}`, name);
      case 'number':
        fields[name] = numberToField(name, value);
        break;
      default:
        // Lists and objects (a debit client's `item` list) are no operation's field: dropped like unknown
        // fields, so a catalogue field sent that way is absent.
        break;
    }
  }
  return fields;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** Outside strings, the only letters JSON allows are in true/false/null, where no `e` follows a digit. */
function hasExponentNumber(raw: string): boolean {
  return /[0-9.][eE]/.test(raw.replace(JSON_STRING, '""'));
}

function numberToField(name: string, value: number): string {
  const text = String(value);
  if (Number.isSafeInteger(value) || (Number.isFinite(value) && /^-?[0-9]+\.[0-9]+$/.test(text))) {
    return text;
  }
  throw new ProtocolError(
    '30',
    `${name} is a number too large or too precise to keep exact; send it as a string`,
    name,
  );
}

/** Encodes a reply with every scalar as a string, leaving out null/undefined, keeping key order. */
export function serializeJson(reply: ReplyValue): string {
  return JSON.stringify(toWire(reply) ?? null);
}

type Wire = string | Wire[] | { [key: string]: Wire };

function toWire(value: ReplyValue): Wire | undefined {
  if (value === null || value === undefined) return undefined;
  if (isReplyScalar(value)) return scalarToWire(value);
  if (Array.isArray(value)) {
    const items: Wire[] = [];
    for (const item of value) {
      const wire = toWire(item);
      if (wire !== undefined) items.push(wire);
    }
    return items;
  }
  const out: { [key: string]: Wire } = {};
  for (const [key, item] of Object.entries(value)) {
    const wire = toWire(item);
    // defineProperty so that a key named __proto__ is an ordinary field, not a prototype switch.
    if (wire !== undefined) Object.defineProperty(out, key, { value: wire, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
