// Proves that every response code, now that the gateway answers it with HTTP 200 in a complete reply ('' where a field has no value), maps to the same typed outcome or error class as before — for every operation in JSON and XML against a scripted server answering exactly that, and against the real gateway for the codes it produces on request — that an older gateway's or a proxy's 4xx is handled by its response code when it has one and as an OvoApiError naming the status when not, that a 5xx or 429 is never an answer, that complete 00 replies read without loosening their checks, and that replies labelled text/html or not labelled at all are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATION_NAMES, WIRE_FORMATS, type OperationName, type ResponseCode, type WireFormat } from '@ovo-tokenize/protocol';
import { OvoTokenizeClient, OvoTokenizeError, type OvoTokenizeClientOptions } from '../src/index.ts';
import { link, ok, startShop } from './support/gateway.ts';
import { gatewayReply, raw, startScriptedServer, type ScriptedServer } from './support/scripted-server.ts';

const PHONE = '081234567890';
const TRX_ID = '1234567890123456';
const BILL_NO = 'INV-7';
const RELINK_URL = 'http://127.0.0.1:8080/activation/abc';
const server = await startScriptedServer();

function clientFor(s: ScriptedServer, format: WireFormat, options: Partial<OvoTokenizeClientOptions> = {}): OvoTokenizeClient {
  return new OvoTokenizeClient({
    baseUrl: s.url, merchantId: '99999', merchantName: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd', format,
    maxRetries: 0, ...options,
  });
}

/** One call per operation, with arguments the catalogue accepts. */
const CALLS: Readonly<Record<OperationName, (client: OvoTokenizeClient, requestId?: string) => Promise<{ outcome: string }>>> = {
  activation: (c, requestId) => c.activate({ phone: PHONE, customerName: 'Andrea Hinata' }, { requestId }),
  payment: (c, requestId) => c.pay({
    billNo: BILL_NO, description: 'Kopi', amount: 25_000n, phone: PHONE, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash',
  }, { requestId }),
  'topup-instruction': (c, requestId) => c.topupInstructions({ phone: PHONE }, { requestId }),
  balance: (c, requestId) => c.balance({ phone: PHONE }, { requestId }),
  history: (c, requestId) => c.history({ phone: PHONE, startDate: '2025-01-01', endDate: '2025-01-02', page: 1, limit: 10 }, { requestId }),
  unlink: (c, requestId) => c.unlink({ phone: PHONE }, { requestId }),
  'payment-status': (c, requestId) => c.paymentStatus({ trxId: TRX_ID, billNo: BILL_NO }, { requestId }),
  cancel: (c, requestId) => c.cancel({ trxId: TRX_ID, billNo: BILL_NO, reason: 'changed my mind' }, { requestId }),
};

const RELINKING: ReadonlySet<OperationName> = new Set(['payment', 'balance', 'history']);

/** What each code became before the wire change, and must still become: an outcome, or an error class and code. */
const EXPECTED: Readonly<Record<Exclude<ResponseCode, '00'>, string>> = {
  '01': 'failed 01',
  '02': 'relinkRequired',
  '03': 'OvoAuthenticationError invalid_merchant',
  '13': 'OvoInvalidRequestError invalid_amount',
  '14': 'OvoInvalidRequestError invalid_order',
  '18': 'failed 18',
  '30': 'OvoInvalidRequestError format_error',
  '55': 'OvoAuthenticationError incorrect_signature',
  '56': 'OvoAuthenticationError ip_not_allowed',
  '63': 'failed 63',
  '81': 'failed 81',
  '83': 'OvoInvalidRequestError parameter_missing',
  '96': 'OvoApiError system_malfunction',
};
const CODES = Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>;

/** `02` is an answer only where the reply can carry `url`; elsewhere it is a code the operation does not use. */
function expected(op: OperationName, code: keyof typeof EXPECTED): string {
  return code === '02' && !RELINKING.has(op) ? 'OvoApiError response_code_02' : EXPECTED[code];
}

/** The call's result or error in one line, e.g. `failed 01` or `OvoAuthenticationError incorrect_signature`. */
async function observe(call: () => Promise<{ outcome: string }>): Promise<{ summary: string; error?: OvoTokenizeError; result?: unknown }> {
  try {
    const result = await call();
    const code = (result as { code?: string }).code;
    return { summary: code === undefined ? result.outcome : `${result.outcome} ${code}`, result };
  } catch (error) {
    if (!(error instanceof OvoTokenizeError)) throw error;
    return { summary: `${error.name} ${error.code}`, error };
  }
}

/** The identifying fields a request carried, which the gateway echoes wherever the reply lists them. */
const ECHO = { merchant_id: '99999', merchant: 'Demo Shop', payment_channel: '720', phone_no: PHONE, bill_no: BILL_NO, trx_id: TRX_ID };

