// Proves phone, date, Jakarta time and amount formats accept exactly what spec §3 allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatJakartaDate,
  formatJakartaDateTime,
  jakartaDayEndExclusive,
  jakartaDayStart,
  maskPhone,
  normalizePhone,
  parseAmount,
  parseDate,
} from '../src/index.ts';

test('normalizePhone accepts 08…, 628… and +628… and returns 08…', () => {
  assert.equal(normalizePhone('081382826301'), '081382826301');
  assert.equal(normalizePhone('6281382826301'), '081382826301');
  assert.equal(normalizePhone('+6281382826301'), '081382826301');
  assert.equal(normalizePhone('0812345678'), '0812345678'); // 10 digits
  assert.equal(normalizePhone('0812345678901'), '0812345678901'); // 13 digits
});

test('normalizePhone rejects everything else', () => {
  for (const bad of [
    '', '081234567', '08123456789012', '0712345678', '+0812345678', '62712345678',
    '0813 8282 6301', '0813-8282-6301', ' 081382826301', '+62 81382826301', '８１３８２８２６３０１', '81382826301',
  ]) {
    assert.equal(normalizePhone(bad), null, bad);
  }
});

test('maskPhone keeps the first and last four digits', () => {
  assert.equal(maskPhone('081382826301'), '0813****6301');
  assert.equal(maskPhone('0812345678901'), '0812*****8901');
  assert.equal(maskPhone('12345678'), '****5678');
});

test('Jakarta datetime and date are UTC+7', () => {
  const instant = new Date('2024-01-01T17:30:00Z');
  assert.equal(formatJakartaDateTime(instant), '2024-01-02 00:30:00');
  assert.equal(formatJakartaDate(instant), '2024-01-02');
  assert.equal(formatJakartaDateTime(new Date('2024-03-05T01:02:03.999Z')), '2024-03-05 08:02:03');
  assert.equal(formatJakartaDate(new Date('2024-12-31T16:59:59Z')), '2024-12-31');
  assert.equal(formatJakartaDate(new Date('2024-12-31T17:00:00Z')), '2025-01-01');
  assert.throws(() => formatJakartaDateTime(new Date('nope')), RangeError);
});

test('parseDate accepts only real calendar days written YYYY-MM-DD', () => {
  assert.equal(parseDate('2024-02-29'), '2024-02-29');
  assert.equal(parseDate('2000-02-29'), '2000-02-29');
  assert.equal(parseDate('2024-12-31'), '2024-12-31');
  for (const bad of [
    '2024-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-01-00',
    '2024-1-01', '24-01-01', '2024/01/01', '2024-01-01 ', '2024-01-01T00:00:00', '', '0000-01-01',
  ]) {
    assert.equal(parseDate(bad), null, bad);
  }
});

test('a Jakarta day starts at 17:00 UTC the day before and lasts 24 hours', () => {
  assert.equal(jakartaDayStart('2024-01-02').toISOString(), '2024-01-01T17:00:00.000Z');
  assert.equal(jakartaDayEndExclusive('2024-01-02').toISOString(), '2024-01-02T17:00:00.000Z');
  assert.equal(jakartaDayStart('2024-03-01').toISOString(), '2024-02-29T17:00:00.000Z');
  assert.throws(() => jakartaDayStart('2024-02-30'), RangeError);
});

test('parseAmount reads whole rupiah only', () => {
  assert.equal(parseAmount('10000'), 10000n);
  assert.equal(parseAmount('10000.00'), 10000n);
  assert.equal(parseAmount('10000.0'), 10000n);
  assert.equal(parseAmount('0'), 0n);
  assert.equal(parseAmount('999999999999999'), 999999999999999n);
  for (const bad of ['', '-5', '+5', '10.5', '10.50', '10.', '1e3', ' 10', '1,000', '1000000000000000', '0x10', '10.000']) {
    assert.equal(parseAmount(bad), null, bad);
  }
});
