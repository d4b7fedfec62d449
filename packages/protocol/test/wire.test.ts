// Proves the wire format is chosen from Content-Type, else from the body's first character, as spec §1.1 says, and that parse/serialize dispatch to the right codec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeOf, detectFormat, formatFromContentType, parseBody, serialize } from '../src/index.ts';

test('JSON content types', () => {
  for (const ct of [
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON;charset=UTF-8',
    ' application/json ',
    'application/problem+json',
    'application/vnd.faspay+json; v=1',
  ]) {
    assert.equal(formatFromContentType(ct), 'json', ct);
  }
});

test('XML content types', () => {
  for (const ct of ['application/xml', 'text/xml', 'text/xml; charset=ISO-8859-1', 'Application/XML', 'application/soap+xml']) {
    assert.equal(formatFromContentType(ct), 'xml', ct);
  }
});

test('anything else has no format', () => {
  for (const ct of [
    undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'json', 'xml',
    'text/json-ish', 'application/jsonp', 'application/xml-dtd', '*/*', 'application/',
  ]) {
    assert.equal(formatFromContentType(ct), null, String(ct));
  }
});

test('reply content types carry a charset', () => {
  assert.equal(contentTypeOf('json'), 'application/json; charset=utf-8');
  assert.equal(contentTypeOf('xml'), 'application/xml; charset=utf-8');
  for (const format of ['json', 'xml'] as const) {
    assert.equal(formatFromContentType(contentTypeOf(format)), format);
  }
});

test('parseBody and serialize dispatch by format', () => {
  assert.equal(parseBody('json', '{"a":"1"}').a, '1');
  assert.equal(parseBody('xml', '<faspay><a>1</a></faspay>').a, '1');
  assert.throws(() => parseBody('xml', '<faspay><a><b>1</b></a></faspay>', { maxDepth: 2 }));
  assert.equal(serialize('json', { a: 1 }), '{"a":"1"}');
  assert.match(serialize('xml', { a: 1 }), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<faspay>\n {2}<a>1<\/a>\n<\/faspay>$/);
});

test('the first non-whitespace character decides; a label naming JSON or XML decides only a body that starts with neither', () => {
  // Faspay's own WooCommerce plugin posts JSON labelled text/xml.
  assert.equal(detectFormat('TEXT/XML; charset=UTF-8', '{}'), 'json');
  assert.equal(detectFormat('application/json', '<faspay/>'), 'xml');
  assert.equal(detectFormat('application/json', 'merchant_id=1'), 'json');
  assert.equal(detectFormat('application/soap+xml', ''), 'xml');
  for (const label of [undefined, '', 'application/x-www-form-urlencoded', 'text/plain;charset=UTF-8', 'text/html', 'garbage']) {
    assert.equal(detectFormat(label, '{"a":"1"}'), 'json', String(label));
    assert.equal(detectFormat(label, ' \r\n\t<?xml version="1.0"?><faspay/>'), 'xml', String(label));
    assert.equal(detectFormat(label, '\uFEFF{"a":"1"}'), 'json', `BOM, ${String(label)}`);
    assert.equal(detectFormat(label, '\uFEFF <faspay/>'), 'xml', `BOM, ${String(label)}`);
    for (const body of ['', '   ', 'merchant_id=1', '[1]', '"{"', 'x<faspay/>']) assert.equal(detectFormat(label, body), null, JSON.stringify(body));
  }
});
