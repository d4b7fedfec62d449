// Proves, in JSON and XML, that verifyNotification accepts a genuine notification and refuses a tampered body, a wrong password or secret, a missing, malformed or stale X-Signature and a re-serialised body; that a notification with a wrong or no Content-Type is read by its first character; that with amountDecimals 2 its amounts read as whole rupiah; that notificationAck is what the gateway's dispatcher counts as delivered; and that verifyActivationCallback accepts only a correctly signed callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAYMENT_NOTIFICATION, WIRE_FORMATS, activationCallbackSignature, hmacSignatureHeader, notificationSignature, parseBody,
  serialize, type WireFormat,
} from '@ovo-tokenize/protocol';
import {
  OvoFormatError, OvoSignatureVerificationError, notificationAck, parseNotification, verifyActivationCallback,
  verifyNotification, type VerifyNotificationOptions,
} from '../src/index.ts';

const USER = 'bot41001';
const PASSWORD = 'pw-41001';
const SECRET = 'whsec_notify';
const NOW = new Date('2025-06-01T05:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const CONTENT_TYPE: Record<WireFormat, string> = { json: 'application/json; charset=utf-8', xml: 'application/xml; charset=utf-8' };

/** What the gateway sends (services/payment-notifications.ts): the catalogue's fields in order, serialised. */
function notificationFields(overrides: Record<string, string> = {}): Record<string, string> {
  const statusCode = overrides.payment_status_code ?? '2';
  const values: Record<string, string> = {
    request: 'Payment Notification', trx_id: '3141592653589793', merchant_id: '41001', merchant: 'Toko Klien & Co <Jakarta>',
    bill_no: 'INV-2025-0001', payment_reff: '271828182845', payment_date: '2025-06-01 12:00:00', payment_status_code: statusCode,
    payment_status_desc: 'Payment Success', bill_total: '125000', payment_total: '125000', payment_channel_uid: '720',
    payment_channel: 'OVO Tokenize', signature: notificationSignature(USER, PASSWORD, overrides.bill_no ?? 'INV-2025-0001', statusCode),
    ...overrides,
  };
  return Object.fromEntries(PAYMENT_NOTIFICATION.fields.map((f) => [f, values[f]!]));
}

function body(format: WireFormat, overrides: Record<string, string> = {}): string {
  return serialize(format, notificationFields(overrides));
}

function options(format: WireFormat, rawBody: string | Uint8Array, extra: Partial<VerifyNotificationOptions> = {}): VerifyNotificationOptions {
  return { rawBody, contentType: CONTENT_TYPE[format], userId: USER, password: PASSWORD, now: NOW, ...extra };
}

function signed(rawBody: string | Uint8Array, t = NOW_S, secret = SECRET): Record<string, string> {
  return { 'X-Signature': hmacSignatureHeader(secret, rawBody, t) };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof OvoSignatureVerificationError || error instanceof OvoFormatError) return `${error.name}:${error.code}`;
    throw error;
  }
  return 'accepted';
}

