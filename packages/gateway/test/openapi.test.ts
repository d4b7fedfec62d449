// Proves that GET /openapi.json is a valid OpenAPI 3.1 document of what is on the wire — every catalogue operation at every path the gateway serves it at, every request field with its required flag and the shape validation accepts, and real replies, a 429 and a notification from a running gateway all matching its schemas — and that GET /docs shows every operation and message in Chromium with no CSP violation or console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import {
  ACTIVATION_CALLBACK, OPERATIONS, OPERATION_NAMES, OVO_PAYMENT_CHANNEL, PAYMENT_NOTIFICATION, PAYMENT_RETURN, formatJakartaDate,
  parseJsonBody, parseReplyBody, validateRequest, type FieldKind, type FieldSpec, type OpenApiDocument, type OperationName, type SchemaObject,
} from '@ovo-tokenize/protocol';
import { OPERATIONS_BY_NAME } from '../src/api/operations/index.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { launchBrowser, watchPageProblems, withPage } from './support/browser.ts';
import { callOperation, sendRaw, type Reply } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway } from './support/payments.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const EXTRA_PATH = '/cvr/100011/10';
const LINKED_PHONE = '081355500001';
const UNLINKED_PHONE = '081355500002';
const JSON_TYPE = 'application/json';
const XML_TYPE = 'application/xml';

const receiver = await startNotificationReceiver();
const SHOP: MerchantInput = {
  merchantId: '55501', name: 'Docs Shop', userId: 'bot55501', password: 'docs-pass', notifyUrl: receiver.url, notifyFormat: 'json',
};
const XML_SHOP: MerchantInput = {
  merchantId: '55502', name: 'Docs XML Shop', userId: 'bot55502', password: 'docs-xml-pass', notifyUrl: receiver.url, notifyFormat: 'xml',
};
const gw = await startPaymentsGateway('sqlite', {
  merchants: [SHOP, XML_SHOP], config: { api_rate_per_s: 0, extraPaths: { [EXTRA_PATH]: 'payment' } },
});
const wallet = await fundedWallet(gw.database, { phone: LINKED_PHONE, cash: 1_000_000n, points: 5_000n });
await linkThroughStore(gw.ctx, SHOP.merchantId, wallet);
await linkThroughStore(gw.ctx, XML_SHOP.merchantId, wallet);
await fundedWallet(gw.database, { phone: UNLINKED_PHONE, cash: 0n, points: 0n });

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await fetch(`${gw.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return (await res.json()) as OpenApiDocument;
}

const doc = await fetchDocument();

/** Ajv over the served document, so `#/components/schemas/…` references resolve as in any OpenAPI tool. */
function documentAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // OpenAPI's own schema keyword, and the enum descriptions of code generators.
  ajv.addKeyword('xml');
  ajv.addKeyword('x-enum-descriptions');
  // Only the components are a schema; the rest of the document would be unknown keywords to strict mode.
  ajv.addKeyword('components');
  ajv.addSchema({ components: doc.components }, 'openapi.json');
  return ajv;
}

const ajv = documentAjv();

/** A validator for `schema`, a reference into the document or a schema without references. */
function compile(schema: SchemaObject): ValidateFunction {
  return ajv.compile(schema.$ref === undefined ? schema : { $ref: `openapi.json${schema.$ref}` });
}

function resolve(schema: SchemaObject | undefined): SchemaObject {
  assert.ok(schema, 'a schema is there');
  if (schema.$ref === undefined) return schema;
  const target = doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
  assert.ok(target, `${schema.$ref} exists`);
  return target;
}

