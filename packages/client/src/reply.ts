// A reply → the caller's Result: the envelope decides the outcome, the catalogue decides the fields.
import {
  OPERATIONS, ProtocolError, formatFromContentType, parseReplyBody,
  type OperationName, type ReplyNode, type ReplyObject,
} from '@ovo-tokenize/protocol';
import { OvoFormatError, errorFor } from './errors.ts';
import { ECHOED, ENVELOPE, tsName } from './names.ts';
import { wireAmount, wireValue } from './values.ts';
import type { Exchange } from './transport.ts';
import {
  FAILURE_CODES, type FailureCode, type HistoryTransaction, type NestedResults, type Result, type TopupInstruction,
} from './types.ts';

const SKIPPED: ReadonlySet<string> = new Set<string>([...ENVELOPE, ...ECHOED]);
const FAILURES: ReadonlySet<string> = new Set<string>(FAILURE_CODES);

/** Decodes a reply; throws the mapped error for everything that is not ok, failed or relink-required. */
export function toResult<Op extends OperationName>(op: Op, exchange: Exchange): Result<Op> {
  const { httpStatus, requestId, text: raw } = exchange;
  const refused = (message: string) => errorFor({ message, httpStatus, requestId, raw });
  const unreadable = (message: string) => new OvoFormatError(message, { code: 'invalid_reply', httpStatus, requestId, raw });

  const format = formatFromContentType(exchange.contentType);
  if (format === null) {
    const message = `HTTP ${httpStatus} with a reply of content type ${exchange.contentType ?? '(none)'}`;
    throw httpStatus >= 300 ? refused(message) : unreadable(message);
  }
  let reply: ReplyObject;
  try {
    reply = parseReplyBody(format, raw);
  } catch (error) {
    const reason = error instanceof ProtocolError ? error.message : String(error);
    throw httpStatus >= 300 ? refused(`HTTP ${httpStatus}: ${reason}`) : unreadable(reason);
  }
  const code = reply.response_code;
  const description = typeof reply.response_desc === 'string' ? reply.response_desc : '';
  if (typeof code !== 'string') {
    throw httpStatus >= 300 ? refused(`HTTP ${httpStatus} without a response_code`) : unreadable('reply has no response_code');
  }

  if (code === '00' && httpStatus >= 200 && httpStatus < 300) {
    return { outcome: 'ok', requestId, ...okFields(op, reply, unreadable) } as Result<Op>;
  }
  if (code === '02' && (OPERATIONS[op].reply as readonly string[]).includes('url')) {
    if (typeof reply.url !== 'string' || reply.url === '') throw unreadable('a 02 reply without the url to link again');
    return { outcome: 'relinkRequired', relinkUrl: reply.url, description, requestId } as Result<Op>;
  }
  if (FAILURES.has(code)) {
    return { outcome: 'failed', code: code as FailureCode, description, requestId } as Result<Op>;
  }
  throw errorFor({
    message: `${description || 'refused'} (response code ${code}, HTTP ${httpStatus}, request ${requestId})`,
    httpStatus, responseCode: code, requestId, raw,
  });
}

type Unreadable = (message: string) => OvoFormatError;

/** Every payload field of the catalogue's reply list, converted by kind; nested fields by their decoder. */
function okFields(op: OperationName, reply: ReplyObject, unreadable: Unreadable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const wire of OPERATIONS[op].reply as readonly string[]) {
    if (SKIPPED.has(wire)) continue;
    const node = reply[wire];
    if (Object.hasOwn(NESTED, wire)) {
      Object.assign(out, NESTED[wire as keyof NestedResults](node, unreadable));
      continue;
    }
    if (typeof node !== 'string') throw unreadable(`reply field ${wire} is ${node === undefined ? 'missing' : 'not a single value'}`);
    out[tsName(wire)] = wireValue(wire, node, (m) => unreadable(`reply field ${m}`));
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

/** One decoder per nested reply field, keyed like NestedResults. */
const NESTED: { readonly [W in keyof NestedResults]: (node: ReplyNode | undefined, unreadable: Unreadable) => NestedResults[W] } = {
  detail(node, unreadable) {
    const detail = group(node, 'detail', unreadable);
    return {
      cash: wireAmount('detail/cash/balance', text(group(detail.cash, 'detail/cash', unreadable), 'balance', 'detail/cash', unreadable), unreadable),
      points: wireAmount('detail/points/balance', text(group(detail.points, 'detail/points', unreadable), 'balance', 'detail/points', unreadable), unreadable),
    };
  },
  topup_instruction(node, unreadable) {
    const instructions = numbered(node, 'instruction', 'topup_instruction', unreadable).map((entry): TopupInstruction => ({
      option: text(entry, 'option', 'topup_instruction', unreadable),
      icon: text(entry, 'icon', 'topup_instruction', unreadable),
      url: text(entry, 'url', 'topup_instruction', unreadable),
    }));
    return { instructions };
  },
  list_transaction(node, unreadable) {
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
        const amt = wireAmount(`${where}/amount_detail/amt`, text(part, 'amt', `${where}/amount_detail`, unreadable), unreadable);
        if (type === 'cash') cash += amt;
        else if (type === 'points') points += amt;
        else throw unreadable(`unknown amount_detail type ${type}`);
      }
      return {
        trxId: text(row, 'trx_id', where, unreadable),
        paymentDate: text(row, 'payment_date', where, unreadable),
        status: text(row, 'status', where, unreadable),
        amount: wireAmount(`${where}/trx_amount`, text(row, 'trx_amount', where, unreadable), unreadable),
        cash,
        points,
      };
    });
    return { transactions };
  },
};
