// Proves validateRequest enforces the catalogue: 83 for a missing field, 30 for a wrong shape, 13 for a bad amount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, isMerchantId, validateRequest } from '../src/index.ts';

const PAYMENT = {
  merchant_id: '99999',
  bill_no: 'INV-2024-0001',
  bill_desc: 'Kopi susu',
  bill_total: '10000',
  bill_currency: 'IDR',
  payment_channel: '720',
  phone_no: '081382826301',
  cust_name: 'Andrea Hinata',
  email: 'andrea@example.com',
  pay_type: '0',
  signature: '1d4c5f7246a762c4ab61cd3d399efa4c28978bf3',
};

const HISTORY = {
  merchant_id: '99999',
  merchant: 'Toko Kopi',
  phone_no: '081382826301',
  payment_channel: '720',
  start_date: '2024-01-01',
  end_date: '2024-01-31',
  page: '1',
  limit: '10',
  signature: 'abc',
};

function rejects(code: string, field: string, run: () => unknown, message?: RegExp | string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.field, field);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  });
}

test('a complete payment validates to typed values', () => {
  const valid = validateRequest('payment', { ...PAYMENT, bill_total: '10000.00', request: 'Payment OVO' });
  assert.equal(valid.bill_total, 10000n);
  assert.equal(valid.phone_no, '081382826301');
  assert.equal(valid.request, 'Payment OVO');
  assert.equal(valid.pay_type, '0');
});

test('history converts page and limit to numbers', () => {
  const valid = validateRequest('history', HISTORY);
  assert.deepEqual(valid, { ...HISTORY, page: 1, limit: 10 });
});

test('a missing or blank mandatory field answers 83 naming the first one in catalogue order', () => {
  const { phone_no: _phone, ...noPhone } = PAYMENT;
  rejects('83', 'phone_no', () => validateRequest('payment', noPhone), 'phone_no is mandatory');
  rejects('83', 'bill_no', () => validateRequest('payment', { ...PAYMENT, bill_no: '   ', phone_no: '' }), 'bill_no is mandatory');
  // A missing field wins over an earlier malformed one: all mandatory fields are checked first.
  rejects('83', 'signature', () => validateRequest('payment', { ...PAYMENT, merchant_id: 'abc', signature: '' }));
  rejects('83', 'merchant_id', () => validateRequest('activation', {}));
});

test('values are trimmed and unknown fields dropped', () => {
  const valid = validateRequest('balance', {
    merchant_id: ' 99999 ',
    payment_channel: '720',
    phone_no: '\t081382826301\n',
    signature: 'abc',
    extra: 'ignored',
    is_admin: 'true',
  });
  assert.deepEqual(valid, { merchant_id: '99999', payment_channel: '720', phone_no: '081382826301', signature: 'abc' });
});

test('an empty optional field counts as absent', () => {
  const valid = validateRequest('cancel', {
    trx_id: '1234567890123456', merchant_id: '99999', merchant: ' ', bill_no: 'INV-1',
    payment_cancel: 'out of stock', signature: 'abc', request: '',
  });
  assert.equal('merchant' in valid, false);
  assert.equal('request' in valid, false);
});

test('phone numbers are normalised or rejected with 30', () => {
  assert.equal(validateRequest('payment', { ...PAYMENT, phone_no: '6281382826301' }).phone_no, '081382826301');
  assert.equal(validateRequest('payment', { ...PAYMENT, phone_no: '+6281382826301' }).phone_no, '081382826301');
  for (const bad of ['12345', '0813-8282-6301', '071382826301', '08138282630123']) {
    rejects('30', 'phone_no', () => validateRequest('payment', { ...PAYMENT, phone_no: bad }),
      'phone_no must be an Indonesian mobile number (08…, 10–13 digits)');
  }
});

test('amounts that are not a positive whole number of rupiah answer 13', () => {
  for (const bad of ['0', '-5', '10.5', '1e3', '0.00', 'abc', '10,000']) {
    rejects('13', 'bill_total', () => validateRequest('payment', { ...PAYMENT, bill_total: bad }),
      'bill_total must be a whole number of rupiah greater than 0');
  }
  rejects('13', 'bill_total', () => validateRequest('payment', { ...PAYMENT, bill_total: '1234567890123456' }),
    /maximum/);
  assert.equal(validateRequest('payment', { ...PAYMENT, bill_total: '10000.00' }).bill_total, 10000n);
});

test('wrong shapes answer 30 with the field name', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['payment', { merchant_id: '99a99' }, 'merchant_id', /digits only/],
    ['payment', { merchant_id: '12345678901' }, 'merchant_id', /at most 10 digits/],
    ['payment', { bill_no: 'x'.repeat(33) }, 'bill_no', /at most 32 characters/],
    ['payment', { bill_currency: 'USD' }, 'bill_currency', /one of: IDR/],
    ['payment', { pay_type: '3' }, 'pay_type', /one of: 0, 1, 2/],
    ['payment', { email: 'not-an-email' }, 'email', /email address/],
    ['payment', { email: 'a@b' }, 'email', /email address/],
    ['payment', { cust_name: 'Andrea\u0000Hinata' }, 'cust_name', /control characters/],
    ['history', { start_date: '2024-02-30' }, 'start_date', /^start_date must be a date YYYY-MM-DD$/],
    ['history', { end_date: '31-01-2024' }, 'end_date', /date YYYY-MM-DD/],
    ['history', { limit: '101' }, 'limit', /^limit must be a whole number from 1 to 100$/],
    ['history', { limit: '0' }, 'limit', /from 1 to 100/],
    ['history', { page: '0' }, 'page', /whole number/],
    ['history', { page: '1.5' }, 'page', /whole number/],
    ['history', { page: '-1' }, 'page', /whole number/],
    ['cancel', { trx_id: '12345678901234567' }, 'trx_id', /at most 16 digits/],
  ];
  const base: Record<string, Record<string, string>> = {
    payment: PAYMENT,
    history: HISTORY,
    cancel: { trx_id: '1', merchant_id: '99999', bill_no: 'INV-1', payment_cancel: 'x', signature: 's' },
  };
  for (const [op, override, field, message] of cases) {
    rejects('30', field, () => validateRequest(op as 'payment', { ...base[op], ...override }), message);
  }
});

test('limits count characters, not UTF-16 units', () => {
  const name = '😀'.repeat(100);
  assert.equal(validateRequest('payment', { ...PAYMENT, cust_name: name }).cust_name, name);
  rejects('30', 'cust_name', () => validateRequest('payment', { ...PAYMENT, cust_name: `${name}a` }));
});

test('values from inherited properties are not read', () => {
  const fields = Object.create({ signature: 'inherited' }) as Record<string, string>;
  Object.assign(fields, { merchant_id: '99999', payment_channel: '720', phone_no: '081382826301' });
  rejects('83', 'signature', () => validateRequest('balance', fields));
});

test('isMerchantId accepts exactly what validation accepts as a merchant_id: 1–10 digits', () => {
  for (const id of ['1', '99999', '0123456789']) assert.equal(isMerchantId(id), true, id);
  for (const id of ['', '12345678901', '99999 ', '9e4', '-1', '١٢٣', 99999, undefined]) assert.equal(isMerchantId(id), false, String(id));
  for (const id of ['0123456789', '12345678901']) {
    const accepted = (() => { try { validateRequest('balance', { merchant_id: id, payment_channel: '720', phone_no: '081382826301', signature: 'x' }); return true; } catch { return false; } })();
    assert.equal(accepted, isMerchantId(id), id);
  }
});