test('the served document is valid OpenAPI 3.1, its schemas compile as JSON Schema 2020-12, operationIds are unique', async () => {
  const result = await new Validator().validate(structuredClone(doc) as unknown as Record<string, unknown>);
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(doc.servers, [{ url: gw.ctx.config.publicUrl }], 'the gateway names its public address');
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    assert.ok(ajv.validateSchema(schema), `${name}: ${JSON.stringify(ajv.errors)}`);
    assert.doesNotThrow(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`), name);
  }
  const operations = [...Object.values(doc.paths), ...Object.values(doc.webhooks)].flatMap((item) => [item.get, item.post]).filter((op) => op !== undefined);
  const ids = operations.map((op) => op.operationId);
  assert.equal(new Set(ids).size, ids.length, `operationIds are unique: ${ids.join(', ')}`);
  const hmac = doc.components.securitySchemes.hmacSignature;
  assert.deepEqual([hmac?.type, hmac?.in, hmac?.name], ['apiKey', 'header', 'X-Signature']);
  assert.deepEqual(doc.security, [{}, { hmacSignature: [] }], 'X-Signature is optional');
});

test('every operation is documented at every path the gateway serves it at, and those paths serve it', async () => {
  const expected = OPERATION_NAMES.flatMap((op) => [
    `/ovo/${op}`, ...(OPERATIONS_BY_NAME[op]?.faspayPaths ?? []), ...(op === 'payment' ? [EXTRA_PATH] : []),
  ].map((path) => [path, op] as const));
  assert.deepEqual(Object.keys(doc.paths).sort(), expected.map(([path]) => path).sort());
  for (const [path, op] of expected) {
    const operation = doc.paths[path]?.post;
    assert.deepEqual(operation?.tags, [op], path);
    assert.ok(gw.gateway.app.hasRoute({ method: 'POST', url: path }), `${path} is routed`);
    // An empty call answers 83 in its operation's own reply: the path serves that operation.
    const reply = await sendRaw(gw.url, path, '{}', { 'content-type': JSON_TYPE });
    assert.equal(reply.body.response, OPERATIONS[op].response, path);
    assert.equal(reply.body.response_code, '83', path);
  }
  assert.deepEqual(doc.tags.map((tag) => tag.name), OPERATION_NAMES);
});

test('every request field is in the JSON and the XML request schema with its required flag', () => {
  for (const [path, item] of Object.entries(doc.paths)) {
    const op = item.post?.tags?.[0] as OperationName;
    const spec = OPERATIONS[op];
    const content = item.post?.requestBody?.content ?? {};
    for (const type of [JSON_TYPE, XML_TYPE]) {
      const schema = resolve(content[type]?.schema);
      assert.deepEqual(Object.keys(schema.properties ?? {}), spec.request.map((f) => f.name), `${path} ${type}`);
      assert.deepEqual(schema.required, spec.request.filter((f) => f.required).map((f) => f.name), `${path} ${type}`);
      if (type === XML_TYPE) {
        assert.deepEqual(schema.xml, { name: 'faspay' });
        for (const field of Object.values(schema.properties ?? {})) assert.equal(field.type, 'string', 'XML values are text');
      }
    }
    const reply = resolve(item.post?.responses[200]?.content?.[JSON_TYPE]?.schema);
    assert.deepEqual(reply.required, [...spec.reply], `${path}: every reply field, always`);
  }
});

test('the webhooks: the notification is a POST in JSON or XML answered by the acknowledgement, the callbacks GETs with query parameters', () => {
  const notification = doc.webhooks.paymentNotification?.post;
  assert.ok(notification);
  for (const type of [JSON_TYPE, XML_TYPE]) {
    assert.deepEqual(resolve(notification.requestBody?.content[type]?.schema).required, [...PAYMENT_NOTIFICATION.fields]);
    assert.deepEqual(Object.keys(resolve(notification.responses[200]?.content?.[type]?.schema).properties ?? {}), [...PAYMENT_NOTIFICATION.ack]);
  }
  assert.ok(notification.parameters?.some((p) => p.name === 'X-Notification-Id' && p.in === 'header' && p.required));
  for (const [name, fields] of [['activationCallback', ACTIVATION_CALLBACK.fields], ['paymentReturn', PAYMENT_RETURN.fields]] as const) {
    const callback = doc.webhooks[name]?.get;
    assert.ok(callback, name);
    assert.deepEqual(callback.parameters?.filter((p) => p.in === 'query').map((p) => [p.name, p.required]), fields.map((f) => [f, true]), name);
  }
});

// ---------------------------------------------------------------------------------------------------------
// The request schemas say what validation accepts.

const TODAY = formatJakartaDate(new Date());
const VALID_VALUE: Readonly<Record<FieldKind, (field: FieldSpec) => string>> = {
  text: () => 'Andrea Hinata',
  digits: (field) => '9'.repeat(field.max ?? 5),
  phone: () => LINKED_PHONE,
  amount: () => '25000',
  date: () => TODAY,
  email: () => 'andrea@example.com',
  enum: (field) => field.values?.[0] ?? '',
  int: (field) => String(field.min ?? 1),
};

const digitString = (maxLength: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength });
const CANDIDATES: Readonly<Record<FieldKind, (field: FieldSpec) => fc.Arbitrary<string>>> = {
  text: (field) => fc.oneof(fc.string({ unit: fc.constantFrom('a', ' ', 'é', '😀', '\u0000', '\u001f', '\u007f', '\t'), maxLength: 8 }),
    fc.string({ unit: fc.constantFrom('a', '😀'), minLength: (field.max ?? 1) - 1, maxLength: (field.max ?? 1) + 1 })),
  digits: (field) => fc.string({ unit: fc.constantFrom(...'0123456789a-'), maxLength: (field.max ?? 5) + 2 }),
  phone: () => fc.tuple(fc.constantFrom('', '0', '08', '62', '628', '+62', '+628', '+', '8'), digitString(14)).map(([a, b]) => a + b),
  amount: () => fc.tuple(digitString(17), fc.constantFrom('', '.0', '.00', '.000', '.', '.5', 'e3')).map(([a, b]) => a + b),
  date: () => fc.oneof(fc.tuple(digitString(4), digitString(2), digitString(2)).map((parts) => parts.join('-')),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.constantFrom('2024-02-29', '2023-02-29', '0000-01-01')),
  email: () => fc.oneof(fc.emailAddress(), fc.string({ unit: fc.constantFrom('a', '@', '.', ' ', 'é'), maxLength: 10 })),
  enum: (field) => fc.oneof(fc.constantFrom(...(field.values ?? [])), fc.string({ maxLength: 4 })),
  int: () => digitString(11),
};

/** Where the document is deliberately not exact: a range it only names (int as text), emails it reads more strictly. */
const SCHEMA_LOOSER_FOR: ReadonlySet<FieldKind> = new Set(['int']);
const SCHEMA_STRICTER_FOR: ReadonlySet<FieldKind> = new Set(['email']);

function accepts(op: OperationName, fields: Record<string, string>): boolean {
  try {
    validateRequest(op, fields);
    return true;
  } catch {
    return false;
  }
}

test('each request field\'s schema accepts what the gateway\'s validation accepts, and only that', () => {
  for (const op of OPERATION_NAMES) {
    const spec = OPERATIONS[op];
    const valid = Object.fromEntries(spec.request.map((f) => [f.name, VALID_VALUE[f.kind](f)]));
    assert.ok(accepts(op, valid), `${op}: the sample request is valid`);
    const xmlSchema = resolve(doc.paths[`/ovo/${op}`]?.post?.requestBody?.content[XML_TYPE]?.schema);
    for (const field of spec.request) {
      const check = compile(xmlSchema.properties?.[field.name] ?? {});
      // Values are trimmed by validation; the document describes them as sent, so none is padded here.
      fc.assert(fc.property(CANDIDATES[field.kind](field).filter((v) => v.trim() === v), (value) => {
        const byValidation = accepts(op, { ...valid, [field.name]: value });
        const bySchema = check(value);
        if (!SCHEMA_STRICTER_FOR.has(field.kind)) assert.ok(!byValidation || bySchema, `${op}.${field.name} ${JSON.stringify(value)}: valid, but the document refuses it`);
        if (!SCHEMA_LOOSER_FOR.has(field.kind)) assert.ok(!bySchema || byValidation, `${op}.${field.name} ${JSON.stringify(value)}: the document allows it, validation refuses it`);
      }), { numRuns: 200 });
    }
  }
});

test('a JSON number a request schema allows is one the gateway reads as valid', () => {
  const numbers = fc.oneof(fc.integer(), fc.integer({ min: -1, max: 1_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(2 ** 53, 1e21, 1e-7, 10.5, 720, 0, 1, 2, 100, 101));
  for (const op of OPERATION_NAMES) {
    const spec = OPERATIONS[op];
    const valid = Object.fromEntries(spec.request.map((f) => [f.name, VALID_VALUE[f.kind](f)]));
    const jsonSchema = resolve(doc.paths[`/ovo/${op}`]?.post?.requestBody?.content[JSON_TYPE]?.schema);
    for (const field of spec.request) {
      const check = compile(jsonSchema.properties?.[field.name] ?? {});
      fc.assert(fc.property(numbers, (value) => {
        if (!check(value)) return;
        const body = JSON.stringify({ ...valid, [field.name]: value });
        assert.doesNotThrow(() => validateRequest(op, parseJsonBody(body)), `${op}.${field.name} ${body}`);
      }), { numRuns: 200 });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// Real replies match the document.

function assertMatches(path: string, status: number, reply: Reply): void {
  const type = reply.contentType.startsWith(XML_TYPE) ? XML_TYPE : JSON_TYPE;
  const schema = doc.paths[path]?.post?.responses[status]?.content?.[type]?.schema;
  assert.ok(schema, `${path} documents ${status} ${type}`);
  assert.equal(reply.status, status, reply.raw);
  // The reply as a merchant's parser reads it: XML repeated elements become lists, empty groups ''.
  const body = parseReplyBody(type === XML_TYPE ? 'xml' : 'json', reply.raw);
  const check = compile(schema);
  assert.ok(check(body), `${path} ${status} ${type}: ${JSON.stringify(check.errors)}\n${reply.raw}`);
}

let billSeq = 0;
function requestFor(op: OperationName, merchant: MerchantInput, phone = LINKED_PHONE): Record<string, string> {
  const base = { merchant_id: merchant.merchantId, payment_channel: OVO_PAYMENT_CHANNEL, phone_no: phone };
  billSeq += 1;
  const byOp: Record<OperationName, Record<string, string>> = {
    activation: { ...base, cust_name: 'Docs Customer' },
    payment: {
      ...base, bill_no: `DOCS-${billSeq}`, bill_desc: 'Docs order', bill_total: '12000', bill_currency: 'IDR',
      cust_name: 'Docs Customer', email: 'docs@example.com', pay_type: '2',
    },
    'topup-instruction': { ...base, merchant: merchant.name },
    balance: base,
    history: { ...base, merchant: merchant.name, start_date: TODAY, end_date: TODAY, page: '1', limit: '10' },
    // Unlinking the linked phone would end the link the other calls use.
    unlink: { ...base, phone_no: UNLINKED_PHONE, merchant: merchant.name },
    'payment-status': { merchant_id: merchant.merchantId, trx_id: '1234567890123456', bill_no: 'DOCS-NONE' },
    cancel: { merchant_id: merchant.merchantId, trx_id: '1234567890123456', bill_no: 'DOCS-NONE', payment_cancel: 'customer asked' },
  };
  return byOp[op];
}

for (const [format, merchant] of [['json', SHOP], ['xml', XML_SHOP]] as const) {
  test(`${format}: real replies of every operation, nested ones and errors included, match the document`, async () => {
    const call = (op: OperationName, fields: Record<string, string>, path = `/ovo/${op}`) => callOperation(gw.url, op, fields, format, merchant, { path });
    const paid = await call('payment', requestFor('payment', merchant), EXTRA_PATH);
    assertMatches(EXTRA_PATH, 200, paid);
    assert.equal(paid.body.response_code, '00', paid.raw);
    for (const op of OPERATION_NAMES) {
      const ok = await call(op, requestFor(op, merchant));
      assertMatches(`/ovo/${op}`, 200, ok);
    }
    const history = await call('history', requestFor('history', merchant));
    assert.ok(history.body.list_transaction.transaction_1, 'a transaction is listed');
    const relink = await call('balance', requestFor('balance', merchant, UNLINKED_PHONE));
    assert.equal(relink.body.response_code, '02', relink.raw);
    assertMatches('/ovo/balance', 200, relink);
    const found = await call('payment-status', { ...requestFor('payment-status', merchant), trx_id: paid.body.trx_id, bill_no: paid.body.bill_no }, '/cvr/100004/10');
    assertMatches('/cvr/100004/10', 200, found);
    const cancelled = await call('cancel', { ...requestFor('cancel', merchant), trx_id: paid.body.trx_id, bill_no: paid.body.bill_no }, '/pws/100005/183xx00010100000');
    assert.equal(cancelled.body.response_code, '00', cancelled.raw);
    assertMatches('/pws/100005/183xx00010100000', 200, cancelled);
    const unsigned = await sendRaw(gw.url, '/pws/100037/183xx00010100000/', format === 'json' ? '{}' : '<faspay></faspay>', {});
    assertMatches('/pws/100037/183xx00010100000/', 200, unsigned);
  });
}

test('a notification the gateway sends matches the document, in JSON and in XML', async () => {
  for (const merchant of [SHOP, XML_SHOP]) {
    const paid = await callOperation(gw.url, 'payment', requestFor('payment', merchant), 'json', merchant);
    const trxId = paid.body.trx_id as string;
    assert.equal(paid.body.response_code, '00', paid.raw);
    const cancelled = await callOperation(gw.url, 'cancel', { ...requestFor('cancel', merchant), trx_id: trxId, bill_no: paid.body.bill_no }, 'json', merchant);
    assert.equal(cancelled.body.response_code, '00', cancelled.raw);
    const notification = await receiver.waitFor(trxId, '8');
    const type = merchant.notifyFormat === 'xml' ? XML_TYPE : JSON_TYPE;
    assert.ok(notification.contentType.startsWith(type), notification.contentType);
    const check = compile(doc.webhooks.paymentNotification?.post?.requestBody?.content[type]?.schema ?? {});
    const body = parseReplyBody(merchant.notifyFormat ?? 'json', notification.raw);
    assert.ok(check(body), `${JSON.stringify(check.errors)}\n${notification.raw}`);
    assert.ok(notification.notificationId !== '', 'X-Notification-Id, as documented');
  }
});

test('X-Request-Id is documented at every operation, and a real call gets back the id it sent', async () => {
  for (const [path, item] of Object.entries(doc.paths)) {
    const post = (item as { post?: { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { headers?: Record<string, unknown> }> } }).post;
    if (!post) continue;
    assert.ok(post.parameters?.some((p) => p.name === 'X-Request-Id' && p.in === 'header'), `${path}: the X-Request-Id parameter`);
    assert.ok(post.responses['200']?.headers?.['X-Request-Id'], `${path}: the echoed X-Request-Id`);
  }
  const id = 'docs-call.1:a_b';
  const res = await fetch(new URL('/ovo/balance', gw.url), { method: 'POST', headers: { 'x-request-id': id }, body: '{}' });
  assert.equal(res.headers.get('x-request-id'), id);
  await res.text();
});

test('over the rate limit the reply is the documented 429, with Retry-After', async () => {
  const limited = await startPaymentsGateway('sqlite', { merchants: [SHOP], config: { api_rate_per_s: 1, api_burst: 1 } });
  const post = () => fetch(`${limited.url}/ovo/balance`, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: '{}' });
  assert.equal((await post()).status, 200);
  const res = await post();
  const raw = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  assertMatches('/ovo/balance', 429, { status: res.status, contentType, raw, body: JSON.parse(raw) });
  assert.equal(JSON.parse(raw).response_code, '96');
  assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After, as documented');
  assert.ok(doc.paths['/ovo/balance']?.post?.responses[429]?.headers?.['Retry-After']?.required);
});

test('in Chromium, /docs lists every operation and message by heading, with no CSP violation or console error', async (t) => {
  const browser = await launchBrowser(t);
  if (browser === undefined) return;
  await withPage(browser, async (page) => {
    page.setDefaultTimeout(5_000);
    const problems = watchPageProblems(page);
    const res = await page.goto(`${gw.url}/docs`);
    assert.equal(res?.status(), 200);
    assert.match(res?.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), doc.info.title);
    for (const op of OPERATION_NAMES) {
      const section = page.getByRole('region', { name: op, exact: true });
      await section.waitFor();
      for (const path of Object.keys(doc.paths).filter((p) => doc.paths[p]?.post?.tags?.[0] === op)) {
        assert.match(await section.innerText(), new RegExp(`POST ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${op} lists ${path}`);
      }
      for (const field of OPERATIONS[op].request) {
        assert.equal(await section.locator('td code', { hasText: new RegExp(`^${field.name}$`) }).count() >= 1, true, `${op} lists ${field.name}`);
      }
    }
    for (const name of ['Payment Notification', 'Callback Activation', 'Payment return URL']) {
      await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
    }
    const styled = await page.locator('table.table').first().evaluate((el) => getComputedStyle(el).borderCollapse);
    assert.equal(styled, 'collapse', 'the stylesheet is applied');
    assert.equal(await page.locator('script').count(), 0);
    assert.deepEqual(problems, []);
  });
});
