// Proves on SQLite and PostgreSQL that the receiver conformance check (POST /sandbox/receiver-checks and `ovo-tokenize sandbox check-receiver`) passes against the example shop's real receivers, with and without an HMAC secret (the HMAC checks then skipped, not failed), and fails, naming the check and exiting 1, against three deliberately broken real HTTP receivers: one that acks everything with 00, one that reads notifications but ignores every signature, and one slower than the attempt timeout, whose run stops waiting at its first unanswered request; and that outside sandbox mode the route is a 404 and the command refuses.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotificationHandler, notificationAck, parseNotification, verifyActivationCallback } from '@ovo-tokenize/client';
import type { WireFormat } from '@ovo-tokenize/protocol';
import { startMerchantStore } from '@ovo-tokenize/example-merchant-store';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { countRows, provisionMerchant, startTestGateway } from './support/gateway.ts';

interface Check { target: string; name: string; result: 'passed' | 'failed' | 'skipped'; passed: boolean; detail: string; advice?: string }
interface Report { merchant_id: string; passed: boolean; checks: Check[] }

const NOTIFICATION_CHECKS = ['valid notification', 'same notification twice', 'wrong signature', 'HMAC: stale X-Signature timestamp',
  'HMAC: re-serialised body', 'out-of-order statuses', 'response time'];
const CALLBACK_CHECKS = ['valid callback', 'same callback twice', 'wrong signature', 'HMAC: stale X-Signature timestamp',
  'HMAC: re-serialised body', 'out-of-order results', 'response time'];

