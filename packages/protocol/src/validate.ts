import { OPERATIONS } from './catalogue.ts';
import type { FieldSpec, OperationName, OperationSpec, ValidRequest } from './catalogue.ts';
import { ProtocolError } from './codes.ts';
import { normalizePhone, parseAmount, parseDate } from './formats.ts';

// C0 controls and DEL: never meaningful in a name, description or order number, and a log/CSV hazard.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/;
const INT_DIGITS_MAX = 9;

/**
 * Checks a decoded request against the catalogue. Mandatory fields are checked first (`83`, first
 * missing in catalogue order), then shapes (`30`, amounts `13`). Fields the catalogue does not list
 * are dropped; values are trimmed; empty optional fields are treated as absent.
 */
export function validateRequest<Op extends OperationName>(
  op: Op,
  fields: Record<string, string>,
): ValidRequest<Op> {
  const spec: OperationSpec = OPERATIONS[op];
  const present = new Map<string, string>();
  for (const field of spec.request) {
    const raw: unknown = Object.hasOwn(fields, field.name) ? fields[field.name] : undefined;
    if (typeof raw !== 'string') continue;
    const value = raw.trim();
    if (value !== '') present.set(field.name, value);
  }

  for (const field of spec.request) {
    if (field.required && !present.has(field.name)) {
      throw new ProtocolError('83', `${field.name} is mandatory`, field.name);
    }
  }

  const result: Record<string, string | bigint | number> = {};
  for (const field of spec.request) {
    const value = present.get(field.name);
    if (value !== undefined) result[field.name] = checkField(field, value);
  }
  return result as ValidRequest<Op>;
}

function formatError(field: FieldSpec, message: string): ProtocolError {
  return new ProtocolError('30', `${field.name} ${message}`, field.name);
}

function checkField(field: FieldSpec, value: string): string | bigint | number {
  switch (field.kind) {
    case 'text': {
      if (CONTROL_CHARACTERS.test(value)) throw formatError(field, 'must not contain control characters');
      checkMaxCharacters(field, value);
      return value;
    }
    case 'digits': {
      if (!/^[0-9]+$/.test(value)) throw formatError(field, 'must contain digits only');
      if (field.max !== undefined && value.length > field.max) {
        throw formatError(field, `must be at most ${field.max} digits`);
      }
      return value;
    }
    case 'phone': {
      const phone = normalizePhone(value);
      if (phone === null) {
        throw formatError(field, 'must be an Indonesian mobile number (08…, 10–13 digits)');
      }
      return phone;
    }
    case 'amount': {
      const amount = parseAmount(value);
      if (amount === null && /^[0-9]+(?:\.00?)?$/.test(value)) {
        throw new ProtocolError('13', `${field.name} is above the maximum amount`, field.name);
      }
      if (amount === null || amount <= 0n) {
        throw new ProtocolError(
          '13',
          `${field.name} must be a whole number of rupiah greater than 0`,
          field.name,
        );
      }
      return amount;
    }
    case 'date': {
      if (parseDate(value) === null) throw formatError(field, 'must be a date YYYY-MM-DD');
      return value;
    }
    case 'email': {
      // EMAIL alone lets a NUL through, which PostgreSQL cannot store.
      if (CONTROL_CHARACTERS.test(value)) throw formatError(field, 'must not contain control characters');
      checkMaxCharacters(field, value);
      if (!EMAIL.test(value)) throw formatError(field, 'must be an email address');
      return value;
    }
    case 'enum': {
      const values = field.values ?? [];
      if (!values.includes(value)) throw formatError(field, `must be one of: ${values.join(', ')}`);
      return value;
    }
    case 'int': {
      const n = /^[0-9]+$/.test(value) && value.length <= INT_DIGITS_MAX ? Number(value) : NaN;
      const tooSmall = field.min !== undefined && n < field.min;
      const tooLarge = field.max !== undefined && n > field.max;
      if (Number.isNaN(n) || tooSmall || tooLarge) throw formatError(field, `must be ${describeIntRange(field)}`);
      return n;
    }
  }
}

function checkMaxCharacters(field: FieldSpec, value: string): void {
  if (field.max === undefined) return;
  // Count code points, not UTF-16 units, so an emoji in a name counts as one character.
  let count = 0;
  for (const _ of value) {
    count += 1;
    if (count > field.max) throw formatError(field, `must be at most ${field.max} characters`);
  }
}

function describeIntRange(field: FieldSpec): string {
  if (field.min !== undefined && field.max !== undefined) {
    return `a whole number from ${field.min} to ${field.max}`;
  }
  if (field.min !== undefined) return `a whole number of at least ${field.min}`;
  if (field.max !== undefined) return `a whole number of at most ${field.max}`;
  return 'a whole number';
}
