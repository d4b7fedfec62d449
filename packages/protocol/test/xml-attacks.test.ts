// Proves hostile bodies (XXE, entity expansion, deep nesting, oversize, prototype pollution) are refused with 30 and change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, parseJsonBody, parseXmlBody } from '../src/index.ts';

function refusal(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error;
  }
  assert.fail('expected a ProtocolError');
}

function assertNotPolluted(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
}

const DTD_MESSAGE = 'XML with a DOCTYPE or ENTITY declaration is not accepted';

test('classic XXE with an external entity is refused before parsing', () => {
  const body = `<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<faspay><cust_name>&xxe;</cust_name></faspay>`;
  const error = refusal(() => parseXmlBody(body));
  assert.equal(error.code, '30');
  assert.equal(error.message, DTD_MESSAGE);
});

test('billion laughs is refused before parsing', () => {
  const body = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<faspay><cust_name>&lol4;</cust_name></faspay>`;
  const error = refusal(() => parseXmlBody(body));
  assert.equal(error.code, '30');
  assert.equal(error.message, DTD_MESSAGE);
});

test('declarations are found in any case and anywhere', () => {
  for (const body of [
    '<!doctype faspay><faspay/>',
    '<!DocType faspay><faspay/>',
    '<faspay><a>x</a><!ENTITY e "y"></faspay>',
    '<faspay><a><![CDATA[<!DOCTYPE x>]]></a></faspay>',
  ]) {
    const error = refusal(() => parseXmlBody(body));
    assert.equal(error.code, '30', body);
    assert.equal(error.message, DTD_MESSAGE, body);
  }
});

test('any other <! markup, comments included, is refused', () => {
  for (const body of [
    '<faspay><!-- hello --><a>1</a></faspay>',
    '<faspay><!ELEMENT a ANY><a>1</a></faspay>',
    '<faspay><!ATTLIST a b CDATA #IMPLIED><a>1</a></faspay>',
    '<faspay><![INCLUDE[<a>1</a>]]></faspay>',
  ]) {
    assert.equal(refusal(() => parseXmlBody(body)).code, '30', body);
  }
});

test('deep nesting is refused by the pre-scan', () => {
  const depth = 5_000;
  const body = `<faspay>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</faspay>`;
  const error = refusal(() => parseXmlBody(body));
  assert.equal(error.code, '30');
  assert.match(error.message, /nested deeper than 8/);
  assert.equal(refusal(() => parseXmlBody('<faspay><a><b>1</b></a></faspay>', { maxDepth: 2 })).code, '30');
  // A "/>" inside an attribute value must not hide an opening tag from the count.
  const hidden = `<faspay>${'<a x="/>">'.repeat(9)}1${'</a>'.repeat(9)}</faspay>`;
  assert.match(refusal(() => parseXmlBody(hidden)).message, /nested deeper than 8/);
});

test('an oversized body is refused before parsing', () => {
  const body = `<faspay><cust_name>${'A'.repeat(70 * 1024)}</cust_name></faspay>`;
  const error = refusal(() => parseXmlBody(body));
  assert.equal(error.code, '30');
  assert.match(error.message, /larger than 65536 bytes/);
  assert.equal(refusal(() => parseXmlBody('<faspay><a>é</a></faspay>', { maxBytes: 25 })).code, '30');
  assert.deepEqual({ ...parseXmlBody('<faspay><a>é</a></faspay>', { maxBytes: 26 }) }, { a: 'é' });
});

test('a root other than <faspay> is refused', () => {
  for (const body of ['<root><a>1</a></root>', '<FASPAY><a>1</a></FASPAY>', '<x:faspay xmlns:x="u"><a>1</a></x:faspay>']) {
    const error = refusal(() => parseXmlBody(body));
    assert.equal(error.code, '30', body);
  }
});

test('XML element names that reach the prototype are refused and pollute nothing', () => {
  for (const body of [
    '<faspay><__proto__><polluted>1</polluted></__proto__></faspay>',
    '<faspay><__proto__>1</__proto__></faspay>',
    '<faspay><constructor><prototype><polluted>1</polluted></prototype></constructor></faspay>',
    '<faspay><prototype>1</prototype></faspay>',
  ]) {
    assert.equal(refusal(() => parseXmlBody(body)).code, '30', body);
    assertNotPolluted();
  }
  const fields = parseXmlBody('<faspay><toString>1</toString><hasOwnProperty>2</hasOwnProperty></faspay>');
  assert.equal(Object.getPrototypeOf(fields), null);
  assertNotPolluted();
});

test('JSON __proto__, constructor and prototype keys are dropped and pollute nothing', () => {
  const fields = parseJsonBody(
    '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"prototype":"x","phone_no":"081"}',
  );
  assert.deepEqual(Object.keys(fields), ['phone_no']);
  assert.equal(Object.getPrototypeOf(fields), null);
  assertNotPolluted();
  const scalar = parseJsonBody('{"__proto__":"x","toString":"1"}');
  assert.deepEqual(Object.keys(scalar), ['toString']);
  assertNotPolluted();
});
