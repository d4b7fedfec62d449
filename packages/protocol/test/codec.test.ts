// Proves the JSON and XML codecs decode the guide's samples to the same fields and encode replies the same way in both formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import {
  ProtocolError,
  WIRE_FORMATS,
  parseBody,
  parseJsonBody,
  parseXmlBody,
  serialize,
  serializeJson,
  serializeXml,
  validateRequest,
} from '../src/index.ts';
import type { ReplyValue, WireFormat } from '../src/index.ts';

// Verbatim from PROTOCOL.md §4.1.
const GUIDE_JSON = `{"request":"Account Activation OVO OpenAPI","merchant_id":"99999","payment_channel":"720",
 "phone_no":"081382826301","cust_name":"Andrea Hinata","signature":"1d4c5f7246a762c4ab61cd3d399efa4c28978bf3"}`;
const GUIDE_XML = `<?xml version="1.0" encoding="UTF-8" ?>
<faspay>
<request>Account Activation OVO OpenAPI</request>
<merchant_id>99999</merchant_id>
<payment_channel>720</payment_channel>
<phone_no>081382826301</phone_no>
<cust_name>Andrea Hinata</cust_name>
<signature>1d4c5f7246a762c4ab61cd3d399efa4c28978bf3</signature>
</faspay>`;

const GUIDE_FIELDS = {
  request: 'Account Activation OVO OpenAPI',
  merchant_id: '99999',
  payment_channel: '720',
  phone_no: '081382826301',
  cust_name: 'Andrea Hinata',
  signature: '1d4c5f7246a762c4ab61cd3d399efa4c28978bf3',
};

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error.code;
  }
  return 'no error';
}

test('the guide\'s two activation samples decode to the same fields and validate', () => {
  const fromJson = parseJsonBody(GUIDE_JSON);
  const fromXml = parseXmlBody(GUIDE_XML);
  assert.deepEqual(fromJson, fromXml);
  assert.deepEqual({ ...fromJson }, GUIDE_FIELDS);
  assert.equal(Object.getPrototypeOf(fromJson), null);
  assert.equal(Object.getPrototypeOf(fromXml), null);
  for (const fields of [fromJson, fromXml]) {
    const valid = validateRequest('activation', fields);
    assert.equal(valid.phone_no, '081382826301');
    assert.equal(valid.merchant_id, '99999');
  }
});

test('JSON numbers become the same strings as quoted values', () => {
  assert.deepEqual(parseJsonBody('{"merchant_id": 99999}'), parseJsonBody('{"merchant_id": "99999"}'));
  assert.deepEqual({ ...parseJsonBody('{"a": 10.5, "b": -5, "e": 0}') }, { a: '10.5', b: '-5', e: '0' });
  assert.equal(parseJsonBody('{"bill_total": 10000.00}').bill_total, '10000');
});

test('JSON numbers with an exponent and JSON booleans are refused with 30, while strings holding them are kept', () => {
  for (const body of ['{"bill_total": 5e4}', '{"bill_total": 7.1001e4}', '{"page": 1e0}', '{"x": 1E+2}', '{"cust_name": true}', '{"a": false}']) {
    assert.throws(() => parseJsonBody(body), (e: unknown) => e instanceof ProtocolError && e.code === '30', body);
  }
  assert.deepEqual({ ...parseJsonBody('{"bill_desc": "5e4 \\"1e3\\" true", "n": 12}') }, { bill_desc: '5e4 "1e3" true', n: '12' });
});

test('JSON null counts as absent', () => {
  assert.deepEqual({ ...parseJsonBody('{"merchant":null,"bill_no":"1"}') }, { bill_no: '1' });
});

test('JSON numbers that cannot be kept exact are refused with 30', () => {
  for (const body of [
    '{"trx_id": 12345678901234567890}',
    '{"x": 1e21}',
    '{"x": 1e400}',
    '{"x": 1e-7}',
  ]) {
    assert.equal(codeOf(() => parseJsonBody(body)), '30', body);
  }
  assert.match(
    (() => { try { parseJsonBody('{"trx_id": 12345678901234567890}'); } catch (e) { return (e as Error).message; } return ''; })(),
    /^trx_id .*send it as a string$/,
  );
});

test('JSON that is not an object is refused with 30; lists and objects inside are dropped like unknown fields', () => {
  for (const body of ['', 'not json', '{"a":1', '[]', '"x"', '42', 'null']) {
    assert.equal(codeOf(() => parseJsonBody(body)), '30', body);
  }
  // Faspay debit clients send an `item` list with every payment.
  assert.deepEqual({ ...parseJsonBody('{"bill_no":"B1","item":[{"product":"x","qty":1}],"meta":{"a":1}}') }, { bill_no: 'B1' });
  assert.equal(codeOf(() => validateRequest('balance', parseJsonBody('{"merchant_id":"1","payment_channel":"720","phone_no":["081"],"signature":"x"}'))), '83');
  assert.equal(codeOf(() => parseJsonBody('\ufeff{"a":"1"}')), 'no error');
});

test('XML repeated and nested elements are dropped like unknown fields', () => {
  assert.deepEqual({ ...parseXmlBody('<faspay><bill_no>B1</bill_no><item><product>x</product></item><item><product>y</product></item></faspay>') }, { bill_no: 'B1' });
  assert.deepEqual({ ...parseXmlBody('<faspay><a>1</a><a>2</a></faspay>') }, {});
});

