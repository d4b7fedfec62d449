// A reply → the caller's Result: the response code decides the outcome, the catalogue decides the fields.
import {
  OPERATIONS, ProtocolError, detectFormat, parseReplyBody,
  type OperationName, type ReplyNode, type ReplyObject,
} from '@ovo-tokenize/protocol';
import { OvoFormatError, errorFor, type OvoTokenizeError } from './errors.ts';
import { ECHOED, ENVELOPE, tsName } from './names.ts';
import { wireAmount, wireValue, type AmountDecimals } from './values.ts';
import type { Exchange } from './transport.ts';
import {
  FAILURE_CODES, type FailureCode, type HistoryTransaction, type NestedResults, type Result, type TopupInstruction,
} from './types.ts';

const SKIPPED: ReadonlySet<string> = new Set<string>([...ENVELOPE, ...ECHOED]);
const FAILURES: ReadonlySet<string> = new Set<string>(FAILURE_CODES);

type Unreadable = (message: string) => OvoFormatError;

/** How one reply is read: the error for a part that cannot be, and the merchant's amount scale. */
interface Reader {
  readonly unreadable: Unreadable;
  readonly decimals: AmountDecimals;
}

/**
 * Decodes a reply; throws the mapped error for everything that is not ok, failed or relink-required. The
 * gateway answers every protocol reply with HTTP 200, so the response code decides, whatever the status —
 * except 429 (slow down) and 5xx (the gateway failed), which are never an answer. Only `00` with a 2xx is ok.
 */
export function toResult<Op extends OperationName>(op: Op, exchange: Exchange, decimals: AmountDecimals): Result<Op> {
  const { httpStatus, requestId, text: raw } = exchange;
  const unreadable: Unreadable = (message) => new OvoFormatError(message, { code: 'invalid_reply', httpStatus, requestId, raw });
  // Without a protocol reply a non-2xx is reported by its status: a proxy's page, a wrong path, a redirect.
  const notAReply = (message: string): OvoTokenizeError => httpStatus >= 300
    ? errorFor({ message: `HTTP ${httpStatus}: ${message}`, httpStatus, requestId, raw })
    : unreadable(message);

  const reply = readReply(exchange.contentType, raw, notAReply);
  const code = reply.response_code;
  if (typeof code !== 'string') throw notAReply('reply has no response_code');
  const description = typeof reply.response_desc === 'string' ? reply.response_desc : '';

  if (httpStatus !== 429 && httpStatus < 500) {
    if (code === '00' && httpStatus >= 200 && httpStatus < 300) {
      return { outcome: 'ok', requestId, ...okFields(op, reply, { unreadable, decimals }) } as Result<Op>;
    }
    if (code === '02' && (OPERATIONS[op].reply as readonly string[]).includes('url')) {
      if (typeof reply.url !== 'string' || reply.url === '') throw unreadable('a 02 reply without the url to link again');
      return { outcome: 'relinkRequired', relinkUrl: reply.url, description, requestId } as Result<Op>;
    }
    if (FAILURES.has(code)) {
      return { outcome: 'failed', code: code as FailureCode, description, requestId } as Result<Op>;
    }
  }
  throw errorFor({
    message: `${description || 'refused'} (response code ${code}, HTTP ${httpStatus}, request ${requestId})`,
    httpStatus, responseCode: code, requestId, raw,
  });
}

/**
 * The reply's fields, read the way the gateway reads requests (PROTOCOL.md §1.1): a Content-Type naming
 * JSON or XML decides, any other (a PHP proxy labels XML text/html) or none leaves it to the first character.
 */
function readReply(contentType: string | undefined, raw: string, notAReply: (message: string) => OvoTokenizeError): ReplyObject {
  const format = detectFormat(contentType, raw);
  if (format === null) throw notAReply(`a reply of content type ${contentType ?? '(none)'} that is neither JSON nor XML`);
  try {
    return parseReplyBody(format, raw);
  } catch (error) {
    throw notAReply(error instanceof ProtocolError ? error.message : String(error));
  }
}

/**
 * Every payload field of the catalogue's reply list, converted by kind; nested fields by their decoder.
 * Only a `00` reply is read this way, and it must hold every value: an amount, a count or the balance
 * `detail` that is `''` (how replies write "no value") is refused; a list that is `''` is empty (XML cannot
 * tell an empty group from empty text). The `''` fields of error replies are never read.
 */