for (const format of WIRE_FORMATS) {
  test(`${format}: every code in a complete HTTP 200 reply of every operation maps to its outcome or error, carrying status, code, request id and body`, async () => {
    const client = clientFor(server, format);
    for (const op of OPERATION_NAMES) {
      const seen: Record<string, string> = {};
      for (const code of CODES) {
        const step = gatewayReply(op, format, { ...ECHO, response_code: code, ...(code === '02' ? { url: RELINK_URL } : {}) });
        server.script(step);
        const requestId = `req-${op}-${code}`;
        const { summary, error, result } = await observe(() => CALLS[op](client, requestId));
        seen[code] = summary;
        if (error) {
          assert.deepEqual([error.httpStatus, error.responseCode, error.requestId], [code === '96' ? 500 : 200, code, requestId], `${op} ${code}`);
          assert.equal(error.raw, step.body, `${op} ${code}: raw is the reply`);
        } else if (code === '02') {
          assert.deepEqual(result, { outcome: 'relinkRequired', relinkUrl: RELINK_URL, description: 'Failed, please regenerate payment token', requestId });
        } else {
          assert.equal((result as { requestId: string }).requestId, requestId);
        }
      }
      assert.deepEqual(seen, Object.fromEntries(CODES.map((code) => [code, expected(op, code)])), op);

      // Over the rate limit: HTTP 429 with a 96 body, thrown as rate_limited (no retries configured here).
      server.script(raw(429, 'application/json', JSON.stringify({ response_code: '96', response_desc: 'System Malfunction: rate limit exceeded' }),
        { 'retry-after': '60' }));
      const limited = await observe(() => CALLS[op](client));
      assert.deepEqual([limited.summary, limited.error?.httpStatus, limited.error?.responseCode], ['OvoApiError rate_limited', 429, '96'], op);
    }
  });

  test(`${format}: complete 00 replies with '' fields read, and '' where a 00 reply needs an amount, a count or the balance is still refused`, async () => {
    const client = clientFor(server, format);
    server.script(gatewayReply('payment', format, {
      ...ECHO, response_code: '00', redirectURL: 'http://gw/pay/t', status: 'PENDING', amount: '25000', payment_day: '2025-01-01 10:00:00',
    }));
    const paid = ok(await client.pay({
      billNo: BILL_NO, description: 'Kopi', amount: 25_000n, phone: PHONE, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash',
    }));
    assert.deepEqual(Object.keys(paid).sort(), ['amount', 'billNo', 'outcome', 'paymentDay', 'redirectUrl', 'requestId', 'status', 'trxId'],
      "url '' becomes no relinkUrl");
    assert.equal(paid.amount, 25_000n);

    server.script(gatewayReply('payment-status', format, {
      ...ECHO, response_code: '00', payment_status_code: '1', payment_status_desc: 'In Process',
    }));
    const pending = ok(await client.paymentStatus({ trxId: TRX_ID, billNo: BILL_NO }));
    assert.deepEqual([pending.paymentReff, pending.paymentDate, pending.paymentStatusCode], ['', '', '1']);

    server.script(gatewayReply('history', format, { ...ECHO, response_code: '00', page: '1', limit: '10', total: '0' }));
    const empty = ok(await client.history({ phone: PHONE, startDate: '2025-01-01', endDate: '2025-01-02', page: 1, limit: 10 }));
    assert.deepEqual([empty.transactions, empty.total], [[], 0]);

    const strict: Array<[OperationName, Record<string, string>]> = [
      ['balance', {}],
      ['history', { page: '1', limit: '10' }],
      ['payment', { redirectURL: 'http://gw/pay/t', status: 'PENDING', payment_day: '2025-01-01 10:00:00' }],
    ];
    for (const [op, fields] of strict) {
      server.script(gatewayReply(op, format, { ...ECHO, ...fields, response_code: '00' }));
      const refused = await observe(() => CALLS[op](client));
      assert.equal(refused.summary, 'OvoFormatError invalid_reply', op);
    }
  });

  test(`${format}: a reply labelled text/html, text/plain, octet-stream or not at all is read by its first character`, async () => {
    const client = clientFor(server, format);
    const balance = gatewayReply('balance', format, {
      ...ECHO, response_code: '00', detail: { cash: { balance: '700000' }, points: { balance: '1200' } },
    });
    for (const label of ['text/html; charset=UTF-8', 'text/plain', 'application/octet-stream', null]) {
      server.script({ ...balance, contentType: label, body: `\n ${balance.body}` });
      const read = ok(await client.balance({ phone: PHONE }));
      assert.deepEqual([read.cash, read.points], [700_000n, 1_200n], `labelled ${String(label)}`);
      server.script({ ...gatewayReply('balance', format, { ...ECHO, response_code: '55' }), contentType: label });
      assert.equal((await observe(() => client.balance({ phone: PHONE }))).summary, 'OvoAuthenticationError incorrect_signature', `labelled ${String(label)}`);
    }
  });
}

