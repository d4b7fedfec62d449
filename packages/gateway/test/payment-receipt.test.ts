// Proves, over real HTTP on SQLite and PostgreSQL, that a pinless payment's page is its receipt without any
// challenge row: its redirectURL carries a token derived from the payment under the server secret, the page
// shows the receipt (in any browser, nothing to post), a replay answers the same address, a token altered,
// made under another secret or made for a payment still pending is "not found" — and a pinless payment made
// before receipts had tokens of their own (with a challenge at step done) still shows its page and replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { receiptToken, receiptTrxId } from '../src/services/payment-page-url.ts';
import { findChallengeOf, insertChallenge } from '../src/store/challenges.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startPaymentsGateway } from './support/payments.ts';

const SHOP = { merchantId: '48101', name: 'Kedai Receipt', userId: 'bot48101', password: 'secret-48101', pinlessLimit: 50_000n };

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a pinless payment's page is its receipt, found by a token only the gateway can make; old pages still work`, async () => {
    const gw = await startPaymentsGateway(kind, { merchants: [SHOP] });
    const wallet = await fundedWallet(gw.database, { phone: '081348100001', cash: 1_000_000n, points: 0n });
    await linkThroughStore(gw.ctx, SHOP.merchantId, wallet);
    const pay = async (billNo: string, total: string) => {
      const reply = await callOperation(gw.url, 'payment', {
        merchant_id: SHOP.merchantId, bill_no: billNo, bill_desc: 'Es teh', bill_total: total, bill_currency: 'IDR',
        cust_name: 'Andrea', phone_no: wallet.phone, email: 'a@example.com', pay_type: '0', payment_channel: '720',
      }, 'json', SHOP);
      assert.equal(reply.body.response_code, '00', reply.raw);
      return { trxId: reply.body.trx_id as string, url: reply.body.redirectURL as string, status: reply.body.status as string };
    };
    const open = async (url: string, method = 'GET') => {
      const response = await fetch(url, { method, redirect: 'manual', ...(method === 'POST' ? {
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf_token=x&pin=123456',
      } : {}) });
      return { status: response.status, body: await response.text(), cookie: response.headers.get('set-cookie') };
    };

    const paid = await pay('R-1', '15000');
    assert.equal(paid.status, 'SUCCESS');
    assert.equal(await findChallengeOf(gw.database.db, paid.trxId, 'payment'), undefined, 'no challenge row');
    const token = paid.url.slice(`${gw.url}/pay/`.length);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'shaped like every other token');
    assert.equal(receiptTrxId(gw.ctx, token), paid.trxId);

    const page = await open(paid.url);
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /Payment successful/);
    assert.ok(page.body.includes(paid.trxId), 'the receipt shows the trx_id');
    assert.match(page.body, /Rp 15\.000/);
    assert.equal(page.cookie, null, 'a receipt binds no browser');
    assert.equal((await open(paid.url)).status, 200, 'and opens again anywhere');
    // Nothing on a receipt can be posted.
    assert.equal((await open(`${paid.url}/pin`, 'POST')).status, 403);
    assert.equal((await open(`${paid.url}/cancel`, 'POST')).status, 403);

    const replayed = await pay('R-1', '15000');
    assert.deepEqual(replayed, paid, 'a replay answers the same payment and the same page');

    // Altered tokens, one under another secret and one for a payment still pending: not found.
    const bytes = Buffer.from(token, 'base64url');
    const flipped = (at: number) => { const copy = Buffer.from(bytes); copy.writeUInt8(copy.readUInt8(at) ^ 1, at); return copy.toString('base64url'); };
    const pending = await pay('R-2', '80000');
    assert.equal(pending.status, 'PENDING');
    const otherSecret = receiptToken({ ...gw.ctx, config: { ...gw.ctx.config, pinPepper: 'another-pepper' } }, paid.trxId);
    for (const bad of [flipped(31), flipped(3), otherSecret, receiptToken(gw.ctx, pending.trxId), randomBytes(32).toString('base64url')]) {
      const refused = await open(`${gw.url}/pay/${bad}`);
      assert.equal(refused.status, 404, bad);
      assert.match(refused.body, /Payment not found/);
    }
    // The pending payment's own page is its challenge, as before.
    const challenge = (await findChallengeOf(gw.database.db, pending.trxId, 'payment'))!;
    assert.equal(pending.url, `${gw.url}/pay/${challenge.id}`);

    // A pinless payment from before: its page is a challenge at step done, and stays its address.
    const older = await pay('R-3', '20000');
    const olderPage = randomBytes(32).toString('base64url');
    await insertChallenge(gw.database.db, {
      id: olderPage, purpose: 'payment', subject: older.trxId, step: 'done', csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: gw.clock.now() + 60_000, now: gw.clock.now(),
    });
    const olderShown = await open(`${gw.url}/pay/${olderPage}`);
    assert.equal(olderShown.status, 200, olderShown.body);
    assert.ok(olderShown.body.includes(older.trxId));
    assert.equal((await pay('R-3', '20000')).url, `${gw.url}/pay/${olderPage}`, 'its replay answers its old address');
  });
}
