// Proves over real HTTP, on SQLite and PostgreSQL, that what public Faspay clients really put on the wire (Faspay's PHP SDK and plugins, itsfaqih/faspay, khairul169/faspay-nodejs, attntech/faspay-go: their headers, body shapes, paths and amount scaling) gets an HTTP 200 reply, in the format the body was read as, carrying every field their typed readers require, equal to the same body correctly labelled.
//
// Each client below is referenced by repository and file (read through the code search; nothing is copied).
// No public client of OVO Tokenize itself was found (searches for "Account Activation OVO", "/cvr/100037/10"
// found nothing), so the OVO calls are sent with the transport each client uses for its Faspay debit calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { OPERATIONS, requestSignature, type OperationName, type WireFormat } from '@ovo-tokenize/protocol';
import { listDeliveries } from '../src/delivery/outbox.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findWalletByPhone } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { assertNothingMoreToSend } from './support/gateway.ts';
import { GUIDE_ACTIVATION_JSON, GUIDE_ACTIVATION_XML } from './support/guide-samples.ts';
import {
  fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway, walletMoney,
  type NotificationReceiver, type PaymentsGateway,
} from './support/payments.ts';

// ---------------------------------------------------------------------------------------------------------
// Merchants. 99999 / bot99999 / p@ssw0rd are the guide's sample credentials (its activation signature is
// computed from them); payments up to Rp 10.000 are authorised at once, so a paid payment is one call away.

const DEMO: MerchantInput = { merchantId: '99999', name: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd', pinlessLimit: 10_000n };
/** A merchant whose client multiplies amounts by 100 (spec §3.1, amount_decimals 2). */
const CENTS: MerchantInput = { merchantId: '77777', name: 'Toko Sen', userId: 'bot77777', password: 'sen-77777', amountDecimals: 2 };
/** A merchant with a WooCommerce-style XML notification receiver; every payment is authorised at once. */
function notifyingShop(notifyUrl: string): MerchantInput {
  return { merchantId: '88888', name: 'Toko Notif', userId: 'bot88888', password: 'notif-88888', notifyUrl, notifyFormat: 'xml', pinlessLimit: 1_000_000n };
}

const sign = (m: MerchantInput, value: string) => requestSignature(m.userId, m.password, value);

// ---------------------------------------------------------------------------------------------------------
// The wire: node:http with exactly the headers a client sends, in its order (an array, so node adds none
// but Connection), and the body written after a 100 Continue when the client asks for one, as curl does.

type HeaderList = ReadonlyArray<readonly [string, string]>;

interface Wire {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  /** The gateway answered `Expect: 100-continue` with 100 Continue (curl would otherwise wait 1 s). */
  readonly continued: boolean;
}

function exchange(base: string, method: string, path: string, headers: HeaderList, body?: string): Promise<Wire> {
  const url = new URL(base);
  const bytes = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const expects = headers.some(([k, v]) => k.toLowerCase() === 'expect' && v.toLowerCase() === '100-continue');
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest({
      host: url.hostname, port: url.port, method, path, agent: false, headers: headers.flatMap(([k, v]) => [k, v]),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        // The clients that ask for compression (Go, node-fetch, WordPress) decode it transparently.
        let data = Buffer.concat(chunks);
        const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
        if (encoding === 'gzip') data = gunzipSync(data);
        else if (encoding === 'deflate') data = inflateSync(data);
        else if (encoding === 'br') data = brotliDecompressSync(data);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, raw: data.toString('utf8'), continued });
      });
    });
    req.on('error', reject);
    if (bytes === undefined) {
      req.end();
    } else if (expects) {
      let sent = false;
      const send = () => {
        if (sent) return;
        sent = true;
        req.end(bytes);
      };
      req.on('continue', () => {
        continued = true;
        send();
      });
      setTimeout(send, 1_000).unref();
    } else {
      req.end(bytes);
    }
  });
}

const hostOf = (base: string) => new URL(base).host;
const lengthOf = (body: string) => String(Buffer.byteLength(body, 'utf8'));

// ---------------------------------------------------------------------------------------------------------
// The clients' headers.

/**
 * faspay-team/Sdk-PHP-Faspay frameworks/rest/ApiServiceImpl.php: CURLOPT_HTTPHEADER is set to
 * `Content-Type:application/json`, then set again to the (empty) `$header` array, which replaces it; with a
 * string CURLOPT_POSTFIELDS curl then labels the JSON `application/x-www-form-urlencoded`. No User-Agent
 * (PHP's curl sets none), curl's default Accept (any type), and — libcurl before 7.69 (curl/curl pull 4814 raised the
 * threshold to 1 MB) — `Expect: 100-continue` above 1024 bytes. The same file is in TheArKaID/laravel-faspay
 * src/Debit/Rest/ApiServiceImpl.php.
 */
function phpSdkCurl(base: string, body: string): HeaderList {
  const headers: Array<[string, string]> = [['Host', hostOf(base)], ['Accept', '*/*'], ['Content-Length', lengthOf(body)],
    ['Content-Type', 'application/x-www-form-urlencoded']];
  if (Buffer.byteLength(body, 'utf8') > 1024) headers.push(['Expect', '100-continue']);
  return headers;
}

/**
 * Plugins' curl with `CURLOPT_HTTPHEADER => array('Content-Type: text/xml')`: faspay-team/prestashop
 * faspay/controllers/front/{payment,thankyou}.php, faspay/faspay-woocommerce thanks-page.php,
 * faspay-team/Magento Debit/Block/ThankYou.php. No User-Agent unless the plugin passes the shopper's.
 */
function curlTextXml(base: string, body: string): HeaderList {
  return [['Host', hostOf(base)], ['Accept', '*/*'], ['Content-Type', 'text/xml'], ['Content-Length', lengthOf(body)]];
}

/**
 * itsfaqih/faspay src/Libs/HttpClient.php + src/Requests/*.php: Guzzle 7 with the `json` option, so
 * `application/json` and Guzzle's own User-Agent; Guzzle suppresses curl's Accept and Expect headers.
 * http_errors is on (Guzzle's default): a 4xx/5xx throws before the body is read.
 */
function guzzleJson(base: string, body: string): HeaderList {
  return [['Host', hostOf(base)], ['Content-Length', lengthOf(body)], ['User-Agent', 'GuzzleHttp/7'], ['Content-Type', 'application/json']];
}

/**
 * khairul169/faspay-nodejs src/faspay.ts `_request`: node-fetch 2 `fetch(url, { method: 'POST', body:
 * JSON.stringify(body) })` with no headers. node-fetch/node-fetch v2.6.13 src/body.js labels a string body
 * `text/plain;charset=UTF-8`; src/request.js adds Accept, User-Agent and Accept-Encoding.
 */
