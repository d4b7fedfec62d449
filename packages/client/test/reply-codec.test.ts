// Proves that the protocol's nested reply parser (parseReplyBody, added for the client) reads what the gateway's serialiser writes — balance, top-up instructions and history with repeated amount_detail — to the same tree in JSON and XML (whitespace before an XML declaration included), and refuses DTDs, comments, unknown entities, excessive depth or size, prototype keys and inexact numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtocolError, WIRE_FORMATS, parseJsonReply, parseReplyBody, parseXmlReply, serialize, type ReplyObject, type ReplyValue,
} from '@ovo-tokenize/protocol';

/** A reply as the gateway builds it (api/operations/*.ts), before serialisation. */
const HISTORY: Record<string, ReplyValue> = {
  response: 'History Transaction OVO Open API', phone_no: '081234567890', merchant_id: '99999', payment_channel: '720', merchant: 'Toko A & B',
  list_transaction: {
    transaction_1: { payment_date: '2025-06-01 12:00:00', status: 'SUCCESS', trx_id: '1000000000000002', trx_amount: 60_000n,
      amount_detail: [{ type: 'Cash', amt: 10_000n }, { type: 'Points', amt: 50_000n }] },
    transaction_2: { payment_date: '2025-06-01 11:00:00', status: 'CANCELLED', trx_id: '1000000000000001', trx_amount: 5n,
      amount_detail: [{ type: 'Cash', amt: 5n }, { type: 'Points', amt: 0n }] },
  },
  page: 1, limit: 10, total: 2, response_code: '00', response_desc: 'Success',
};

const BALANCE: Record<string, ReplyValue> = {
  response: 'Check Balance OVO Open API', phone_no: '081234567890', detail: { cash: { balance: 1_000_000n }, points: { balance: 0n } },
  response_code: '00', response_desc: 'Success',
};

/** The tree a reply should parse to: every scalar a string. */
function asStrings(value: ReplyValue): unknown {
  if (Array.isArray(value)) return value.map(asStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asStrings(v)]));
  return String(value);
}

/** Deep copy into ordinary objects, so prototype-less records compare with deepEqual. */
function plain(tree: unknown): unknown {
  return JSON.parse(JSON.stringify(tree));
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'parsed';
}

for (const format of WIRE_FORMATS) {
  test(`${format}: gateway replies with nested and repeated fields parse back to the tree they were written from`, () => {
    for (const reply of [HISTORY, BALANCE]) {
      const parsed = parseReplyBody(format, serialize(format, reply));
      assert.deepEqual(plain(parsed), asStrings(reply));
      assert.equal(Object.getPrototypeOf(parsed), null, 'no prototype to pollute');
    }
    const empty = parseReplyBody(format, serialize(format, { response_code: '00', list_transaction: {}, note: '' }));
    // JSON keeps the empty group; XML cannot tell an empty group from empty text.
    assert.deepEqual(plain(empty), { response_code: '00', list_transaction: format === 'json' ? {} : '', note: '' });
  });
}

test('XML: a lone repeated element is an object, escapes and CDATA decode, declarations, BOM and whitespace before them are fine', () => {
  const single = parseXmlReply(serialize('xml', { row: [{ type: 'Cash', amt: '5' }] }));
  assert.deepEqual(plain(single), { row: { type: 'Cash', amt: '5' } });
  const text = parseXmlReply('\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<faspay><m>A &amp; B &lt;3 &#x41;&#66;</m><c><![CDATA[<b>&amp;</b>]]></c><e/></faspay>');
  assert.deepEqual(plain(text), { m: 'A & B <3 AB', c: '<b>&amp;</b>', e: '' });
  // A PHP script's stray newline before the declaration; the first non-whitespace character is what detectFormat reads.
  assert.deepEqual(plain(parseXmlReply('\ufeff\r\n  <?xml version="1.0" encoding="UTF-8"?>\n<faspay><a>1</a></faspay>')), { a: '1' });
});

test('refused: DTDs, comments, unknown entities, depth, size, mixed content and a wrong root; JSON numbers only while exact', () => {
  const refused = [
    () => parseXmlReply('<?xml version="1.0"?><!DOCTYPE faspay [<!ENTITY x SYSTEM "file:///etc/passwd">]><faspay><a>&x;</a></faspay>'),
    () => parseXmlReply('<faspay><!-- hi --><a>1</a></faspay>'),
    () => parseXmlReply('<faspay><a>&nbsp;</a></faspay>'),
    () => parseXmlReply('<faspay><a>1</a>'),
    () => parseXmlReply('<other><a>1</a></other>'),
    () => parseXmlReply('<faspay>text<a>1</a></faspay>'),
    () => parseXmlReply(`<faspay>${'<a>'.repeat(9)}x${'</a>'.repeat(9)}</faspay>`),
    () => parseXmlReply(`<faspay><a>${'x'.repeat(2_000)}</a></faspay>`, { maxBytes: 1_000 }),
    () => parseJsonReply('[1,2]'),
    () => parseJsonReply('{"a":'),
    () => parseJsonReply('{"a":12345678901234567890}'),
    () => parseJsonReply('{"a":1e21}'),
    () => parseJsonReply(`{"a":${'{"a":'.repeat(9)}1${'}'.repeat(9)}}`),
  ];
  assert.deepEqual(refused.map(code), refused.map(() => '30'));

  const json = parseJsonReply('{"__proto__":{"polluted":"yes"},"constructor":"x","n":12,"d":"1.50","b":true,"z":null,"list":[1,null,"2"]}');
  assert.deepEqual(plain(json), { n: '12', d: '1.50', b: 'true', list: ['1', '2'] });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // fast-xml-parser refuses such element names itself.
  assert.equal(code(() => parseXmlReply('<faspay><__proto__><polluted>yes</polluted></__proto__><a>1</a></faspay>')), '30');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const xml: ReplyObject = parseXmlReply('<faspay><a>1</a></faspay>');
  assert.deepEqual(plain(xml), { a: '1' });
});
