import { ProtocolError } from './codes.ts';
import { FORBIDDEN_FIELD_NAMES, emptyFields, stripBom } from './decoded-fields.ts';
import { isReplyScalar, scalarToWire } from './reply-value.ts';
import type { ReplyValue } from './reply-value.ts';

/**
 * A JSON request body → its top-level fields as strings. Numbers keep their digits only while that is
 * exact: Node 20's JSON.parse gives no access to a number's source text, so an integer beyond 2^53 or a
 * number JavaScript would print in exponent form is refused (`30`) rather than silently altered.
 * Send such values (long ids, amounts) as strings. `null` counts as absent.
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

  const fields = emptyFields();
  for (const [name, value] of Object.entries(parsed)) {
    if (FORBIDDEN_FIELD_NAMES.has(name) || value === null) continue;
    switch (typeof value) {
      case 'string':
        fields[name] = value;
        break;
      case 'boolean':
        fields[name] = String(value);
        break;
      case 'number':
        fields[name] = numberToField(name, value);
        break;
      default:
        throw new ProtocolError('30', `${name} must be a single value`, name);
    }
  }
  return fields;
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