function nodeFetchV2(base: string, body: string): HeaderList {
  return [['Accept', '*/*'], ['Content-Type', 'text/plain;charset=UTF-8'], ['Content-Length', lengthOf(body)],
    ['User-Agent', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'], ['Accept-Encoding', 'gzip,deflate'], ['Host', hostOf(base)]];
}

/**
 * attntech/faspay-go http.go `SendPost(nil, …)`: `http.NewRequest("POST", url, strings.NewReader(json))`
 * with only `User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)` set — no Content-Type at all;
 * Go's transport adds Content-Length and Accept-Encoding: gzip (and un-gzips the reply).
 */
function goSendPost(base: string, body: string): HeaderList {
  return [['Host', hostOf(base)], ['User-Agent', 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)'],
    ['Content-Length', lengthOf(body)], ['Accept-Encoding', 'gzip']];
}

/** faspay-team/Woocommerce woocommerce-geteway-faspay.php `inquiry_status`: wp_remote_post with `Content-Type: application/json`. */
function wordpressJson(base: string, body: string): HeaderList {
  return [['Host', hostOf(base)], ['User-Agent', 'WordPress/6.4.3; https://shop.example'], ['Accept', '*/*'],
    ['Accept-Encoding', 'deflate, gzip, br'], ['Content-Type', 'application/json'], ['Content-Length', lengthOf(body)]];
}

/** The same body correctly labelled: the reference every mislabelled send is compared with. */
function labelled(base: string, body: string, contentType: string | undefined): HeaderList {
  const headers: Array<[string, string]> = [['Host', hostOf(base)], ['Content-Length', lengthOf(body)]];
  if (contentType !== undefined) headers.push(['Content-Type', contentType]);
  return headers;
}

// ---------------------------------------------------------------------------------------------------------
// The clients' encoders.

const PHP_RAW = '\u0000php-number:';
/** A number as PHP writes it (an int, or a float such as `2500000.0` or `1999999.0000000002`). */
const phpNumber = (text: string) => `${PHP_RAW}${text}`;

/** PHP's json_encode with default flags: `/` escaped as `\/`, non-ASCII as `\u00e9`-style escapes, null kept. */
function phpJsonEncode(value: Record<string, unknown>): string {
  return JSON.stringify(value)
    .replace(/"\\u0000php-number:([^"]*)"/g, '$1')
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's json.Marshal: struct order, every field (no omitempty), `<`, `>`, `&` escaped as `\u003c`…, UTF-8 kept. */
function goJsonMarshal(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** PHP's urlencode: alphanumerics and `-_.` kept, space as `+`, every other byte `%XX`. */
function phpUrlencode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.-]/.test(c) ? c : c === ' ' ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const BOM = '\uFEFF';

// ---------------------------------------------------------------------------------------------------------
// The clients' readers.

class TransportError extends Error {}

/** curl with CURLOPT_FAILONERROR (the PHP SDK): curl_exec returns false on ≥ 400, the body is lost. */
function curlFailOnError(w: Wire): string {
  if (w.status >= 400) throw new TransportError(`curl: (22) The requested URL returned error: ${w.status}`);
  return w.raw;
}

/** Guzzle with http_errors (itsfaqih/faspay): a ClientException/ServerException instead of the body. */
function guzzleHttpErrors(w: Wire): string {
  if (w.status >= 500) throw new TransportError(`Server error: resulted in a \`${w.status} ${w.statusText}\` response`);
  if (w.status >= 400) throw new TransportError(`Client error: resulted in a \`${w.status} ${w.statusText}\` response`);
  return w.raw;
}

/** khairul169/faspay-nodejs src/error.ts: what `_request` throws for a reply whose response_code is not 00. */
class FaspayError extends Error {
  constructor(readonly code: string, desc: string) {
    super(desc);
  }
}

/** khairul169/faspay-nodejs src/faspay.ts `_request`: Error(statusText) unless 200, then JSON, then FaspayError unless 00. */
function nodeFaspayRequest(w: Wire): Record<string, any> {
  if (w.status !== 200) throw new TransportError(w.statusText);
  const data = JSON.parse(w.raw) as Record<string, any>;
  if (data.response_code !== '00') throw new FaspayError(String(data.response_code), String(data.response_desc));
  return data;
}

/** attntech/faspay-go http.go: json.NewDecoder(res.Body).Decode(&map) whatever the status. */
function goDecode(w: Wire): Record<string, unknown> {
  return JSON.parse(w.raw) as Record<string, unknown>;
}

/** Go's `sendRequest["x"].(string)`: a panic when the field is missing or not a string. */
function goString(m: Record<string, unknown>, key: string): string {
  const v = m[key];
  if (typeof v !== 'string') {
    throw new Error(`panic: interface conversion: interface {} is ${v === undefined || v === null ? 'nil' : typeof v}, not string (${key})`);
  }
  return v;
}

/** attntech/faspay-go payment.go PaymentInquiryStatus / CancelPaymentDebit: the fields each asserts as strings. */
const GO_INQUIRY_FIELDS = ['response', 'trx_id', 'response_code', 'response_desc', 'bill_no', 'payment_status_code', 'payment_status_desc', 'payment_date', 'payment_reff'];
const GO_CANCEL_FIELDS = ['response', 'trx_id', 'response_code', 'response_desc', 'bill_no', 'payment_status_code', 'payment_status_desc', 'payment_cancel'];

function goStruct(m: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, goString(m, f)]));
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * itsfaqih/faspay src/Responses/{InquiryPaymentStatus,CancelTransaction}Response.php: `public string $trxId;`
 * … assigned from json_decode'd `$objectResponse->trx_id`; a missing field is null and PHP throws
 * "Cannot assign null to property …::$trxStatusCode of type string".
 */
function phpTypedObject(className: string, wire: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const prop = camel(field);
    const value = wire[field];
    if (value === undefined || value === null) throw new TypeError(`Cannot assign null to property ${className}::$${prop} of type string`);
    if (typeof value === 'object') throw new TypeError(`Cannot assign stdClass to property ${className}::$${prop} of type string`);
    out[prop] = String(value);
  }
  return out;
}

const ITSFAQIH_INQUIRY = ['response', 'trx_id', 'merchant_id', 'merchant', 'bill_no', 'payment_reff', 'payment_date', 'payment_status_code',
  'payment_status_desc', 'response_code', 'response_desc'];
const ITSFAQIH_CANCEL = ['response', 'trx_id', 'merchant_id', 'merchant', 'bill_no', 'trx_status_code', 'trx_status_desc', 'payment_status_code',
  'payment_status_desc', 'payment_cancel_date', 'payment_cancel', 'response_code', 'response_desc'];

/** simplexml_load_string as the PHP plugins read XML replies: the children of the root, values as text. */
const simplexml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, processEntities: true, trimValues: true });
function simplexmlLoad(raw: string): Record<string, any> {
  const doc = simplexml.parse(raw) as { faspay?: Record<string, any> };
  if (!doc.faspay || typeof doc.faspay !== 'object') throw new Error(`simplexml: no <faspay> in ${raw.slice(0, 120)}`);
  return doc.faspay;
}

// ---------------------------------------------------------------------------------------------------------
// What every reply must be (spec §1, §1.1, §3): HTTP 200, the format the body was read as, every field of
// the operation's reply (scalars as strings, '' where there is no value), the request's identifiers echoed.

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