test('XML values stay text: leading zeros, empty elements, entities, CDATA', () => {
  const fields = parseXmlBody(
    '<faspay><phone_no>081234567890</phone_no><a/><b></b><c>  x  </c>' +
      '<d>Kopi &amp; Teh &lt;3 &#65;&#x42; &amp;lt;</d><e><![CDATA[<b>&amp;</b>]]></e><f>1e3</f></faspay>',
  );
  assert.deepEqual({ ...fields }, {
    phone_no: '081234567890', a: '', b: '', c: 'x', d: 'Kopi & Teh <3 AB &lt;', e: '<b>&amp;</b>', f: '1e3',
  });
  assert.deepEqual({ ...parseXmlBody('<faspay/>') }, {});
  assert.deepEqual({ ...parseXmlBody('<faspay merchant="x"><a id="1">v</a></faspay>') }, { a: 'v' });
});

test('XML that is not one <faspay> of elements is refused with 30', () => {
  for (const body of [
    '',
    'not xml',
    '<faspay><a>1</a>',
    '<faspay><a>1</b></faspay>',
    '<request><a>1</a></request>',
    '<faspay></faspay><faspay></faspay>',
    '<faspay></faspay><other/>',
    '<faspay>loose text<a>1</a></faspay>',
    '<faspay>loose text</faspay>',
    '<faspay><a>&nbsp;</a></faspay>',
    '<faspay><a>&foo;</a></faspay>',
    '<faspay><a>&#0;</a></faspay>',
    '<faspay><a>&#xD800;</a></faspay>',
  ]) {
    assert.equal(codeOf(() => parseXmlBody(body)), '30', body);
  }
});

const NESTED_REPLY: ReplyValue = {
  response: 'History Transaction OVO Open API',
  phone_no: '081382826301',
  merchant_id: 99999,
  merchant: undefined,
  list_transaction: {
    transaction_1: {
      payment_date: '2024-01-02 00:30:00',
      status: 'SUCCESS',
      trx_id: '1234567890123456',
      trx_amount: 15000n,
      amount_detail: [
        { type: 'Cash', amt: 10000n },
        { type: 'Points', amt: 5000n },
      ],
    },
  },
  page: 1,
  limit: 10,
  total: 1,
  flag: true,
  note: null,
  response_code: '00',
  response_desc: 'Success & "done" <ok>',
};

const NESTED_ON_WIRE = {
  response: 'History Transaction OVO Open API',
  phone_no: '081382826301',
  merchant_id: '99999',
  list_transaction: {
    transaction_1: {
      payment_date: '2024-01-02 00:30:00',
      status: 'SUCCESS',
      trx_id: '1234567890123456',
      trx_amount: '15000',
      amount_detail: [
        { type: 'Cash', amt: '10000' },
        { type: 'Points', amt: '5000' },
      ],
    },
  },
  page: '1',
  limit: '10',
  total: '1',
  flag: 'true',
  response_code: '00',
  response_desc: 'Success & "done" <ok>',
};

// A reader for whole replies (the codecs' parse functions take flat requests only).
const readReply: Record<WireFormat, (text: string) => unknown> = {
  json: (text) => JSON.parse(text),
  xml: (text) =>
    (new XMLParser({ parseTagValue: false, isArray: (name) => name === 'amount_detail' }).parse(text) as {
      faspay: unknown;
    }).faspay,
};

for (const format of WIRE_FORMATS) {
  test(`${format}: a nested reply with an array is written with every scalar as a string, in key order`, () => {
    const text = serialize(format, NESTED_REPLY);
    assert.deepEqual(readReply[format](text), NESTED_ON_WIRE);
    const keys = Object.keys(readReply[format](text) as object);
    assert.deepEqual(keys, Object.keys(NESTED_ON_WIRE));
  });

  test(`${format}: a flat message round-trips through serialize and parseBody`, () => {
    const message = {
      request: 'Payment Notification',
      trx_id: '1234567890123456',
      merchant_id: '99999',
      bill_no: 'INV-<1>&\'2\'',
      payment_status_code: '2',
      bill_total: 10000n,
      phone_no: '081234567890',
      empty: '',
      skipped: undefined,
    };
    const { skipped: _skipped, ...expected } = { ...message, bill_total: '10000' };
    assert.deepEqual({ ...parseBody(format, serialize(format, message)) }, expected);
  });
}

test('XML replies start with the declaration and escape text', () => {
  const xml = serializeXml({ response: 'a & b', response_code: '00', x: '\u0001' });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<faspay>\n  <response>a &amp; b</response>\n' +
      '  <response_code>00</response_code>\n  <x>\ufffd</x>\n</faspay>',
  );
  assert.throws(() => serializeXml('x'), TypeError);
  assert.throws(() => serializeXml({ 'bad name': '1' }), TypeError);
});

test('JSON replies carry every scalar as a string and omit null/undefined', () => {
  assert.equal(
    serializeJson({ a: 1, b: 2n, c: false, d: null, e: undefined, f: [1, null, 'x'], g: { h: 0 } }),
    '{"a":"1","b":"2","c":"false","f":["1","x"],"g":{"h":"0"}}',
  );
  assert.throws(() => serializeJson({ a: Number.NaN }), TypeError);
});
