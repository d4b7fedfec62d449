// Proves the response and payment-status tables carry the spec's codes, wording and HTTP statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAYMENT_STATUS,
  ProtocolError,
  RESPONSE_CODES,
  isPaymentStatusCode,
  isResponseCode,
} from '../src/index.ts';

test('response codes match spec §3', () => {
  // Sorted: JavaScript lists integer-like keys ('13') before others ('00').
  assert.deepEqual(Object.keys(RESPONSE_CODES).sort(), [
    '00', '01', '02', '03', '13', '14', '18', '30', '55', '56', '63', '81', '83', '96',
  ]);
  assert.deepEqual(RESPONSE_CODES['00'], { desc: 'Success', http: 200 });
  assert.deepEqual(RESPONSE_CODES['02'], { desc: 'Failed, please regenerate payment token', http: 200 });
  assert.deepEqual(RESPONSE_CODES['55'], { desc: 'Incorrect User/Password', http: 200 });
  assert.deepEqual(RESPONSE_CODES['56'], { desc: 'Security Violation (from unknown IP-Address)', http: 200 });
  // Every client found reads a body only on HTTP 200 (spec §3): only the gateway's own failure is not 200.
  const httpByCode = Object.fromEntries(Object.entries(RESPONSE_CODES).map(([code, v]) => [code, v.http]));
  assert.deepEqual(httpByCode, {
    '00': 200, '01': 200, '02': 200, '03': 200, '13': 200, '14': 200, '18': 200,
    '30': 200, '55': 200, '56': 200, '63': 200, '81': 200, '83': 200, '96': 500,
  });
  assert.equal(isResponseCode('30'), true);
  assert.equal(isResponseCode('99'), false);
  assert.equal(isResponseCode('toString'), false);
});

test('payment status codes match spec §4.5 and have no 6', () => {
  assert.deepEqual(Object.keys(PAYMENT_STATUS), ['0', '1', '2', '3', '4', '5', '7', '8', '9']);
  assert.equal(PAYMENT_STATUS['2'], 'Payment Success');
  assert.equal(PAYMENT_STATUS['8'], 'Payment Cancelled');
  assert.equal(isPaymentStatusCode('6'), false);
  assert.equal(isPaymentStatusCode('7'), true);
});

test('ProtocolError carries code, message and field', () => {
  const error = new ProtocolError('83', 'phone_no is mandatory', 'phone_no');
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'ProtocolError');
  assert.equal(error.code, '83');
  assert.equal(error.message, 'phone_no is mandatory');
  assert.equal(error.field, 'phone_no');
  assert.equal(new ProtocolError('30', 'body is not valid JSON').field, undefined);
});