function okFields(op: OperationName, reply: ReplyObject, read: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const wire of OPERATIONS[op].reply as readonly string[]) {
    if (SKIPPED.has(wire)) continue;
    const node = reply[wire];
    if (Object.hasOwn(NESTED, wire)) {
      Object.assign(out, NESTED[wire as keyof NestedResults](node, read));
      continue;
    }
    if (typeof node !== 'string') throw read.unreadable(`reply field ${wire} is ${node === undefined ? 'missing' : 'not a single value'}`);
    out[tsName(wire)] = wireValue(wire, node, (m) => read.unreadable(`reply field ${m}`), read.decimals);
  }
  return out;
}

/** `instruction_1`, `instruction_2`, … of a nested reply, in numeric order. An empty XML element is `''`. */
function numbered(node: ReplyNode | undefined, prefix: string, wire: string, unreadable: Unreadable): ReplyObject[] {
  if (node === '') return [];
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) throw unreadable(`reply field ${wire} is missing or not a group`);
  const pattern = new RegExp(`^${prefix}_([0-9]+)$`);
  const entries: Array<[number, ReplyObject]> = [];
  for (const [key, value] of Object.entries(node as ReplyObject)) {
    const match = pattern.exec(key);
    if (match === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw unreadable(`reply field ${wire}/${key} is not a group`);
    entries.push([Number(match[1]), value as ReplyObject]);
  }
  return entries.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

function text(group: ReplyObject, name: string, where: string, unreadable: Unreadable): string {
  const value = group[name];
  if (typeof value !== 'string') throw unreadable(`reply field ${where}/${name} is missing`);
  return value;
}

function group(node: ReplyNode | undefined, where: string, unreadable: Unreadable): ReplyObject {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) throw unreadable(`reply field ${where} is missing or not a group`);
  return node as ReplyObject;
}

/** A wire amount inside a nested field, in whole rupiah. */
function amount(read: Reader, where: string, value: string): bigint {
  return wireAmount(where, value, read.unreadable, read.decimals);
}

/** One decoder per nested reply field, keyed like NestedResults. */
const NESTED: { readonly [W in keyof NestedResults]: (node: ReplyNode | undefined, read: Reader) => NestedResults[W] } = {
  detail(node, read) {
    const { unreadable } = read;
    const detail = group(node, 'detail', unreadable);
    return {
      cash: amount(read, 'detail/cash/balance', text(group(detail.cash, 'detail/cash', unreadable), 'balance', 'detail/cash', unreadable)),
      points: amount(read, 'detail/points/balance', text(group(detail.points, 'detail/points', unreadable), 'balance', 'detail/points', unreadable)),
    };
  },
  topup_instruction(node, { unreadable }) {
    const instructions = numbered(node, 'instruction', 'topup_instruction', unreadable).map((entry): TopupInstruction => ({
      option: text(entry, 'option', 'topup_instruction', unreadable),
      icon: text(entry, 'icon', 'topup_instruction', unreadable),
      url: text(entry, 'url', 'topup_instruction', unreadable),
    }));
    return { instructions };
  },
  list_transaction(node, read) {
    const { unreadable } = read;
    const transactions = numbered(node, 'transaction', 'list_transaction', unreadable).map((row): HistoryTransaction => {
      const where = 'list_transaction/transaction';
      // JSON sends amount_detail as an array, XML as a repeated element (a lone one parses as an object).
      const detailNode = row.amount_detail;
      const details = detailNode === undefined || detailNode === '' ? [] : Array.isArray(detailNode) ? detailNode : [detailNode];
      let cash = 0n;
      let points = 0n;
      for (const entry of details) {
        const part = group(entry as ReplyNode, `${where}/amount_detail`, unreadable);
        const type = text(part, 'type', `${where}/amount_detail`, unreadable).toLowerCase();
        const amt = amount(read, `${where}/amount_detail/amt`, text(part, 'amt', `${where}/amount_detail`, unreadable));
        if (type === 'cash') cash += amt;
        else if (type === 'points') points += amt;
        else throw unreadable(`unknown amount_detail type ${type}`);
      }
      return {
        trxId: text(row, 'trx_id', where, unreadable),
        paymentDate: text(row, 'payment_date', where, unreadable),
        status: text(row, 'status', where, unreadable),
        amount: amount(read, `${where}/trx_amount`, text(row, 'trx_amount', where, unreadable)),
        cash,
        points,
      };
    });
    return { transactions };
  },
};