test('an older gateway\'s 4xx statuses map by the body\'s response code as before; a 5xx or 429 is never an answer; a 4xx without a protocol body is an OvoApiError naming the status', async () => {
  // The status each code travelled with before every protocol reply became HTTP 200.
  const OLD_STATUS: Readonly<Record<keyof typeof EXPECTED, number>> = {
    '01': 200, '02': 200, '03': 404, '13': 400, '14': 400, '18': 400, '30': 400, '55': 401, '56': 403, '63': 403, '81': 409, '83': 400, '96': 500,
  };
  for (const format of WIRE_FORMATS) {
    const client = clientFor(server, format);
    for (const code of CODES) {
      const step = gatewayReply('balance', format, { ...ECHO, response_code: code, ...(code === '02' ? { url: RELINK_URL } : {}) });
      server.script({ ...step, status: OLD_STATUS[code] });
      const { summary, error } = await observe(() => client.balance({ phone: PHONE }));
      assert.equal(summary, EXPECTED[code], `${format} ${code} at HTTP ${OLD_STATUS[code]}`);
      if (error) assert.equal(error.httpStatus, OLD_STATUS[code]);
    }
  }
  const client = clientFor(server, 'json');
  // A 5xx or 429 is never an answer, whatever code its body claims: the customer is not told "failed" when the gateway broke.
  for (const [status, summary] of [[500, 'OvoApiError response_code_01'], [503, 'OvoApiError not_active'], [429, 'OvoApiError rate_limited']] as const) {
    const step = gatewayReply('balance', 'json', { ...ECHO, response_code: status === 503 ? '63' : '01' });
    server.script({ ...step, status });
    assert.equal((await observe(() => client.balance({ phone: PHONE }))).summary, summary, `HTTP ${status}`);
  }
  for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) {
    for (const [contentType, body] of [['text/plain', 'no'], ['text/html', '<html><body>Forbidden</body></html>'], ['application/json', '{"error":"nope"}']]) {
      server.script(raw(status, contentType!, body!));
      const { summary, error } = await observe(() => client.balance({ phone: PHONE }));
      assert.equal(summary, `OvoApiError http_${status}`, `${status} ${contentType}`);
      assert.deepEqual([error?.httpStatus, error?.responseCode, error?.raw], [status, undefined, body]);
    }
  }
});

for (const format of WIRE_FORMATS) {
  test(`${format}: the real gateway answers 02, 01, 13, 14, 03, 55, 30 and 83 with HTTP 200, and the client maps each as before`, async () => {
    const phone = format === 'json' ? '081300000021' : '081300000022';
    const shop = await startShop(format, { maxAmount: 2_000_000n });
    const statuses: number[] = [];
    /** A client whose requests pass through `edit` on their way (to make the gateway refuse what the client would not send). */
    const via = (options: Partial<OvoTokenizeClientOptions>, edit: (body: string) => string = (b) => b) => shop.clientWith({
      ...options,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, body: edit(String(init?.body)) });
        statuses.push(response.status);
        return response;
      },
    });
    const client = via({});
    const order = { description: 'Kopi', phone, customerName: 'Andrea Hinata', email: 'a@example.com', payType: 'cash' } as const;
    const seen: Record<string, string> = {};

    seen['02'] = (await observe(() => client.balance({ phone }))).summary;
    await link(shop, phone);
    seen['01'] = (await observe(() => client.pay({ ...order, billNo: 'R-1', amount: 1_500_000n }))).summary;
    seen['13'] = (await observe(() => client.pay({ ...order, billNo: 'R-2', amount: 2_500_000n }))).summary;
    ok(await client.pay({ ...order, billNo: 'R-3', amount: 1_000n }));
    seen['14'] = (await observe(() => client.pay({ ...order, billNo: 'R-3', amount: 2_000n }))).summary;
    seen['03'] = (await observe(() => via({ merchantId: '41999' }).balance({ phone }))).summary;
    seen['55'] = (await observe(() => via({ password: 'not-it' }).balance({ phone }))).summary;
    seen['30'] = (await observe(() => via({}, (b) => b.replace(phone, 'not-a-phone')).balance({ phone }))).summary;
    seen['83'] = (await observe(() => via({}, (b) => b.replaceAll('cust_name', 'cust_nama')).activate({ phone, customerName: 'Andrea' }))).summary;

    assert.deepEqual(seen, Object.fromEntries(Object.keys(seen).map((code) => [code, EXPECTED[code as keyof typeof EXPECTED]])));
    assert.equal(statuses.length, 9);
    assert.deepEqual(new Set(statuses), new Set([200]), 'every reply was HTTP 200');
  });
}
