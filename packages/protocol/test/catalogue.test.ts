// Proves the operation catalogue is internally consistent with spec §4 and that its derived types follow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATIONS, OPERATION_NAMES, isOperationName } from '../src/index.ts';
import type { OperationSpec, RequestFields, ValidRequest } from '../src/index.ts';

test('operation names are the spec\'s canonical names', () => {
  assert.deepEqual(OPERATION_NAMES, [
    'activation', 'payment', 'topup-instruction', 'balance', 'history', 'unlink', 'payment-status', 'cancel',
  ]);
  assert.equal(isOperationName('balance'), true);
  assert.equal(isOperationName('toString'), false);
});

test('every operation is signed over a mandatory field and replies with response code and description', () => {
  for (const name of OPERATION_NAMES) {
    const spec: OperationSpec = OPERATIONS[name];
    assert.equal(spec.name, name);
    const byName = new Map(spec.request.map((f) => [f.name, f]));
    assert.equal(byName.size, spec.request.length, `${name}: duplicate request field`);
    assert.equal(byName.get(spec.signedField)?.required, true, `${name}: signed field is mandatory`);
    assert.equal(byName.get('signature')?.required, true, `${name}: signature is mandatory`);
    assert.equal(byName.get('merchant_id')?.required, true, `${name}: merchant_id is mandatory`);
    assert.equal(byName.get('request')?.required, false, `${name}: request is optional`);
    assert.equal(spec.reply[0], 'response');
    assert.ok(spec.reply.includes('response_code') && spec.reply.includes('response_desc'));
    assert.equal(new Set(spec.reply).size, spec.reply.length, `${name}: duplicate reply field`);
    for (const field of spec.request) {
      if (field.kind === 'enum') assert.ok(field.values && field.values.length > 0);
    }
  }
});

test('the legacy signature covers phone_no for OVO operations and bill_no for payment-status and cancel', () => {
  const byBillNo = OPERATION_NAMES.filter((n) => OPERATIONS[n].signedField === 'bill_no');
  assert.deepEqual(byBillNo, ['payment-status', 'cancel']);
});

test('request fields follow the spec lists and M/O marks', () => {
  const list = (name: keyof typeof OPERATIONS) =>
    OPERATIONS[name].request.map((f) => (f.required ? f.name : `${f.name}?`));
  assert.deepEqual(list('activation'), ['request?', 'merchant_id', 'payment_channel', 'phone_no', 'cust_name', 'signature']);
  assert.deepEqual(list('payment'), [
    'request?', 'merchant_id', 'bill_no', 'bill_desc', 'bill_total', 'bill_currency', 'payment_channel',
    'phone_no', 'cust_name', 'email', 'pay_type', 'signature',
  ]);
  assert.deepEqual(list('history'), [
    'request?', 'merchant_id', 'merchant', 'phone_no', 'payment_channel', 'start_date', 'end_date', 'page',
    'limit', 'signature',
  ]);
  assert.deepEqual(list('cancel'), [
    'request?', 'trx_id', 'merchant_id', 'merchant?', 'bill_no', 'payment_cancel', 'signature',
  ]);
  assert.deepEqual(list('payment-status'), ['request?', 'trx_id', 'merchant_id', 'bill_no', 'signature']);
});

test('derived request types follow the catalogue (checked by tsc)', () => {
  const cancel: RequestFields<'cancel'> = {
    trx_id: '1', merchant_id: '99999', bill_no: 'INV-1', payment_cancel: 'no stock', signature: 'x',
  };
  // @ts-expect-error merchant is mandatory in history
  const history: RequestFields<'history'> = {
    merchant_id: '', phone_no: '', payment_channel: '', start_date: '', end_date: '', page: '', limit: '', signature: '',
  };
  const payment = null as unknown as ValidRequest<'payment'>;
  const typed: (ValidRequest<'payment'> | null)[] = [payment];
  const amount: bigint | undefined = typed[0]?.bill_total;
  const payType: '0' | '1' | '2' | undefined = typed[0]?.pay_type;
  const limit: number | undefined = (null as ValidRequest<'history'> | null)?.limit;
  assert.equal(cancel.merchant, undefined);
  assert.ok(history);
  assert.deepEqual([amount, payType, limit], [undefined, undefined, undefined]);
});
