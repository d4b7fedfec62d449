// Proves, on SQLite and PostgreSQL, that the real `ovo-tokenize deliveries tail` follows a running sandbox gateway: it prints the deliveries its filters match, one line for each new one and for each change (a refused attempt with its HTTP status, latency and next state, a resend, the delivered attempt), prints nothing about deliveries its filters leave out, stops cleanly on Ctrl-C (SIGINT), and refuses clearly a gateway outside sandbox mode and a bad filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { enqueueDelivery } from '../src/delivery/outbox.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { startInspectedShop } from './support/deliveries.ts';
import { startPaymentsGateway } from './support/payments.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The command running in the background, its lines as they come. */
function startTail(args: string[]) {
  const child = spawn(process.execPath, ['packages/gateway/bin/ovo-tokenize.js', 'deliveries', 'tail', ...args], {
    cwd: ROOT, env: { ...process.env, OVO_GATEWAY_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    lines,
    exited,
    async waitForLine(pattern: RegExp): Promise<string> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found !== undefined) return found;
        if (Date.now() > deadline) assert.fail(`no line matching ${pattern}; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => child.kill('SIGINT'),
    kill: () => child.kill('SIGKILL'),
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: deliveries tail prints each new delivery and each change of it, filtered, until SIGINT`, async (t) => {
    const shop = await startInspectedShop(kind, { delivery: { backoffBaseMs: 60_000, backoffMaxMs: 60_000 } });
    const { gw, receiver } = shop;
    receiver.answer = () => ({ httpStatus: 500 });
    await shop.pay('TAIL-0');
    await shop.waitForStatus('TAIL-0', 'pending');
    const tail = startTail(['--gateway', gw.url, '--merchant', shop.merchant.merchantId, '--kind', 'payment_notification']);
    t.after(() => tail.kill());
    // What was there when it started, then what happens while it runs.
    await tail.waitForLine(/ bill_no=TAIL-0 pending attempts=1 http=500 \d+ms error="HTTP 500"$/);
    // An activation callback is not a payment notification: the filter leaves it out.
    await inTransaction(gw.database, (tx) => enqueueDelivery(tx, {
      kind: 'activation_callback', merchantId: shop.merchant.merchantId, method: 'GET', url: 'http://127.0.0.1:9/callback',
    }, { now: gw.clock.now(), retryHorizonMs: 60_000, notificationId: 'act_tail_1' }));
    await shop.pay('TAIL-1');
    const refused = await tail.waitForLine(/ bill_no=TAIL-1 pending attempts=1 http=500 /);
    const delivery = (await shop.list('?bill_no=TAIL-1'))[0]!;
    assert.match(refused, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z #${delivery.id} payment_notification merchant=${shop.merchant.merchantId} bill_no=TAIL-1 pending attempts=1 http=500 \\d+ms error="HTTP 500"$`));

    receiver.answer = () => ({ responseCode: '00' });
    const resend = await fetch(`${gw.url}/sandbox/deliveries/${delivery.id}/resend`, { method: 'POST' });
    assert.equal(resend.status, 200);
    await tail.waitForLine(/ bill_no=TAIL-1 delivered attempts=1 http=200 \d+ms$/);
    assert.equal(tail.lines.filter((l) => / bill_no=TAIL-1 pending attempts=1 /.test(l)).length, 1, 'an unchanged delivery is printed once');

    tail.stop();
    const exit = await tail.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, 'SIGINT ends it cleanly');
    assert.ok(tail.lines.every((l) => l.includes(' payment_notification ') && l.includes(`merchant=${shop.merchant.merchantId}`)), tail.lines.join('\n'));
  });
}

test('deliveries tail refuses a gateway outside sandbox mode, an unreachable one and a bad filter', async () => {
  const production = await startPaymentsGateway('sqlite', { config: { sandbox: false } });
  const refused = await runCommand(['deliveries', 'tail', '--gateway', production.url]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is not in sandbox mode/);
  assert.equal(refused.stdout, '');
  await production.close();
  const down = await runCommand(['deliveries', 'tail', '--gateway', production.url]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the gateway/);

  const sandbox = await startPaymentsGateway('sqlite');
  const bad = await runCommand(['deliveries', 'tail', '--gateway', sandbox.url, '--status', 'lost']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /the gateway refused \(400\): status must be one of pending, delivered, failed/);
});