function readReply(op: OperationName, w: Wire, format: WireFormat, label: string): Record<string, any> {
  const where = `${label}: HTTP ${w.status} ${String(w.headers['content-type'])} ${w.raw.slice(0, 600)}`;
  assert.equal(w.status, 200, where);
  const contentType = String(w.headers['content-type'] ?? '');
  assert.ok(contentType.startsWith(format === 'json' ? 'application/json' : 'application/xml'), `reply format: ${where}`);
  assert.ok(!w.raw.startsWith(BOM), `json_decode and simplexml choke on a BOM: ${where}`);
  let body: Record<string, any>;
  if (format === 'json') {
    body = JSON.parse(w.raw) as Record<string, any>;
  } else {
    assert.ok(w.raw.startsWith(XML_DECLARATION), `XML reply declaration: ${where}`);
    body = simplexmlLoad(w.raw);
  }
  const expected = [...OPERATIONS[op].reply];
  assert.deepEqual(Object.keys(body).sort(), [...expected].sort(), `every field of the ${op} reply: ${where}`);
  for (const name of expected) {
    const value = body[name];
    const nested = name === 'detail' || name === 'topup_instruction' || name === 'list_transaction';
    if (!(nested && typeof value === 'object' && value !== null)) assert.equal(typeof value, 'string', `${name} is a string: ${where}`);
  }
  return body;
}

const ECHOED = ['merchant_id', 'bill_no', 'trx_id', 'phone_no', 'payment_channel'] as const;

function assertEchoes(op: OperationName, body: Record<string, any>, sent: Readonly<Record<string, string>>, label: string): void {
  const listed = new Set<string>(OPERATIONS[op].reply);
  for (const name of ECHOED) {
    if (listed.has(name) && sent[name] !== undefined) assert.equal(body[name], sent[name], `${label}: ${name} echoed`);
  }
}

/** Values that legitimately differ between two answers to the same request. */
const VOLATILE = new Set(['redirectURL', 'url', 'payment_day', 'payment_date', 'payment_cancel_date']);

