// Proves that verifyPaymentReturn accepts a correctly signed payment return query (URLSearchParams, a URL, a query string or a parsed query object) and reads its amount at the merchant's scale, and refuses one whose status or bill_no was altered, one checked with the wrong password, and one with a parameter missing or repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAYMENT_RETURN, paymentStatusSignature } from '@ovo-tokenize/protocol';
import { OvoFormatError, OvoSignatureVerificationError, verifyPaymentReturn } from '../src/index.ts';

const USER = 'bot41001';
const PASSWORD = 'pw-41001';
const CREDENTIALS = { userId: USER, password: PASSWORD };

/** What the gateway's payment page appends to the return URL (services/payment-return.ts), in catalogue order. */
function returnQuery(overrides: { status?: string; bill_no?: string; bill_total?: string; payment_reff?: string } = {}): URLSearchParams {
  const billNo = overrides.bill_no ?? 'INV-2025-0001';
  const status = overrides.status ?? '2';
  const values: Record<string, string> = {
    trx_id: '3141592653589793', merchant_id: '41001', merchant: 'Toko Klien & Co', bill_no: billNo, bill_reff: billNo,
    bill_total: overrides.bill_total ?? '125000', payment_reff: overrides.payment_reff ?? (status === '2' ? '271828182845' : ''),
    payment_date: '2025-06-01 12:00:00', status, signature: paymentStatusSignature(USER, PASSWORD, billNo, status),
  };
  return new URLSearchParams(PAYMENT_RETURN.fields.map((f) => [f, values[f]!]));
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

test('a genuine payment return verifies, from every query shape, with its fields typed', () => {
  const query = returnQuery();
  assert.deepEqual(verifyPaymentReturn(query, CREDENTIALS), {
    trxId: '3141592653589793', merchantId: '41001', merchant: 'Toko Klien & Co', billNo: 'INV-2025-0001', billReff: 'INV-2025-0001',
    amount: 125_000n, paymentReff: '271828182845', paymentDate: '2025-06-01 12:00:00', status: '2',
    signature: paymentStatusSignature(USER, PASSWORD, 'INV-2025-0001', '2'),
  });
  assert.equal(verifyPaymentReturn(`https://shop.example/ovo/payment-return?shop=1&${query}`, CREDENTIALS).status, '2');
  assert.equal(verifyPaymentReturn(query.toString(), CREDENTIALS).billNo, 'INV-2025-0001');
  assert.equal(verifyPaymentReturn(Object.fromEntries(query), CREDENTIALS).trxId, '3141592653589793');
  const cancelled = verifyPaymentReturn(returnQuery({ status: '8' }), CREDENTIALS);
  assert.equal(cancelled.status, '8');
  assert.equal(cancelled.paymentReff, '');
});

test('bill_total is read at the merchant\'s amount scale: two implied decimals give whole rupiah', () => {
  const query = returnQuery({ bill_total: '12500000' });
  assert.equal(verifyPaymentReturn(query, { ...CREDENTIALS, amountDecimals: 2 }).amount, 125_000n);
  assert.equal(verifyPaymentReturn(query, CREDENTIALS).amount, 12_500_000n);
  assert.equal(refusal(() => verifyPaymentReturn(returnQuery({ bill_total: '12500050' }), { ...CREDENTIALS, amountDecimals: 2 })),
    'OvoFormatError:invalid_callback');
});

test('an altered status is refused: a cancelled payment cannot be passed off as paid', () => {
  const forged = returnQuery({ status: '8' });
  forged.set('status', '2');
  assert.equal(refusal(() => verifyPaymentReturn(forged, CREDENTIALS)), 'OvoSignatureVerificationError:signature_mismatch');
});

test('an altered bill_no is refused: one order\'s return cannot stand in for another', () => {
  const forged = returnQuery({ bill_no: 'INV-2025-0001' });
  forged.set('bill_no', 'INV-2025-0002');
  assert.equal(refusal(() => verifyPaymentReturn(forged, CREDENTIALS)), 'OvoSignatureVerificationError:signature_mismatch');
});

test('the wrong password (or user id) does not verify', () => {
  assert.equal(refusal(() => verifyPaymentReturn(returnQuery(), { ...CREDENTIALS, password: 'not-the-password' })),
    'OvoSignatureVerificationError:signature_mismatch');
  assert.equal(refusal(() => verifyPaymentReturn(returnQuery(), { ...CREDENTIALS, userId: 'bot41002' })),
    'OvoSignatureVerificationError:signature_mismatch');
});

test('a missing or repeated parameter is refused before anything is believed', () => {
  for (const wire of PAYMENT_RETURN.fields) {
    const incomplete = returnQuery();
    incomplete.delete(wire);
    assert.equal(refusal(() => verifyPaymentReturn(incomplete, CREDENTIALS)), 'OvoFormatError:invalid_callback', `without ${wire}`);
  }
  const doubled = returnQuery();
  doubled.append('status', '3');
  assert.equal(refusal(() => verifyPaymentReturn(doubled, CREDENTIALS)), 'OvoFormatError:invalid_callback');
  assert.equal(refusal(() => verifyPaymentReturn({ ...Object.fromEntries(returnQuery()), bill_no: ['INV-1', 'INV-2'] }, CREDENTIALS)),
    'OvoFormatError:invalid_callback');
});