for (const format of WIRE_FORMATS) {
  test(`${format}: a genuine notification verifies from string or bytes, with and without HMAC, and reads as typed fields`, () => {
    const raw = body(format);
    for (const rawBody of [raw, Buffer.from(raw, 'utf8'), new TextEncoder().encode(raw)]) {
      const n = verifyNotification(options(format, rawBody));
      assert.equal(n.format, format);
      assert.equal(n.trxId, '3141592653589793');
      assert.equal(n.billNo, 'INV-2025-0001');
      assert.equal(n.merchant, 'Toko Klien & Co <Jakarta>');
      assert.equal(n.paymentStatusCode, '2');
      assert.equal(n.amount, 125_000n);
      assert.equal(n.paymentTotal, 125_000n);
      assert.equal(n.paymentChannelUid, '720');
      assert.deepEqual(n.fields, notificationFields());
      const withHmac = verifyNotification(options(format, rawBody, { hmacSecret: SECRET, headers: signed(rawBody) }));
      assert.deepEqual(withHmac, n);
    }
    // Web Headers work as well as a plain object, in any letter case.
    assert.equal(verifyNotification(options(format, raw, { hmacSecret: SECRET, headers: new Headers(signed(raw)) })).trxId, '3141592653589793');
    assert.equal(verifyNotification(options(format, raw, { hmacSecret: SECRET, headers: { 'x-signature': signed(raw)['X-Signature'] } })).trxId, '3141592653589793');
    assert.equal(parseNotification(raw, CONTENT_TYPE[format]).signature, notificationFields().signature);
  });

  test(`${format}: tampering, wrong credentials, stale or missing X-Signature and re-serialised bodies are refused`, () => {
    const raw = body(format);
    const hmac = (rawBody: string, headers: Record<string, string>, extra: Partial<VerifyNotificationOptions> = {}) =>
      refusal(() => verifyNotification(options(format, rawBody, { hmacSecret: SECRET, headers, ...extra })));
    const legacy = (rawBody: string, extra: Partial<VerifyNotificationOptions> = {}) => refusal(() => verifyNotification(options(format, rawBody, extra)));

    const failedStatus = raw.replace(/(payment_status_code["<>:]+)2/, '$13');
    assert.notEqual(failedStatus, raw);
    assert.equal(legacy(failedStatus), 'OvoSignatureVerificationError:signature_mismatch', 'status changed: the legacy signature catches it');
    assert.equal(hmac(failedStatus, signed(raw)), 'OvoSignatureVerificationError:hmac_mismatch');

    const cheaper = raw.replaceAll('125000', '1');
    // The legacy signature covers bill_no and the status only: this is why a merchant should set an HMAC secret.
    assert.equal(legacy(cheaper), 'accepted', 'documented limitation of the legacy signature');
    assert.equal(hmac(cheaper, signed(raw)), 'OvoSignatureVerificationError:hmac_mismatch');

    assert.equal(legacy(raw, { password: 'wrong' }), 'OvoSignatureVerificationError:signature_mismatch');
    assert.equal(hmac(raw, signed(raw, NOW_S, 'whsec_other')), 'OvoSignatureVerificationError:hmac_mismatch');
    assert.equal(hmac(raw, {}), 'OvoSignatureVerificationError:hmac_missing');
    assert.equal(hmac(raw, { 'X-Signature': 'v1=abc' }), 'OvoSignatureVerificationError:hmac_malformed');
    assert.equal(hmac(raw, signed(raw, NOW_S - 301)), 'OvoSignatureVerificationError:hmac_stale');
    assert.equal(hmac(raw, signed(raw, NOW_S + 301)), 'OvoSignatureVerificationError:hmac_stale');
    assert.equal(hmac(raw, signed(raw, NOW_S - 299)), 'accepted');
    assert.equal(hmac(raw, signed(raw, NOW_S - 299), { toleranceS: 60 }), 'OvoSignatureVerificationError:hmac_stale');

    // The same fields, serialised again the way a framework might: other bytes, so the HMAC fails.
    const fields = parseBody(format, raw);
    const reserialised = format === 'json'
      ? JSON.stringify(fields, null, 2)
      : serialize('xml', Object.fromEntries(Object.entries(fields).reverse()));
    assert.notEqual(reserialised, raw);
    assert.equal(hmac(reserialised, signed(raw)), 'OvoSignatureVerificationError:hmac_mismatch');
    assert.equal(legacy(reserialised), 'accepted', 'the fields themselves are unchanged');
    // Decoding and re-encoding the same bytes is harmless: the HMAC is over the bytes, and they are the same.
    assert.equal(hmac(Buffer.from(raw).toString('utf8'), signed(raw)), 'accepted');
  });

  test(`${format}: a notification labelled wrongly or not at all is read by its first character; unreadable ones are OvoFormatError; the acknowledgement is what the gateway counts as delivered`, () => {
    const raw = body(format);
    for (const label of ['text/plain', 'application/x-www-form-urlencoded', 'text/html; charset=UTF-8', '', null, undefined]) {
      const n = verifyNotification(options(format, raw, { contentType: label }));
      assert.deepEqual([n.format, n.billNo, n.amount], [format, 'INV-2025-0001', 125_000n], `labelled ${String(label)}`);
    }
    assert.equal(refusal(() => parseNotification('trx_id=1&bill_no=2', 'application/x-www-form-urlencoded')), 'OvoFormatError:invalid_notification');
    assert.equal(refusal(() => parseNotification('', undefined)), 'OvoFormatError:invalid_notification');
    // The body's first character wins over the label, as at the gateway (a PHP receiver's XML as text/html,
    // Faspay's own plugin's JSON as text/xml).
    const other: WireFormat = format === 'json' ? 'xml' : 'json';
    assert.equal(parseNotification(raw, CONTENT_TYPE[other]).format, format);
    assert.equal(refusal(() => parseNotification(raw.slice(0, -5), CONTENT_TYPE[format])), 'OvoFormatError:invalid_notification');
    assert.equal(refusal(() => parseNotification(new Uint8Array([0xff, 0xfe, 0x00]), CONTENT_TYPE[format])), 'OvoFormatError:invalid_notification');
    const withoutSignature = serialize(format, Object.fromEntries(Object.entries(notificationFields()).filter(([k]) => k !== 'signature')));
    assert.equal(refusal(() => parseNotification(withoutSignature, CONTENT_TYPE[format])), 'OvoFormatError:invalid_notification');
    assert.equal(refusal(() => parseNotification(body(format, { bill_total: 'lots' }), CONTENT_TYPE[format])), 'OvoFormatError:invalid_notification');
    // A status code the client does not know is Unknown (9), never success.
    assert.equal(parseNotification(body(format, { payment_status_code: '6' }), CONTENT_TYPE[format]).paymentStatusCode, '9');

    const notification = verifyNotification(options(format, raw));
    const ack = notificationAck(notification, { now: NOW });
    assert.equal(ack.status, 200);
    assert.equal(ack.contentType, CONTENT_TYPE[format]);
    const read = parseBody(format, ack.body);
    assert.deepEqual(Object.keys(read), [...PAYMENT_NOTIFICATION.ack]);
    assert.deepEqual({ ...read }, {
      response: 'Payment Notification', trx_id: '3141592653589793', merchant_id: '41001', bill_no: 'INV-2025-0001',
      response_code: '00', response_desc: 'Success', response_date: '2025-06-01 12:00:00',
    });
    const crossed = notificationAck(notification, { format: other, now: NOW });
    assert.equal(crossed.contentType, CONTENT_TYPE[other]);
    assert.equal(parseBody(other, crossed.body).response_code, '00');
  });
}

test('with amountDecimals 2, bill_total and payment_total carry two implied decimals and read as whole rupiah; a fraction of a rupiah is refused', () => {
  for (const format of WIRE_FORMATS) {
    const scaled = body(format, { bill_total: '12500000', payment_total: '12500000.00' });
    const n = verifyNotification(options(format, scaled, { amountDecimals: 2 }));
    assert.deepEqual([n.amount, n.paymentTotal], [125_000n, 125_000n], format);
    assert.equal(n.fields.bill_total, '12500000', 'the wire fields stay as received');
    assert.deepEqual([parseNotification(scaled, CONTENT_TYPE[format]).amount], [12_500_000n], 'without the option it is read as whole rupiah');
    assert.equal(refusal(() => parseNotification(body(format, { bill_total: '12500050' }), CONTENT_TYPE[format], { amountDecimals: 2 })),
      'OvoFormatError:invalid_notification');
  }
  // @ts-expect-error a JavaScript caller can pass anything
  assert.throws(() => parseNotification(body('json'), CONTENT_TYPE.json, { amountDecimals: 1 }), /amountDecimals must be 0 or 2/);
});

test('an activation callback verifies from URLSearchParams, a URL or a parsed query object; forged or incomplete ones are refused', () => {
  const params = (code: '00' | '01', signature = activationCallbackSignature(USER, PASSWORD, '081382826301', code)) => new URLSearchParams({
    response: 'Callback Activation OVO Open API', phone_number: '081382826301', response_code: code,
    response_desc: code === '00' ? 'Success' : 'Failed', merchant_id: '41001', signature,
  });
  const credentials = { userId: USER, password: PASSWORD };

  const linked = verifyActivationCallback(params('00'), credentials);
  assert.deepEqual(linked, {
    response: 'Callback Activation OVO Open API', phone: '081382826301', responseCode: '00', responseDesc: 'Success',
    merchantId: '41001', signature: activationCallbackSignature(USER, PASSWORD, '081382826301', '00'), linked: true,
  });
  assert.equal(verifyActivationCallback(`https://shop.example/ovo/return?shop=1&${params('01')}`, credentials).linked, false);
  assert.equal(verifyActivationCallback(params('00').toString(), credentials).linked, true);
  assert.equal(verifyActivationCallback(Object.fromEntries(params('00')), credentials).phone, '081382826301');

  // A failed attempt's signature replayed with response_code 00 does not pass.
  const forged = params('01');
  forged.set('response_code', '00');
  assert.equal(refusal(() => verifyActivationCallback(forged, credentials)), 'OvoSignatureVerificationError:signature_mismatch');
  assert.equal(refusal(() => verifyActivationCallback(params('00'), { ...credentials, password: 'x' })), 'OvoSignatureVerificationError:signature_mismatch');
  const incomplete = params('00');
  incomplete.delete('signature');
  assert.equal(refusal(() => verifyActivationCallback(incomplete, credentials)), 'OvoFormatError:invalid_callback');
  const doubled = params('00');
  doubled.append('response_code', '01');
  assert.equal(refusal(() => verifyActivationCallback(doubled, credentials)), 'OvoFormatError:invalid_callback');
  assert.equal(refusal(() => verifyActivationCallback({ ...Object.fromEntries(params('00')), phone_number: ['081382826301', '0812'] }, credentials)),
    'OvoFormatError:invalid_callback');
});