function assertSameReply(actual: Record<string, any>, reference: Record<string, any>, label: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(reference).sort(), `${label}: same fields as the correctly labelled body`);
  for (const [name, value] of Object.entries(reference)) {
    if (VOLATILE.has(name)) assert.equal(actual[name] === '', value === '', `${label}: ${name} present alike`);
    else assert.deepEqual(actual[name], value, `${label}: ${name} as for the correctly labelled body`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Bodies.


interface Env {
  readonly gw: PaymentsGateway;
  readonly receiver: NotificationReceiver;
  readonly notify: MerchantInput;
}

let phoneSeq = 0;
/** A fresh funded wallet linked to `merchant`; returns its phone. */
async function linkedPhone(env: Env, merchant: MerchantInput, cash = 2_000_000n): Promise<string> {
  phoneSeq += 1;
  const phone = `08119${String(phoneSeq).padStart(7, '0')}`;
  const wallet = await fundedWallet(env.gw.database, { phone, cash, points: 0n, name: 'Andrea Hinata' });
  await linkThroughStore(env.gw.ctx, merchant.merchantId, wallet);
  return phone;
}

let billSeq = 0;
const nextBill = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++billSeq}`;

function ovoPayment(m: MerchantInput, phone: string, billNo: string, total: string): Record<string, string> {
  return {
    request: 'Payment OVO Open API', merchant_id: m.merchantId, bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: total,
    bill_currency: 'IDR', payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: '0',
    signature: sign(m, phone),
  };
}

/** A payment made the plain way (application/json); returns its trx_id and status. */
async function placePayment(env: Env, m: MerchantInput, total: string, billNo = nextBill('INV')): Promise<{ trxId: string; billNo: string; status: string }> {
  const phone = await linkedPhone(env, m);
  const body = JSON.stringify(ovoPayment(m, phone, billNo, total));
  const w = await exchange(env.gw.url, 'POST', '/ovo/payment', labelled(env.gw.url, body, 'application/json'), body);
  const reply = readReply('payment', w, 'json', `payment ${billNo}`);
  assert.equal(reply.response_code, '00', w.raw);
  return { trxId: reply.trx_id as string, billNo, status: reply.status as string };
}

async function startEnv(kind: (typeof DATABASE_KINDS)[number]): Promise<Env> {
  const receiver = await startNotificationReceiver();
  const notify = notifyingShop(receiver.url);
  // faspay-team/faspay-woocommerce notify.php (debit branch): checks sha1(md5('bot'.$merchant_id.$pass.$bill_no.$code)),
  // then echoes a <faspay> acknowledgement with no XML declaration under PHP's default `text/html; charset=UTF-8`
  // (faspay/faspay-woocommerce and faspay-team/Woocommerce notify.php, faspay-team/prestashop notification.php alike).
  receiver.answer = (n) => {
    const f = n.fields;
    const expected = requestSignature(`bot${f.merchant_id}`, notify.password, `${f.bill_no}${f.payment_status_code}`);
    if (f.signature !== expected) return { contentType: 'text/html; charset=UTF-8', body: 'Signature Not Match' };
    return {
      contentType: 'text/html; charset=UTF-8',
      body: `<faspay><response>Payment Notification</response><trx_id>${f.trx_id}</trx_id><merchant_id>${f.merchant_id}</merchant_id>`
        + `<bill_no>${f.bill_no}</bill_no><response_code>00</response_code><response_desc>Sukses</response_desc>`
        + `<response_date>2024-07-01 10:00:00</response_date></faspay>`,
    };
  };
  const gw = await startPaymentsGateway(kind, { merchants: [DEMO, CENTS, notify] });
  return { gw, receiver, notify };
}

// ---------------------------------------------------------------------------------------------------------

for (const kind of DATABASE_KINDS) {
  test(`${kind}: real Faspay clients, as they are on the wire`, async (t) => {
    const env = await startEnv(kind);
    const base = env.gw.url;

    await t.test('activation: the guide\'s JSON sample verbatim, labelled as each client labels JSON', async () => {
      const ref = readReply('activation', await exchange(base, 'POST', '/cvr/100037/10', labelled(base, GUIDE_ACTIVATION_JSON, 'application/json'), GUIDE_ACTIVATION_JSON),
        'json', 'application/json');
      assert.equal(ref.response_code, '00', JSON.stringify(ref));
      assert.equal(ref.status, 'ALLOWED');
      assert.match(ref.redirectURL, /^http:\/\/127\.0\.0\.1:[0-9]+\//);

      // faspay-team/Sdk-PHP-Faspay frameworks/rest/ApiServiceImpl.php: form-urlencoded label, body only on 200.
      const php = await exchange(base, 'POST', '/cvr/100037/10', phpSdkCurl(base, GUIDE_ACTIVATION_JSON), GUIDE_ACTIVATION_JSON);
      curlFailOnError(php);
      assertSameReply(readReply('activation', php, 'json', 'PHP SDK curl'), ref, 'PHP SDK curl');

      // khairul169/faspay-nodejs src/faspay.ts: text/plain;charset=UTF-8; throws unless 200 and 00.
      const node = await exchange(base, 'POST', '/cvr/100037/10', nodeFetchV2(base, GUIDE_ACTIVATION_JSON), GUIDE_ACTIVATION_JSON);
      nodeFaspayRequest(node);
      assertSameReply(readReply('activation', node, 'json', 'node-fetch'), ref, 'node-fetch');

      // attntech/faspay-go http.go: no Content-Type.
      const go = await exchange(base, 'POST', '/cvr/100037/10', goSendPost(base, GUIDE_ACTIVATION_JSON), GUIDE_ACTIVATION_JSON);
      assert.equal(goString(goDecode(go), 'response_code'), '00');
      assertSameReply(readReply('activation', go, 'json', 'Go'), ref, 'Go');
    });

    await t.test('activation: the guide\'s XML sample verbatim at its 183xx and the 383xx paths, whatever its label', async () => {
      const ref = readReply('activation', await exchange(base, 'POST', '/pws/100037/183xx00010100000/', labelled(base, GUIDE_ACTIVATION_XML, 'application/xml'), GUIDE_ACTIVATION_XML),
        'xml', 'application/xml');
      assert.equal(ref.response_code, '00', JSON.stringify(ref));
      // Plugins label XML text/xml and call 383xx paths without a trailing slash in production
      // (faspay-team/prestashop faspay/controllers/front/thankyou.php, faspay-team/Magento Debit/Helper/UrlConfig.php).
      // No client was found sending XML as text/plain, as text/html or unlabelled: those come from the issue
      // (text/html is what PHP receivers answer, see the notification case below).
      const variants: Array<[string, string, HeaderList]> = [
        ['text/xml, 383xx', '/pws/100037/383xx00010100000', curlTextXml(base, GUIDE_ACTIVATION_XML)],
        ['text/plain, 383xx/', '/pws/100037/383xx00010100000/', labelled(base, GUIDE_ACTIVATION_XML, 'text/plain')],
        ['text/html, 183xx/', '/pws/100037/183xx00010100000/', labelled(base, GUIDE_ACTIVATION_XML, 'text/html; charset=UTF-8')],
        ['no Content-Type, 183xx', '/pws/100037/183xx00010100000', labelled(base, GUIDE_ACTIVATION_XML, undefined)],
      ];
      for (const [label, path, headers] of variants) {
        const w = await exchange(base, 'POST', path, headers, GUIDE_ACTIVATION_XML);
        assertSameReply(readReply('activation', w, 'xml', label), ref, label);
        assert.equal(simplexmlLoad(w.raw).response_code, '00', label);
      }
    });

    await t.test('activation: a UTF-8 BOM before the JSON or the XML sample (no public client found; reported by the issue)', async () => {
      const cases: Array<[string, string, string, string | undefined, WireFormat]> = [
        ['BOM + JSON, application/json', '/cvr/100037/10', BOM + GUIDE_ACTIVATION_JSON, 'application/json', 'json'],
        ['BOM + JSON, no Content-Type', '/cvr/100037/10', BOM + GUIDE_ACTIVATION_JSON, undefined, 'json'],
        ['BOM + XML, text/xml', '/pws/100037/383xx00010100000', BOM + GUIDE_ACTIVATION_XML, 'text/xml', 'xml'],
        ['BOM + XML, no Content-Type', '/pws/100037/183xx00010100000/', BOM + GUIDE_ACTIVATION_XML, undefined, 'xml'],
      ];
      for (const [label, path, body, contentType, format] of cases) {
        const reply = readReply('activation', await exchange(base, 'POST', path, labelled(base, body, contentType), body), format, label);
        assert.equal(reply.response_code, '00', `${label}: ${JSON.stringify(reply)}`);
        assert.notEqual(reply.redirectURL, '', label);
      }
    });

    await t.test('balance: Go\'s unlabelled JSON, read field by field as strings; an unlinked phone answers 02 with url', async () => {
      // attntech/faspay-go has no OVO Tokenize call; this is its SendPost transport with the guide's balance fields.
      const phone = await linkedPhone(env, DEMO, 1_234_567n);
      const body = goJsonMarshal({ request: 'Check Balance OVO Open API', merchant_id: DEMO.merchantId, payment_channel: '720', phone_no: phone, signature: sign(DEMO, phone) });
      const go = await exchange(base, 'POST', '/ovo/balance', goSendPost(base, body), body);
      const m = goDecode(go);
      for (const f of ['response', 'phone_no', 'payment_channel', 'merchant_id', 'response_code', 'response_desc', 'url']) goString(m, f);
      assert.equal(goString(m, 'response_code'), '00', go.raw);
      const reply = readReply('balance', go, 'json', 'Go balance');
      assert.equal(reply.detail.cash.balance, '1234567');
      assertEchoes('balance', reply, { merchant_id: DEMO.merchantId, phone_no: phone, payment_channel: '720' }, 'Go balance');
      const ref = readReply('balance', await exchange(base, 'POST', '/ovo/balance', labelled(base, body, 'application/json'), body), 'json', 'balance reference');
      assertSameReply(reply, ref, 'Go balance');

      const stranger = '081190000999';
      const unlinked = goJsonMarshal({ request: 'Check Balance OVO Open API', merchant_id: DEMO.merchantId, payment_channel: '720', phone_no: stranger, signature: sign(DEMO, stranger) });
      const relink = readReply('balance', await exchange(base, 'POST', '/ovo/balance', goSendPost(base, unlinked), unlinked), 'json', 'Go balance, unlinked');
      assert.equal(relink.response_code, '02', JSON.stringify(relink));
      assert.notEqual(relink.url, '', 'a 02 carries the re-link url');
      assertEchoes('balance', relink, { merchant_id: DEMO.merchantId, phone_no: stranger, payment_channel: '720' }, 'Go balance, unlinked');
    });

    await t.test('payment: node-fetch\'s text/plain JSON with bill_total × 100 (idr()) to a merchant with amount_decimals 2', async () => {
      // khairul169/faspay-nodejs src/utils.ts idr(): (Math.round(n) * 100).toString().
      const phone = await linkedPhone(env, CENTS);
      const wallet = await walletMoney(env.gw.database, await walletOf(env, phone));
      const billNo = nextBill('NODE');
      const body = JSON.stringify(ovoPayment(CENTS, phone, billNo, (Math.round(25_000) * 100).toString()));
      const w = await exchange(base, 'POST', '/ovo/payment', nodeFetchV2(base, body), body);
      const data = nodeFaspayRequest(w);
      assert.equal(data.amount, '2500000', 'amounts come back in the client\'s scale');
      const reply = readReply('payment', w, 'json', 'node-fetch payment');
      assert.equal(reply.status, 'PENDING');
      assertEchoes('payment', reply, { bill_no: billNo }, 'node-fetch payment');
      const after = await walletMoney(env.gw.database, await walletOf(env, phone));
      assert.equal(after.cashHeld - wallet.cashHeld, 25_000n, 'the ledger holds whole rupiah');
      // The same body correctly labelled is the same order: the same transaction, the same reply.
      const ref = readReply('payment', await exchange(base, 'POST', '/ovo/payment', labelled(base, body, 'application/json'), body), 'json', 'payment reference');
      assertSameReply(reply, ref, 'node-fetch payment');
      assert.equal(ref.trx_id, reply.trx_id);
    });

    await t.test('payment: Go appends "00" to bill_total, escapes & < >; a PHP float total that is not a whole ×100 answers 13 at HTTP 200', async () => {
      // attntech/faspay-go payment.go SendPaymentDebit: params.BillTotal = params.BillTotal + "00".
      const phone = await linkedPhone(env, CENTS);
      const billNo = nextBill('GO');
      const fields = { ...ovoPayment(CENTS, phone, billNo, '15000' + '00'), cust_name: 'Toko A&B <Jaya>' };
      const body = goJsonMarshal(fields);
      assert.match(body, /\\u0026/);
      const go = await exchange(base, 'POST', '/ovo/payment', goSendPost(base, body), body);
      const m = goDecode(go);
      for (const f of ['response', 'trx_id', 'response_code', 'response_desc', 'bill_no']) goString(m, f);
      const reply = readReply('payment', go, 'json', 'Go payment');
      assert.equal(reply.response_code, '00', go.raw);
      assert.equal(reply.amount, '1500000');
      const ref = readReply('payment', await exchange(base, 'POST', '/ovo/payment', labelled(base, body, 'application/json'), body), 'json', 'Go payment reference');
      assertSameReply(reply, ref, 'Go payment');

      // faspay-team/Woocommerce paymentpage.php scales with PHP floats (`$item['line_subtotal']*100.00`):
      // 19999.99 * 100 is 1999999.0000000002, which json_encode writes as such.
      const floatBill = nextBill('WOO');
      const floatFields = { ...ovoPayment(CENTS, phone, floatBill, 'x'), bill_total: phpNumber(String(19999.99 * 100)) };
      const floatBody = phpJsonEncode(floatFields);
      assert.match(floatBody, /"bill_total":1999999\.0000000002,/);
      const refused = readReply('payment', await exchange(base, 'POST', '/ovo/payment', wordpressJson(base, floatBody), floatBody), 'json', 'PHP float total');
      assert.equal(refused.response_code, '13', JSON.stringify(refused));
      assertEchoes('payment', refused, { bill_no: floatBill }, 'PHP float total');
      assert.equal(refused.trx_id, '');
    });

    await t.test('payment: Faspay\'s PHP SDK transport — form-urlencoded label, nulls, \\/ and \\u escapes, PHP ints, over 1024 bytes with Expect: 100-continue', async () => {
      // faspay-team/Sdk-PHP-Faspay frameworks/entity/FaspayPaymentRequest.php (its fields, in order, unset ones
      // null, request "" as FaspayPaymentRequestWrapper.php sets it) with OVO's phone_no, json_encode'd.
      const phone = await linkedPhone(env, DEMO);
      const billNo = `INV/2024/07/${++billSeq}`;
      const body = phpJsonEncode(phpSdkPayment(DEMO, phone, billNo, '50000'));
      assert.ok(Buffer.byteLength(body) > 1024, `the SDK's body is over curl's 1024-byte Expect threshold (${Buffer.byteLength(body)})`);
      assert.match(body, /INV\\\/2024/);
      const w = await exchange(base, 'POST', '/ovo/payment', phpSdkCurl(base, body), body);
      assert.ok(w.continued, 'the gateway answers Expect: 100-continue (curl would stall 1 s otherwise)');
      const decoded = JSON.parse(curlFailOnError(w)) as Record<string, unknown>;
      assert.equal(decoded.response_code, '00', w.raw);
      const reply = readReply('payment', w, 'json', 'PHP SDK payment');
      assert.equal(reply.bill_no, billNo);
      assert.equal(reply.status, 'PENDING');
      const ref = readReply('payment', await exchange(base, 'POST', '/ovo/payment', labelled(base, body, 'application/json'), body), 'json', 'PHP SDK payment reference');
      assertSameReply(reply, ref, 'PHP SDK payment');
    });

    await t.test('payment: a debit-style body carrying the nested item list (unknown fields, spec §1: ignored) is still read', async () => {
      // Every debit payment body carries `item`: faspay-team/Sdk-PHP-Faspay FaspayPaymentRequest.php,
      // khairul169/faspay-nodejs src/debit.ts, attntech/faspay-go payment.go PaymentDebitRequest,
      // faspay-team/faspay-woocommerce class-gateway.php. A merchant reusing that builder for OVO sends it too.
      const phone = await linkedPhone(env, DEMO);
      const billNo = nextBill('ITEM');
      const fields = { ...phpSdkPayment(DEMO, phone, billNo, '60000'),
        item: [{ id: '1', product: 'Kopi susu', qty: '1', amount: '60000', payment_plan: '01', merchant_id: DEMO.merchantId, tenor: '00' }] };
      const body = phpJsonEncode(fields);
      const reply = readReply('payment', await exchange(base, 'POST', '/ovo/payment', phpSdkCurl(base, body), body), 'json', 'nested item');
      assert.equal(reply.response_code, '00', JSON.stringify(reply));
    });

    await t.test('payment: PrestaShop\'s string-built XML (declaration, "</x> \\n" spacing) as text/xml; an unescaped & answers 30 at HTTP 200', async () => {
      // faspay-team/prestashop faspay/controllers/front/payment.php builds XML by concatenation, text/xml, and
      // reads the reply with simplexml_load_string whatever the status (no CURLOPT_FAILONERROR).
      const phone = await linkedPhone(env, DEMO);
      const billNo = nextBill('PS');
      const xml = (custName: string) => '<?xml version="1.0" encoding="UTF-8"?>' + '\n' + '<faspay>' + '\n'
        + Object.entries({ ...ovoPayment(DEMO, phone, billNo, '45000'), cust_name: custName }).map(([k, v]) => `<${k}>${v}</${k}> \n`).join('')
        + '</faspay>' + '\n';
      const body = xml('Andrea Hinata');
      const w = await exchange(base, 'POST', '/ovo/payment', curlTextXml(base, body), body);
      assert.equal(simplexmlLoad(w.raw).response_code, '00', w.raw);
      const reply = readReply('payment', w, 'xml', 'PrestaShop XML payment');
      const ref = readReply('payment', await exchange(base, 'POST', '/ovo/payment', labelled(base, body, 'application/xml'), body), 'xml', 'XML payment reference');
      assertSameReply(reply, ref, 'PrestaShop XML payment');

      // The same concatenation with a customer named "Toko A&B": not XML any more (no public fix found; the
      // plugins only escape & in what they receive, faspay-team/faspay-woocommerce notify.php).
      const broken = xml('Toko A&B');
      const refused = readReply('payment', await exchange(base, 'POST', '/ovo/payment', curlTextXml(base, broken), broken), 'xml', 'unescaped &');
      assert.equal(refused.response_code, '30', JSON.stringify(refused));
    });

    await t.test('payment-status: itsfaqih/faspay (Guzzle json) at /cvr/100004/10 maps pending, paid and unknown (14) into its typed reply', async () => {
      const pending = await placePayment(env, DEMO, '50000');
      const paid = await placePayment(env, DEMO, '5000');
      assert.equal(paid.status, 'SUCCESS');
      const unknown = { trxId: '9000000000000001', billNo: nextBill('NONE') };
      const results: Record<string, Record<string, string>> = {};
      for (const [label, p] of [['pending', pending], ['paid', paid], ['unknown', unknown]] as const) {
        // itsfaqih/faspay src/Requests/InquiryPaymentStatusRequest.php: its field order and request text.
        const body = phpJsonEncode({ request: 'Inquiry Status Payment', trx_id: p.trxId, bill_no: p.billNo, merchant_id: DEMO.merchantId, signature: sign(DEMO, p.billNo) });
        const w = await exchange(base, 'POST', '/cvr/100004/10', guzzleJson(base, body), body);
        const typed = phpTypedObject('ItsFaqih\\Faspay\\Responses\\InquiryPaymentStatusResponse', JSON.parse(guzzleHttpErrors(w)) as Record<string, unknown>, ITSFAQIH_INQUIRY);
        results[label] = typed;
        const reply = readReply('payment-status', w, 'json', `itsfaqih inquiry ${label}`);
        assertEchoes('payment-status', reply, { trx_id: p.trxId, bill_no: p.billNo, merchant_id: DEMO.merchantId }, `itsfaqih inquiry ${label}`);
      }
      assert.equal(results.pending!.responseCode, '00');
      assert.equal(results.pending!.paymentStatusCode, '1');
      assert.equal(results.pending!.paymentReff, '', 'payment_reff is empty until paid');
      assert.equal(results.paid!.paymentStatusCode, '2');
      assert.equal(results.unknown!.responseCode, '14');
      assert.equal(results.unknown!.paymentStatusCode, '5');
      assert.equal(results.unknown!.trxId, unknown.trxId);
    });

    await t.test('payment-status: Faspay\'s PHP SDK (form-urlencoded, request "x", bill_no with slashes); a wrong password answers 55 at HTTP 200', async () => {
      const p = await placePayment(env, DEMO, '50000', `INV/2024/08/${++billSeq}`);
      // faspay-team/Sdk-PHP-Faspay frameworks/test/test.php: FaspayPaymentStatusRequestWrapper("x", trx, bill, …);
      // frameworks/entity/FaspayPaymentStatusRequest.php gives the order.
      const body = (password: string) => phpJsonEncode({ request: 'x', trx_id: p.trxId, merchant_id: DEMO.merchantId, bill_no: p.billNo,
        signature: requestSignature(DEMO.userId, password, p.billNo) });
      const ok = body(DEMO.password);
      assert.match(ok, /INV\\\/2024\\\/08/);
      const w = await exchange(base, 'POST', '/cvr/100004/10', phpSdkCurl(base, ok), ok);
      assert.equal((JSON.parse(curlFailOnError(w)) as Record<string, unknown>).response_code, '00', w.raw);
      const reply = readReply('payment-status', w, 'json', 'PHP SDK inquiry');
      const ref = readReply('payment-status', await exchange(base, 'POST', '/cvr/100004/10', labelled(base, ok, 'application/json'), ok), 'json', 'inquiry reference');
      assertSameReply(reply, ref, 'PHP SDK inquiry');

      const wrong = body('not-the-password');
      const denied = await exchange(base, 'POST', '/cvr/100004/10', phpSdkCurl(base, wrong), wrong);
      const deniedReply = readReply('payment-status', denied, 'json', 'PHP SDK inquiry, wrong password');
      assert.equal(deniedReply.response_code, '55', denied.raw);
      assert.equal((JSON.parse(curlFailOnError(denied)) as Record<string, unknown>).response_code, '55', 'FAILONERROR keeps the body');
      assertEchoes('payment-status', deniedReply, { trx_id: p.trxId, bill_no: p.billNo, merchant_id: DEMO.merchantId }, 'wrong password');
    });

    await t.test('payment-status: PrestaShop\'s XML (declaration) at 383xx, and old WooCommerce\'s XML without declaration, read by simplexml', async () => {
      const p = await placePayment(env, DEMO, '5000');
      const s = sign(DEMO, p.billNo);
      // faspay-team/prestashop faspay/controllers/front/thankyou.php: "\n" after every element, text/xml, 383xx, no slash.
      const prestashop = '<?xml version="1.0" encoding="UTF-8"?>' + '\n' + '<faspay>' + '\n' + '<request>Inquiry Status Payment</request>' + '\n'
        + `<trx_id>${p.trxId}</trx_id>` + '\n' + `<merchant_id>${DEMO.merchantId}</merchant_id>` + '\n' + `<bill_no>${p.billNo}</bill_no>` + '\n'
        + `<signature>${s}</signature>` + '\n' + '</faspay>' + '\n';
      // faspay/faspay-woocommerce thanks-page.php: no declaration, one "\n" after trx_id, text/xml, 383xx.
      const woo = '<faspay>' + '<request>Inquiry Status Payment</request>' + `<trx_id>${p.trxId}</trx_id>` + '\n'
        + `<merchant_id>${DEMO.merchantId}</merchant_id>` + `<bill_no>${p.billNo}</bill_no>` + `<signature>${s}</signature>` + '</faspay>';
      const ref = readReply('payment-status', await exchange(base, 'POST', '/pws/100004/183xx00010100000', labelled(base, prestashop, 'application/xml'), prestashop),
        'xml', 'XML inquiry reference');
      for (const [label, body] of [['PrestaShop', prestashop], ['old WooCommerce', woo]] as const) {
        const w = await exchange(base, 'POST', '/pws/100004/383xx00010100000', curlTextXml(base, body), body);
        assert.equal(simplexmlLoad(w.raw).payment_status_code, '2', `${label} shows the order paid: ${w.raw}`);
        assertSameReply(readReply('payment-status', w, 'xml', label), ref, label);
      }
    });

    await t.test('payment-status: Go sends trx_id under "payment_channel" (its struct tag) → 83 at HTTP 200, every field a string', async () => {
      const p = await placePayment(env, DEMO, '50000');
      // attntech/faspay-go payment.go: PaymentInquiryRequest{TrxID string `json:"payment_channel"`}, Request "Daftar Payment Channel".
      const body = goJsonMarshal({ request: 'Daftar Payment Channel', payment_channel: p.trxId, merchant_id: DEMO.merchantId, bill_no: p.billNo, signature: sign(DEMO, p.billNo) });
      const w = await exchange(base, 'POST', '/cvr/100004/10', goSendPost(base, body), body);
      const go = goStruct(goDecode(w), GO_INQUIRY_FIELDS);
      assert.equal(go.response_code, '83', w.raw);
      assert.match(go.response_desc ?? '', /trx_id/);
      const reply = readReply('payment-status', w, 'json', 'Go inquiry');
      assertEchoes('payment-status', reply, { bill_no: p.billNo, merchant_id: DEMO.merchantId }, 'Go inquiry');
      assert.equal(reply.trx_id, '', 'no trx_id was sent');
    });

    await t.test('payment-status: XML urlencode()d and posted as a form (KNIGHTTH0R/faspay-prestashop) is neither JSON nor XML → 30 at HTTP 200', async () => {
      const p = await placePayment(env, DEMO, '5000');
      // KNIGHTTH0R/faspay-prestashop faspay/faspay.php: CURLOPT_POSTFIELDS = urlencode($xml), curl's default
      // form label, the shopper's browser as User-Agent, /pws/100004/383xx00010100000.
      const xml = '<faspay>' + '\n' + '<request>Inquiry Status Payment</request>' + '\n' + `<trx_id>${p.trxId}</trx_id>` + '\n'
        + `<merchant_id>${DEMO.merchantId}</merchant_id>` + '\n' + `<bill_no>${p.billNo}</bill_no>` + '\n' + `<signature>${sign(DEMO, p.billNo)}</signature>` + '\n'
        + '</faspay>' + '\n';
      const body = phpUrlencode(xml);
      assert.match(body, /^%3Cfaspay%3E%0A%3Crequest%3EInquiry\+Status\+Payment/);
      const headers: HeaderList = [['Host', hostOf(base)], ['User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'],
        ['Accept', '*/*'], ['Content-Length', lengthOf(body)], ['Content-Type', 'application/x-www-form-urlencoded']];
      const reply = readReply('payment-status', await exchange(base, 'POST', '/pws/100004/383xx00010100000', headers, body), 'json', 'urlencoded XML');
      assert.equal(reply.response_code, '30', JSON.stringify(reply));
    });

    await t.test('payment-status: WordPress (faspay-team/Woocommerce) sends merchant_id as a JSON number', async () => {
      const p = await placePayment(env, DEMO, '5000');
      // faspay-team/Woocommerce woocommerce-geteway-faspay.php inquiry_status: "merchant_id" => (int) substr($merchantCode, 3).
      const body = phpJsonEncode({ request: 'Inquiry Status Payment', trx_id: p.trxId, merchant_id: phpNumber(String(Number(DEMO.merchantId))), bill_no: p.billNo, signature: sign(DEMO, p.billNo) });
      assert.match(body, /"merchant_id":99999,/);
      const w = await exchange(base, 'POST', '/cvr/100004/10', wordpressJson(base, body), body);
      const reply = readReply('payment-status', w, 'json', 'WordPress inquiry');
      assert.equal(reply.payment_status_code, '2', w.raw);
      assert.equal(reply.merchant_id, '99999', 'echoed as a string');
    });

    await t.test('cancel: node-fetch cancels a pending payment at /cvr/100005/10 (00, status 8); the same body labelled JSON answers the same', async () => {
      const p = await placePayment(env, DEMO, '50000');
      // khairul169/faspay-nodejs src/debit.ts cancelTransaction: its fields and request text.
      const body = JSON.stringify({ request: 'Canceling Payment', merchant_id: DEMO.merchantId, merchant: DEMO.name, trx_id: p.trxId, bill_no: p.billNo,
        payment_cancel: 'Customer changed their mind', signature: sign(DEMO, p.billNo) });
      const w = await exchange(base, 'POST', '/cvr/100005/10', nodeFetchV2(base, body), body);
      const data = nodeFaspayRequest(w);
      assert.equal(data.payment_status_code, '8');
      const reply = readReply('cancel', w, 'json', 'node-fetch cancel');
      assertEchoes('cancel', reply, { trx_id: p.trxId, bill_no: p.billNo, merchant_id: DEMO.merchantId }, 'node-fetch cancel');
      const ref = readReply('cancel', await exchange(base, 'POST', '/cvr/100005/10', labelled(base, body, 'application/json'), body), 'json', 'cancel reference');
      assertSameReply(reply, ref, 'node-fetch cancel');
    });

    await t.test('cancel: itsfaqih/faspay\'s typed CancelTransactionResponse survives a cancel of a paid payment (81 at HTTP 200)', async () => {
      const paid = await placePayment(env, DEMO, '5000');
      assert.equal(paid.status, 'SUCCESS');
      // itsfaqih/faspay src/Requests/CancelTransactionRequest.php: its order (merchant fields last) and request text.
      const body = phpJsonEncode({ request: 'Inquiry Status Payment', trx_id: paid.trxId, bill_no: paid.billNo, payment_cancel: 'Out of stock',
        signature: sign(DEMO, paid.billNo), merchant_id: DEMO.merchantId, merchant: DEMO.name });
      const w = await exchange(base, 'POST', '/cvr/100005/10', guzzleJson(base, body), body);
      const typed = phpTypedObject('ItsFaqih\\Faspay\\Responses\\CancelTransactionResponse', JSON.parse(guzzleHttpErrors(w)) as Record<string, unknown>, ITSFAQIH_CANCEL);
      assert.equal(typed.responseCode, '81', w.raw);
      assert.equal(typed.trxId, paid.trxId);
      assert.equal(typed.billNo, paid.billNo);
      readReply('cancel', w, 'json', 'itsfaqih cancel of a paid payment');
      // The node library would surface it as its FaspayError with the code, not as an HTTP status text.
      assert.throws(() => nodeFaspayRequest(w), (e: unknown) => e instanceof FaspayError && e.code === '81');
    });

    await t.test('cancel: Go\'s unlabelled JSON, and XML as text/plain at /pws/100005/383xx00010100000/', async () => {
      const p = await placePayment(env, DEMO, '50000');
      // attntech/faspay-go payment.go CancelPaymentDebit: PaymentDebitCancelRequest order, Request "Daftar Payment Channel".
      const body = goJsonMarshal({ request: 'Daftar Payment Channel', trx_id: p.trxId, merchant_id: DEMO.merchantId, merchant: DEMO.name, bill_no: p.billNo,
        payment_cancel: 'Stok habis & batal', signature: sign(DEMO, p.billNo) });
      const w = await exchange(base, 'POST', '/cvr/100005/10', goSendPost(base, body), body);
      const go = goStruct(goDecode(w), GO_CANCEL_FIELDS);
      assert.equal(go.response_code, '00', w.raw);
      assert.equal(go.payment_cancel, 'Stok habis & batal');
      readReply('cancel', w, 'json', 'Go cancel');

      // No client was found sending XML as text/plain (the issue's case); `<?xml version="1.0"?>` is how
      // Sabre\Xml and Spatie\ArrayToXml declare it (faspay-team/Sdk-PHP-Faspay NotifyHandler.php, rick20/faspay src/Faspay.php).
      const q = await placePayment(env, DEMO, '50000');
      const xml = '<?xml version="1.0"?>\n<faspay><request>Cancel Transaction</request>'
        + `<trx_id>${q.trxId}</trx_id><merchant_id>${DEMO.merchantId}</merchant_id><merchant>${DEMO.name}</merchant><bill_no>${q.billNo}</bill_no>`
        + `<payment_cancel>Customer request</payment_cancel><signature>${sign(DEMO, q.billNo)}</signature></faspay>\n`;
      const x = await exchange(base, 'POST', '/pws/100005/383xx00010100000/', labelled(base, xml, 'text/plain'), xml);
      const reply = readReply('cancel', x, 'xml', 'XML cancel as text/plain');
      assert.equal(reply.response_code, '00', x.raw);
      assert.equal(reply.payment_status_code, '8');
      const ref = readReply('cancel', await exchange(base, 'POST', '/pws/100005/183xx00010100000', labelled(base, xml, 'application/xml'), xml), 'xml', 'XML cancel reference');
      assertSameReply(reply, ref, 'XML cancel as text/plain');
    });

    await t.test('Faspay\'s current WooCommerce plugin posts JSON labelled text/xml: the body decides, so it is served and answered in JSON', async () => {
      // faspay-team/faspay-woocommerce class-gateway.php curl(): `Content-Type: text/xml` with a json_encode'd
      // body, then json_decode of the reply. A body that starts with `{` is JSON whatever its label says.
      const phone = await linkedPhone(env, DEMO);
      const body = phpJsonEncode(ovoPayment(DEMO, phone, nextBill('XPRESS'), '50000'));
      const w = await exchange(base, 'POST', '/ovo/payment', curlTextXml(base, body), body);
      const reply = readReply('payment', w, 'json', 'JSON labelled text/xml');
      assert.equal(reply.response_code, '00', w.raw);
      assert.equal(reply.status, 'PENDING', w.raw);
    });

    await t.test('paths: Go\'s /pws/ovo_direct form post, the /pws/100003 redirect page opened with GET, GET /cvr/100004/10 → 30 naming the path at HTTP 200', async () => {
      // attntech/faspay-go http.go SendPostOvo: form fields (url.Values.Encode sorts them), Go's default User-Agent.
      const form = 'ovo_number=081234567890&signature=0123abcd&trx_id=9000000000000002';
      const direct = await exchange(base, 'POST', '/pws/ovo_direct', [['Host', hostOf(base)], ['User-Agent', 'Go-http-client/1.1'],
        ['Content-Length', lengthOf(form)], ['Content-Type', 'application/x-www-form-urlencoded'], ['Accept-Encoding', 'gzip']], form);
      // attntech/faspay-go url.go getPaymentRedirectUrl and rick20/faspay src/Faspay.php redirectToPay: the
      // customer's browser is sent to /pws/100003/0830000010100000/<signature>?trx_id=…&merchant_id=…&bill_no=….
      const page = '/pws/100003/0830000010100000/0123abcd?trx_id=9000000000000002&merchant_id=99999&bill_no=INV-1';
      const browser = await exchange(base, 'GET', page, [['Host', hostOf(base)], ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'],
        ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8']]);
      // A GET on an operation path (a monitor, a browser): the operation's reply with 30 naming the path.
      const get = await exchange(base, 'GET', '/cvr/100004/10', [['Host', hostOf(base)], ['Accept', '*/*'], ['User-Agent', 'curl/7.68.0']]);
      const reply = readReply('payment-status', get, 'json', 'GET /cvr/100004/10');
      assert.equal(reply.response_code, '30');
      assert.match(reply.response_desc, /\/cvr\/100004\/10/);
      const bare = [assertBarePathReply(direct, '/pws/ovo_direct'), assertBarePathReply(browser, '/pws/100003/0830000010100000/0123abcd')];
      // attntech/faspay-go reads `sendRequest["response"].(string)` first: §3 says every reply carries it.
      for (const body of bare) assert.equal(typeof body.response, 'string', `every reply carries response (§3): ${JSON.stringify(body)}`);
    });

    await t.test('notification: a WooCommerce notify.php-style receiver answers XML without declaration as text/html; the gateway counts it delivered', async () => {
      const phone = await linkedPhone(env, env.notify);
      const billNo = nextBill('NTF');
      const body = JSON.stringify(ovoPayment(env.notify, phone, billNo, '20000'));
      const paid = readReply('payment', await exchange(base, 'POST', '/ovo/payment', labelled(base, body, 'application/json'), body), 'json', 'notified payment');
      assert.equal(paid.status, 'SUCCESS', JSON.stringify(paid));
      const n = await env.receiver.waitFor(paid.trx_id, '2');
      assert.ok(n.contentType.startsWith('application/xml'), 'the merchant chose XML');
      const deadline = Date.now() + 10_000;
      let status = '';
      while (Date.now() < deadline) {
        const rows = await listDeliveries(env.gw.database, { merchantId: env.notify.merchantId, limit: 50 });
        status = rows.find((r) => r.kind === 'payment_notification' && (r.body ?? '').includes(paid.trx_id))?.status ?? '';
        if (status === 'delivered') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(status, 'delivered', 'text/html with an XML body reads as XML (§1.1)');
      await assertNothingMoreToSend(env.gw.gateway);
      assert.equal(env.receiver.forTrx(paid.trx_id, '2').length, 1, 'an acknowledged notification is not sent again');
    });
  });
}

// ---------------------------------------------------------------------------------------------------------

/** A reply to a path where no operation lives: HTTP 200, JSON, `30` naming the path. */
function assertBarePathReply(w: Wire, path: string): Record<string, unknown> {
  const where = `${path}: HTTP ${w.status} ${w.raw.slice(0, 400)}`;
  assert.equal(w.status, 200, where);
  assert.ok(String(w.headers['content-type'] ?? '').startsWith('application/json'), where);
  const body = JSON.parse(w.raw) as Record<string, unknown>;
  assert.equal(body.response_code, '30', where);
  assert.ok(String(body.response_desc).includes(path), `response_desc names the path: ${where}`);
  return body;
}

/** faspay-team/Sdk-PHP-Faspay frameworks/entity/FaspayPaymentRequest.php's fields, in order, as its wrapper fills them. */
function phpSdkPayment(m: MerchantInput, phone: string, billNo: string, total: string): Record<string, unknown> {
  return {
    request: '', merchant_id: m.merchantId, merchant: m.name, bill_no: billNo, bill_reff: null, bill_date: '2024-07-01 10:00:00',
    bill_expired: '2024-07-11 10:00:00', bill_desc: `Pembelian ${billNo} di ${m.name} / Kopi susu gula aren, roti bakar, dan air mineral`,
    bill_currency: 'IDR', bill_gross: null, bill_tax: '', bill_miscfee: null, bill_total: total, cust_no: null, cust_name: 'Andréa Hinata',
    payment_channel: '720', pay_type: phpNumber('0'), bank_userid: null, msisdn: phone, phone_no: phone, email: 'andrea@example.com',
    terminal: phpNumber('10'), billing_name: null, billing_lastname: null, billing_address: null, billing_address_city: null,
    billing_address_region: null, billing_address_state: null, billing_address_poscode: null, billing_msisdn: null,
    billing_address_country_code: null, receiver_name_for_shipping: null, shipping_lastname: null, shipping_address: null,
    shipping_address_city: null, shipping_address_region: null, shipping_address_state: null, shipping_address_poscode: null,
    shipping_msisdn: null, shipping_address_country_code: null, reserve1: null, reserve2: null, trx_source: null,
    signature: sign(m, phone),
  };
}

async function walletOf(env: Env, phone: string) {
  const wallet = await findWalletByPhone(env.gw.database.db, phone);
  if (!wallet) throw new Error(`no wallet ${phone}`);
  return wallet;
}