async function checkReceivers(gatewayUrl: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gatewayUrl}/sandbox/receiver-checks`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** `name → result` for one target, to compare with a table of expectations. */
function results(report: Report, target: string): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.target === target).map((c) => [c.name, c.result]));
}

function only(report: Report, target: string, name: string): Check {
  const check = report.checks.find((c) => c.target === target && c.name === name);
  assert.ok(check, `${target} ${name} in ${JSON.stringify(report.checks)}`);
  return check;
}

/** A merchant's server on 127.0.0.1 that answers POST /notify and GET /callback with `handle`; counts requests. */
async function startBrokenReceiver(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>) {
  const seen = { notify: 0, callback: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen[req.url?.startsWith('/notify') ? 'notify' : 'callback']++;
      void Promise.resolve(handle(req, Buffer.concat(chunks), res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url, seen, urls: { notifyUrl: `${url}/notify`, callbackUrl: `${url}/callback` } };
}

/** The report for this merchant, which must have failed. */
async function failedReport(gatewayUrl: string, merchantId: string): Promise<Report> {
  const { status, body } = await checkReceivers(gatewayUrl, { merchant_id: merchantId });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.passed, false, `${merchantId}: ${JSON.stringify(body.checks, null, 1)}`);
  return body as Report;
}

function credentials(id: string) {
  return { merchantId: id, name: `Toko ${id}`, userId: `bot${id}`, password: `pw-${id}` };
}

describe('receiver conformance check', { concurrency: true }, () => {
for (const kind of DATABASE_KINDS) {
  const format: WireFormat = kind === 'sqlite' ? 'json' : 'xml';

  test(`${kind}: the example shop's receivers pass every check (${format}), the HMAC ones skipped without a secret`, async () => {
    const gw = await startTestGateway(kind);
    const shops = [];
    for (const [id, hmacSecret] of [['77101', 'whsec-77101'], ['77102', undefined]] as const) {
      const shop = await startMerchantStore({ gatewayUrl: gw.url, merchantName: `Toko ${id}`, ...credentials(id), hmacSecret, port: 0 });
      after(() => shop.close());
      await provisionMerchant(gw.database, { ...credentials(id), ...shop.merchantUrls, hmacSecret: hmacSecret ?? null, notifyFormat: format });
      shops.push(shop);
    }

    const { status, body } = await checkReceivers(gw.url, { merchant_id: '77101' });
    assert.equal(status, 200, JSON.stringify(body));
    const report = body as Report;
    assert.equal(report.passed, true, JSON.stringify(report.checks, null, 1));
    assert.deepEqual(Object.keys(results(report, 'notification')), NOTIFICATION_CHECKS);
    assert.deepEqual(Object.keys(results(report, 'activation_callback')), CALLBACK_CHECKS);
    assert.ok(results(report, 'notification') && Object.values(results(report, 'notification')).every((r) => r === 'passed'));
    assert.deepEqual(Object.values(results(report, 'activation_callback')), ['passed', 'passed', 'passed', 'skipped', 'skipped', 'passed', 'passed'],
      'callbacks are GETs: no X-Signature to check');
    const twice = only(report, 'notification', 'same notification twice');
    assert.match(twice.advice ?? '', /fulfilled the order twice cannot be seen from outside.*github\.com\/ovo-tokenize\/ovo-tokenize#idempotent-receivers$/);
    assert.match(only(report, 'notification', 'wrong signature').detail, /^refused a forged notification: HTTP 401/);
    assert.match(only(report, 'notification', 'response time').detail, /^slowest answer \d+ ms, within the 10,000 ms/);
    assert.equal(shops[0]!.state.orders.size, 0, 'the test payments are no orders of the shop');

    const cli = await runCommand(['sandbox', 'check-receiver', '--merchant', '77102', '--gateway', gw.url]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /^Receiver check for merchant 77102$/m);
    assert.match(cli.stdout, /^ {2}✓ valid notification: acknowledged: HTTP 200/m);
    assert.match(cli.stdout, /^ {2}– HMAC: stale X-Signature timestamp: merchant 77102 has no HMAC secret/m);
    assert.match(cli.stdout, /^\d+ passed, 0 failed, 4 skipped: the receivers conform$/m);
  });

  test(`${kind}: receivers that ack everything or ignore signatures fail the checks that catch them, and the command exits 1 naming them`, async () => {
    const gw = await startTestGateway(kind);
    // Acks everything with 00, whatever came.
    const acksAll = await startBrokenReceiver((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"response_code":"00"}');
    });
    // Reads the notification and answers the right acknowledgement, but never checks a signature.
    const trusting = await startBrokenReceiver((req, body, res) => {
      if (req.method === 'GET') return void res.writeHead(200).end('OK');
      const ack = notificationAck(parseNotification(body, req.headers['content-type']));
      res.writeHead(ack.status, { 'content-type': ack.contentType }).end(ack.body);
    });
    await provisionMerchant(gw.database, { ...credentials('77201'), ...acksAll.urls, hmacSecret: 'whsec-77201', notifyFormat: format });
    await provisionMerchant(gw.database, { ...credentials('77202'), ...trusting.urls, hmacSecret: 'whsec-77202', notifyFormat: format });
    const [acksAllReport, trustingReport] = await Promise.all(['77201', '77202'].map((id) => failedReport(gw.url, id)));

    assert.deepEqual(results(acksAllReport!, 'notification'), {
      'valid notification': 'failed', 'same notification twice': 'failed', 'wrong signature': 'failed', 'HMAC: stale X-Signature timestamp': 'failed',
      'HMAC: re-serialised body': 'failed', 'out-of-order statuses': 'failed', 'response time': 'passed',
    });
    assert.match(only(acksAllReport!, 'notification', 'valid notification').detail, /the acknowledgement lacks response, trx_id, merchant_id, bill_no, response_desc, response_date/);
    assert.match(only(acksAllReport!, 'notification', 'wrong signature').detail, /^accepted a forged notification: HTTP 200, response_code "00"/);
    assert.equal(results(acksAllReport!, 'activation_callback')['wrong signature'], 'failed');

    assert.deepEqual(results(trustingReport!, 'notification'), {
      'valid notification': 'passed', 'same notification twice': 'passed', 'wrong signature': 'failed', 'HMAC: stale X-Signature timestamp': 'failed',
      'HMAC: re-serialised body': 'failed', 'out-of-order statuses': 'passed', 'response time': 'passed',
    });
    assert.match(only(trustingReport!, 'notification', 'HMAC: stale X-Signature timestamp').detail, /^accepted a notification signed 600 s ago/);
    assert.equal(only(trustingReport!, 'activation_callback', 'wrong signature').result, 'failed');
    assert.match(only(trustingReport!, 'activation_callback', 'wrong signature').detail, /^accepted a forged callback: HTTP 200/);

    const cli = await runCommand(['sandbox', 'check-receiver', '--merchant', '77202', '--gateway', gw.url]);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /^ {2}✗ wrong signature: accepted a forged notification/m);
    assert.match(cli.stdout, /^ {2}✓ valid notification: acknowledged/m);
    assert.match(cli.stdout, /^\d+ passed, 4 failed, 2 skipped: FAILED$/m);
  });

  test(`${kind}: a receiver slower than the attempt timeout fails the response time check, and the run stops waiting at its first unanswered request`, async () => {
    // The README's 10 s timeout, scaled down so the test waits seconds: the receiver answers in 1.5 timeouts.
    const timeoutMs = 2_000;
    const gw = await startTestGateway(kind, { config: { delivery_attempt_timeout_ms: timeoutMs } });
    const slowCredentials = credentials('77203');
    // Checks everything, as the SDK does, but answers later than the gateway waits.
    const verifying = createNotificationHandler({ ...slowCredentials, hmacSecret: 'whsec-77203', onNotification: () => {} });
    const slow = await startBrokenReceiver(async (req, body, res) => {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs * 1.5));
      if (req.method === 'GET') {
        verifyActivationCallback(new URL(req.url!, 'http://x').searchParams, slowCredentials);
        return void res.writeHead(200).end('OK');
      }
      const headers = { 'content-type': req.headers['content-type'] ?? '', 'x-signature': String(req.headers['x-signature'] ?? '') };
      const answer = await verifying(new Request('http://x/notify', { method: 'POST', headers, body: new Uint8Array(body) }));
      res.writeHead(answer.status).end(await answer.text());
    });
    await provisionMerchant(gw.database, { ...slowCredentials, ...slow.urls, hmacSecret: 'whsec-77203', notifyFormat: format });
    const slowReport = await failedReport(gw.url, '77203');
    for (const target of ['notification', 'activation_callback']) {
      const checks = results(slowReport, target);
      assert.equal(Object.values(checks)[0], 'failed', `${target}: the first request got no answer`);
      assert.deepEqual(Object.values(checks).slice(1, -1), Array(5).fill('skipped'), `${target}: the rest was not waited for`);
      assert.equal(checks['response time'], 'failed');
      assert.match(only(slowReport, target, 'response time').detail, /^a request got no answer \(timeout after 2000 ms\), against the 2,000 ms the gateway waits per attempt/);
    }
    assert.deepEqual(slow.seen, { notify: 1, callback: 1 }, 'one request per target: the run stopped at the first timeout');
  });

  test(`${kind}: bad requests get a sandbox error; outside sandbox mode the route is a 404 and the command refuses`, async () => {
    const gw = await startTestGateway(kind, { merchants: [{ ...credentials('77301') }] });
    for (const [body, status, error] of [['[1]', 400, /JSON object/], [{}, 400, /merchant_id/], [{ merchant_id: '404' }, 404, /no merchant 404/]] as const) {
      const answer = await checkReceivers(gw.url, body);
      assert.equal(answer.status, status);
      assert.match(answer.body.error, error);
    }
    // A merchant without URLs: the notification URL is missing (failed), the callback URL optional (skipped).
    const bare = (await checkReceivers(gw.url, { merchant_id: 77301 })).body as Report;
    assert.equal(bare.passed, false);
    assert.deepEqual(bare.checks.map((c) => [c.target, c.name, c.result]), [['notification', 'receiver URL', 'failed'], ['activation_callback', 'receiver URL', 'skipped']]);
    assert.match(bare.checks[0]!.detail, /no notification URL.*--notify-url/);

    const live = await startTestGateway(kind, { config: { sandbox: false }, merchants: [{ ...credentials('77302'), notifyUrl: 'http://127.0.0.1:9/notify' }] });
    const before = await countRows(live.database);
    const res = await fetch(`${live.url}/sandbox/receiver-checks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"merchant_id":"77302"}' });
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    const cli = await runCommand(['sandbox', 'check-receiver', '--merchant', '77302', '--gateway', live.url]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /is not in sandbox mode/);
    assert.deepEqual(await countRows(live.database), before);
  });
}
});
