// Proves, by running the real `ovo-tokenize` command against SQLite and PostgreSQL, that a merchant's payment settings (pinless limit, payment OTP, max amount, notification URL and format) are set by `merchant add`/`update` and shown by `merchant list`, and that a notification the gateway gave up on is listed by `notifications list --status failed` and delivered by `notifications resend` under its original X-Notification-Id.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyHmacSignatureHeader } from '@ovo-tokenize/protocol';
import type { Merchant } from '../src/domain/merchant.ts';
import { findMerchant } from '../src/store/merchants.ts';
import { runCommand } from './support/cli.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { advanceSandboxClock, callOperation } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway } from './support/payments.ts';

/** The rows of a printTable listing, keyed by its header. */
function table(stdout: string): Array<Record<string, string>> {
  const lines = stdout.trimEnd().split('\n');
  if (lines[0] === '(none)') return [];
  const header = lines[0]!;
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines.slice(1).map((line) => Object.fromEntries(starts.map((col, i) => [col.name, line.slice(col.at, starts[i + 1]?.at).trim()])));
}

// Each command is a fresh Node process (about a second of start-up): the four tests run side by side.
describe('ovo-tokenize merchant and notifications commands', { concurrency: true }, () => {
for (const kind of DATABASE_KINDS) {
  test(`${kind}: merchant add and update set the payment settings, and merchant list shows them`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const db = ['--db', database.url];
      const added = await runCommand(['merchant', 'add', '--id', '40001', '--name', 'Toko CLI', '--user-id', 'bot40001', '--password', 's3cret-pw',
        '--pinless-limit', '50000', '--payment-otp', '--max-amount', '1000000', ...db]);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /^merchant 40001 added \(Toko CLI\)$/m);
      assert.match(added.stdout, /^pinless_limit +50000$/m);
      assert.match(added.stdout, /^payment_otp +yes$/m);
      assert.match(added.stdout, /^max_amount +1000000$/m);
      assert.doesNotMatch(added.stdout, /s3cret-pw/, 'the password is not printed');
      let stored = (await findMerchant(database.db, '40001'))!;
      assert.deepEqual({ pinless: stored.pinlessLimit, otp: stored.paymentOtp, max: stored.maxAmount, notify: stored.notifyUrl },
        { pinless: 50_000n, otp: true, max: 1_000_000n, notify: null });

      const updated = await runCommand(['merchant', 'update', '40001', '--pinless-limit', '0', '--notify-url', 'http://127.0.0.1:9/notify',
        '--notify-format', 'xml', ...db]);
      assert.equal(updated.code, 0, updated.stderr);
      assert.match(updated.stdout, /^merchant 40001 updated$/m);
      stored = (await findMerchant(database.db, '40001'))!;
      assert.deepEqual({ pinless: stored.pinlessLimit, otp: stored.paymentOtp, max: stored.maxAmount, notify: stored.notifyUrl, format: stored.notifyFormat },
        { pinless: 0n, otp: true, max: 1_000_000n, notify: 'http://127.0.0.1:9/notify', format: 'xml' }, 'flags not given stay as they were');

      const listed = await runCommand(['merchant', 'list', ...db]);
      assert.equal(listed.code, 0, listed.stderr);
      const [row] = table(listed.stdout);
      assert.deepEqual(row && {
        merchant_id: row.merchant_id, name: row.name, notify: row.notify, pinless_limit: row.pinless_limit, payment_otp: row.payment_otp, max_amount: row.max_amount,
      }, {
        merchant_id: '40001', name: 'Toko CLI', notify: 'xml http://127.0.0.1:9/notify', pinless_limit: '0', payment_otp: 'yes', max_amount: '1000000',
      });

      // Both settings can be undone; a max amount of 0 (which would refuse every payment) is not accepted.
      const undone = await runCommand(['merchant', 'update', '40001', '--no-payment-otp', '--no-max-amount', ...db]);
      assert.equal(undone.code, 0, undone.stderr);
      stored = (await findMerchant(database.db, '40001'))!;
      assert.deepEqual({ otp: stored.paymentOtp, max: stored.maxAmount, pinless: stored.pinlessLimit }, { otp: false, max: null, pinless: 0n });
      const relisted = table((await runCommand(['merchant', 'list', ...db])).stdout)[0]!;
      assert.deepEqual([relisted.payment_otp, relisted.max_amount], ['no', 'none']);
      const bad = [['--max-amount', '0'], ['--pinless-limit', '-5'], ['--pinless-limit', '1.5'], ['--notify-format', 'csv']];
      const [unknown, ...refusals] = await Promise.all([
        runCommand(['merchant', 'update', '49999', '--pinless-limit', '1', ...db]),
        ...bad.map((flags) => runCommand(['merchant', 'update', '40001', ...flags, ...db])),
      ]);
      for (const [i, refused] of refusals.entries()) {
        assert.equal(refused.code, 1, `${bad[i]!.join(' ')}: ${refused.stdout}`);
        assert.match(refused.stderr, /invalid/, bad[i]!.join(' '));
      }
      assert.deepEqual((await findMerchant(database.db, '40001'))!, stored, 'refused updates change nothing');
      assert.equal(unknown!.code, 1);
      assert.match(unknown!.stderr, /merchant 49999 does not exist/);
    } finally {
      await database.close();
    }
  });

  test(`${kind}: notifications list --status failed shows a notification the gateway gave up on; resend delivers it with the same X-Notification-Id`, async () => {
    const receiver = await startNotificationReceiver({ startDown: true });
    const gw = await startPaymentsGateway(kind, {
      merchants: [{
        merchantId: '41001', name: 'Toko Resend', userId: 'bot41001', password: 'pw', notifyUrl: receiver.url, notifyFormat: 'json',
        hmacSecret: 'whsec_cli', pinlessLimit: 100_000n,
      }],
    });
    const [m] = gw.merchants as [Merchant];
    const wallet = await fundedWallet(gw.database, { phone: '081341410001', cash: 100_000n, points: 0n });
    await linkThroughStore(gw.ctx, m.merchantId, wallet);
    const paid = await callOperation(gw.url, 'payment', {
      merchant_id: m.merchantId, bill_no: 'CLI-1', bill_desc: 'CLI order', bill_total: '42000', bill_currency: 'IDR', payment_channel: '720',
      phone_no: '081341410001', cust_name: 'Cli Customer', email: 'cli@example.com', pay_type: '0',
    }, 'json', m);
    assert.equal(paid.body.status, 'SUCCESS', paid.raw);

    // Refused once; three days later (the sandbox test clock, not a wait) the retry is refused too and the
    // dispatcher gives up.
    const outboxRow = () => gw.database.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    const deadline = Date.now() + 10_000;
    let row = await outboxRow();
    for (; row.attempts < 1n; row = await outboxRow()) {
      assert.ok(Date.now() < deadline, 'the first attempt was never made');
      await new Promise((r) => setTimeout(r, 20));
    }
    await advanceSandboxClock(gw.url, gw.ctx.config.delivery_horizon_s + 1);
    for (; row.status !== 'failed'; row = await outboxRow()) {
      assert.ok(Date.now() < deadline, `the dispatcher never gave up (status ${row.status})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const db = ['--db', gw.database.url];
    const [failed, pending] = await Promise.all([
      runCommand(['notifications', 'list', '--status', 'failed', ...db]),
      runCommand(['notifications', 'list', '--status', 'pending', ...db]),
    ]);
    assert.equal(failed.code, 0, failed.stderr);
    const listed = table(failed.stdout);
    assert.equal(listed.length, 1, failed.stdout);
    assert.deepEqual({ ...listed[0], created: undefined }, {
      id: String(row.id), notification_id: row.notification_id, kind: 'payment_notification', merchant: '41001', status: 'failed',
      attempts: String(row.attempts), last_error: 'connection failed: ECONNREFUSED', created: undefined,
    });
    assert.ok(Number(row.attempts) >= 2, 'it was retried before giving up');
    assert.equal(pending.stdout.trim(), '(none)');

    // The merchant fixed its endpoint; the operator resends. The running gateway delivers it.
    await receiver.up();
    const resent = await runCommand(['notifications', 'resend', String(row.id), ...db]);
    assert.equal(resent.code, 0, resent.stderr);
    assert.match(resent.stdout, new RegExp(`delivery ${row.id} queued again`));
    const delivered = await receiver.waitFor(paid.body.trx_id, '2');
    assert.equal(delivered.notificationId, row.notification_id, 'the original X-Notification-Id');
    assert.equal(delivered.raw, row.body);
    assert.deepEqual(verifyHmacSignatureHeader('whsec_cli', delivered.headers['x-signature'] as string, delivered.raw, Math.floor(Date.now() / 1000)), { ok: true });
    for (let i = 0; ; i++) {
      const now = await gw.database.db.selectFrom('outbox').select('status').where('id', '=', row.id).executeTakeFirstOrThrow();
      if (now.status === 'delivered') break;
      assert.ok(i < 200, 'marked delivered');
      await new Promise((r) => setTimeout(r, 25));
    }
    const afterResend = table((await runCommand(['notifications', 'list', '--status', 'delivered', ...db])).stdout);
    assert.deepEqual(afterResend.map((r) => [r.id, r.status, r.last_error]), [[String(row.id), 'delivered', '-']]);

    // By notification id too (a merchant asking for it again); unknown ids and statuses are errors.
    const again = await runCommand(['notifications', 'resend', row.notification_id, ...db]);
    assert.equal(again.code, 0, again.stderr);
    await receiver.waitUntil((all) => all.length >= 2, 'the second copy');
    assert.deepEqual(receiver.received.map((n) => n.notificationId), [row.notification_id, row.notification_id]);
    const [missing, badStatus] = await Promise.all([
      runCommand(['notifications', 'resend', '999999', ...db]),
      runCommand(['notifications', 'list', '--status', 'lost', ...db]),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no delivery 999999/);
    assert.equal(badStatus.code, 1);
    assert.match(badStatus.stderr, /--status must be one of pending, delivered, failed/);
  });
}
});
