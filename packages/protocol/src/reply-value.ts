/** A reply or outgoing message before encoding; `null`/`undefined` fields are left out. */
export type ReplyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | ReplyValue[]
  | { [key: string]: ReplyValue };

export type ReplyScalar = string | number | bigint | boolean;

export function isReplyScalar(value: ReplyValue): value is ReplyScalar {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
}

/** Every scalar goes on the wire as a string, as in the guide's samples. */
export function scalarToWire(value: ReplyScalar): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`cannot encode a non-finite number: ${value}`);
  }
  return String(value);
}
