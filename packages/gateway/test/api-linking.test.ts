// Proves, over real HTTP on SQLite and PostgreSQL in JSON and XML, that the guide's sample activation works at every path, that a customer links through the hosted page (fetch-driven) and the merchant gets a verifiable callback, that balance, top-up instructions and unlink behave, and that every refused request (55, 83, 03, 30, an oversized or unlabelled unreadable body, 56, HMAC) answers HTTP 200 with its code, changes nothing and leaves the server serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationCallbackSignature, hmacSignatureHeader, requestSignature, type WireFormat } from '@ovo-tokenize/protocol';
import type { MerchantInput } from '../src/store/merchants.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { GUIDE_ACTIVATION_JSON, GUIDE_ACTIVATION_XML } from './support/guide-samples.ts';
import {
  FormClient, callOperation, completeLink, countRows, csrfTokenOf, health, inbox, provisionMerchant, readOtp,
  refreshTarget, sendRaw, signFields, startReceiver, startTestGateway, type Reply, type TestGateway,
} from './support/gateway.ts';

const FORMATS: readonly WireFormat[] = ['json', 'xml'];

const GUIDE_PHONE = '081382826301';
const GUIDE_PATH: Record<WireFormat, string> = { json: '/cvr/100037/10', xml: '/pws/100037/183xx00010100000/' };
const GUIDE_BODY: Record<WireFormat, string> = { json: GUIDE_ACTIVATION_JSON, xml: GUIDE_ACTIVATION_XML };
const CONTENT_TYPE: Record<WireFormat, string> = { json: 'application/json', xml: 'application/xml' };
const GUIDE_CREDENTIALS = { merchantId: '99999', userId: 'bot99999', password: 'p@ssw0rd' } as const;

/** What a reader sees: the page without tags and attributes. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, ' ');
}

function sendGuideSample(gw: TestGateway, format: WireFormat, path = GUIDE_PATH[format]): Promise<Reply> {
  return sendRaw(gw.url, path, GUIDE_BODY[format], { 'content-type': CONTENT_TYPE[format] });
}

function assertActivationOk(reply: Reply, gw: TestGateway, format: WireFormat, where: string): string {
  assert.equal(reply.status, 200, `${where}: ${reply.raw}`);
  assert.ok(reply.contentType.startsWith(format === 'json' ? 'application/json' : 'application/xml'), where);
  assert.equal(reply.body.response, 'Account Activation OVO Open API', where);
  assert.equal(reply.body.response_code, '00', where);
  assert.equal(reply.body.response_desc, 'Success', where);
  assert.equal(reply.body.status, 'ALLOWED', where);
  assert.equal(reply.body.message, 'SUCCESS', where);
  assert.match(reply.body.redirectURL, /^http:\/\/127\.0\.0\.1:[0-9]+\/activation\/[A-Za-z0-9_-]{40,}$/, where);
  assert.ok(reply.body.redirectURL.startsWith(`${gw.url}/activation/`), where);
  return reply.body.redirectURL as string;
}

/** Guide credentials, with this receiver as callback and return URL (the return URL has its own query). */
function guideMerchant(receiverUrl: string): MerchantInput {
  return {
    ...GUIDE_CREDENTIALS, name: 'Toko Andrea',
    callbackUrl: `${receiverUrl}/callback`, returnUrl: `${receiverUrl}/return?shop=andrea`,
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: on an empty sandbox database the demo merchant answers the guide's samples at every path`, async () => {
    const gw = await startTestGateway(kind);
    assert.deepEqual(
      gw.gateway.demoMerchant && { id: gw.gateway.demoMerchant.merchantId, user: gw.gateway.demoMerchant.userId, pw: gw.gateway.demoMerchant.password },
      { id: '99999', user: 'bot99999', pw: 'p@ssw0rd' },
    );
    const urls: string[] = [];
    for (const format of FORMATS) {
      urls.push(assertActivationOk(await sendGuideSample(gw, format), gw, format, `${format} at ${GUIDE_PATH[format]}`));
      urls.push(assertActivationOk(await sendGuideSample(gw, format, '/ovo/activation'), gw, format, `${format} at /ovo/activation`));
    }
    // The XML path works with and without its trailing slash.
    urls.push(assertActivationOk(await sendGuideSample(gw, 'xml', GUIDE_PATH.xml.replace(/\/$/, '')), gw, 'xml', 'xml without slash'));
    assert.equal(new Set(urls).size, urls.length, 'every activation opens its own session');
    // Both formats parse to the same request: one wallet, named as in the sample.
    const wallets = await gw.database.db.selectFrom('wallets').select(['phone', 'name']).execute();
    assert.deepEqual(wallets, [{ phone: GUIDE_PHONE, name: 'Andrea Hinata' }]);

    // The demo merchant's return page exists: a new user following the README ends somewhere real.
    const final = await completeLink(gw.url, urls[0]!, GUIDE_PHONE);
    assert.equal(final.status, 200);
    assert.match(final.html, /Account linked/);
    const back = refreshTarget(final.html);
    assert.ok(back, 'the result page sends the browser back');
    assert.ok(back.url.startsWith(`${gw.url}/sandbox/merchant-return?`), back.url);
    const landing = await fetch(back.url);
    assert.equal(landing.status, 200);
    const text = await landing.text();
    assert.match(text, /<th scope="row">response_code<\/th><td>00<\/td>/);
    assert.match(text, /The signature is valid\./);
    const forged = await (await fetch(back.url.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`))).text();
    assert.match(forged, /The signature does not match\./);
  });

  for (const format of FORMATS) {
    test(`${kind}/${format}: link through the hosted page, callback, balance, top-up instructions, unlink, balance 02`, async () => {
      const receiver = await startReceiver();
      const merchant = guideMerchant(receiver.url);
      const gw = await startTestGateway(kind, { merchants: [merchant] });
      assert.equal(gw.gateway.demoMerchant, undefined, 'a provisioned merchant means no demo merchant');

      const redirectURL = assertActivationOk(await sendGuideSample(gw, format), gw, format, 'guide path');
      assertActivationOk(await sendGuideSample(gw, format, '/ovo/activation'), gw, format, '/ovo/activation');

      // The page, as a browser without JavaScript sees it.
      const client = new FormClient();
      const page = await client.get(redirectURL);
      assert.equal(page.status, 200);
      assert.match(page.html, /Toko Andrea/);
      assert.match(page.html, /0813\*\*\*\*6301/);
      assert.doesNotMatch(visibleText(page.html), /081382826301/, 'the phone is masked wherever the page shows it');
      const csrf = csrfTokenOf(page.html);
      const otp = await readOtp(gw.url, GUIDE_PHONE);
      const otpPost = await client.post(`${redirectURL}/otp`, { csrf_token: csrf, otp });
      assert.equal(otpPost.status, 303);
      assert.equal(otpPost.location, redirectURL);
      const pinPage = await client.get(redirectURL);
      assert.match(pinPage.html, /name="pin"/);
      const pinPost = await client.post(`${redirectURL}/pin`, { csrf_token: csrfTokenOf(pinPage.html), pin: '123456' });
      assert.equal(pinPost.status, 303);
      const final = await client.get(redirectURL);
      assert.equal(final.status, 200);
      assert.match(final.html, /Account linked/);

      const callback = await receiver.waitFor('/callback');
      assert.equal(callback.method, 'GET');
      const params = Object.fromEntries(callback.query);
      assert.deepEqual(Object.keys(params), ['response', 'phone_number', 'response_code', 'response_desc', 'merchant_id', 'signature']);
      assert.equal(params.response_code, '00');
      assert.equal(params.phone_number, GUIDE_PHONE);
      assert.equal(params.merchant_id, '99999');
      assert.equal(params.signature, activationCallbackSignature('bot99999', 'p@ssw0rd', GUIDE_PHONE, '00'));
      assert.notEqual(params.signature, activationCallbackSignature('bot99999', 'p@ssw0rd', GUIDE_PHONE, '01'));
      assert.match(String(callback.headers['x-notification-id']), /^act_/);

      // The browser goes back to the return URL (keeping its own query) with the very same parameters.
      const back = refreshTarget(final.html);
      assert.ok(back, 'the result page refreshes to the return URL');
      const backUrl = new URL(back.url);
      assert.equal(`${backUrl.origin}${backUrl.pathname}`, `${receiver.url}/return`);
      assert.equal(backUrl.searchParams.get('shop'), 'andrea');
      for (const [name, value] of Object.entries(params)) assert.equal(backUrl.searchParams.get(name), value, name);
      assert.ok(back.seconds <= 5);
      assert.equal((await fetch(back.url)).status, 200);
      assert.equal(receiver.at('/return').at(-1)?.query.get('response_code'), '00');

      const phone = { merchant_id: '99999', payment_channel: '720', phone_no: GUIDE_PHONE };
      const balance = await callOperation(gw.url, 'balance', { request: 'Check Balance', ...phone }, format, merchant);
      assert.equal(balance.status, 200, balance.raw);
      assert.equal(balance.body.response_code, '00');
      assert.equal(balance.body.response, 'Check Balance OVO Open API');
      assert.equal(balance.body.phone_no, GUIDE_PHONE);
      assert.equal(balance.body.merchant_id, '99999');
      assert.equal(balance.body.detail.cash.balance, '1000000');
      assert.equal(balance.body.detail.points.balance, '50000');

      const topup = await callOperation(gw.url, 'topup-instruction', { ...phone, merchant: 'Toko Andrea' }, format, merchant);
      assert.equal(topup.status, 200, topup.raw);
      assert.equal(topup.body.response_code, '00');
      assert.equal(topup.body.merchant, 'Toko Andrea');
      const instructions = topup.body.topup_instruction as Record<string, { option: string; icon: string; url: string }>;
      assert.deepEqual(Object.keys(instructions), ['instruction_1', 'instruction_2', 'instruction_3', 'instruction_4', 'instruction_5']);
      assert.deepEqual(Object.values(instructions).map((i) => i.option),
        ['ATM', 'Internet/Mobile Banking', 'Grab', 'Tokopedia', 'Merchant/Mitra OVO']);
      for (const { icon, url } of Object.values(instructions)) {
        assert.ok(icon.startsWith(`${gw.url}/`) && url.startsWith(`${gw.url}/`), `${icon} ${url}`);
        const [iconRes, pageRes] = await Promise.all([fetch(icon), fetch(url)]);
        assert.equal(iconRes.status, 200, icon);
        assert.equal(iconRes.headers.get('content-type'), 'image/svg+xml');
        assert.equal(pageRes.status, 200, url);
        assert.match(pageRes.headers.get('content-type') ?? '', /^text\/html/);
        await Promise.all([iconRes.arrayBuffer(), pageRes.arrayBuffer()]);
      }

      for (const round of [1, 2]) {
        const unlink = await callOperation(gw.url, 'unlink', { ...phone, merchant: 'Toko Andrea' }, format, merchant);
        assert.equal(unlink.status, 200, `unlink #${round}: ${unlink.raw}`);
        assert.equal(unlink.body.response_code, '00', `unlink #${round}`);
        assert.equal(unlink.body.response, 'Unlink OVO Open API');
        assert.equal(unlink.body.phone_no, GUIDE_PHONE);
      }
      const links = await gw.database.db.selectFrom('links').select(['status', 'ended_by']).execute();
      assert.deepEqual(links, [{ status: 'ended', ended_by: 'merchant' }]);

      const after = await callOperation(gw.url, 'balance', phone, format, merchant);
      assert.equal(after.status, 200, after.raw);
      assert.equal(after.body.response_code, '02');
      assert.equal(after.body.response_desc, 'Failed, please regenerate payment token');
      assert.equal(after.body.detail, '', 'no balance without a link');
      assert.ok(String(after.body.url).startsWith(`${gw.url}/activation/`), after.body.url);
      // The url is a working activation: it opens the OTP step and sends a code.
      const sent = (await inbox(gw.url, GUIDE_PHONE)).length;
      const relink = await new FormClient().get(after.body.url);
      assert.equal(relink.status, 200);
      assert.match(relink.html, /autocomplete="one-time-code"/);
      assert.equal((await inbox(gw.url, GUIDE_PHONE)).length, sent + 1);
    });
  }

  test(`${kind}: refused requests answer the right code and status, change nothing, and the server keeps serving`, async () => {
    const plain: MerchantInput = { merchantId: '11111', name: 'Plain Shop', userId: 'bot11111', password: 'secret-11111' };
    const fenced: MerchantInput = { merchantId: '22222', name: 'Fenced Shop', userId: 'bot22222', password: 'secret-22222', allowIps: ['10.20.30.40'] };
    const open: MerchantInput = { merchantId: '22223', name: 'Local Shop', userId: 'bot22223', password: 'secret-22223', allowIps: ['127.0.0.1'] };
    const hmac: MerchantInput = { merchantId: '33333', name: 'HMAC Shop', userId: 'bot33333', password: 'secret-33333', hmacSecret: 'whsec_test_33333' };
    const gw = await startTestGateway(kind, { merchants: [plain, fenced, open, hmac] });
    const phone = '081200000001';
    const fields = (merchantId: string) => ({ merchant_id: merchantId, payment_channel: '720', phone_no: phone, cust_name: 'Refused Customer' });
    const hmacNow = () => Math.floor(gw.clock.now() / 1000);

    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE faspay [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<faspay><merchant_id>11111</merchant_id><payment_channel>720</payment_channel><phone_no>${phone}</phone_no><cust_name>&xxe;</cust_name><signature>${requestSignature('bot11111', 'secret-11111', phone)}</signature></faspay>`;
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<faspay><merchant_id>11111</merchant_id><payment_channel>720</payment_channel><phone_no>${phone}</phone_no><cust_name>&lol3;</cust_name><signature>${requestSignature('bot11111', 'secret-11111', phone)}</signature></faspay>`;
    const bigJson = JSON.stringify({ ...signFields('activation', fields('11111'), plain), padding: 'x'.repeat(70 * 1024) });
    const bigXml = `<?xml version="1.0" encoding="UTF-8"?><faspay><merchant_id>11111</merchant_id><padding>${'x'.repeat(70 * 1024)}</padding></faspay>`;

    type Case = { name: string; send: () => Promise<Reply>; status: number; code: string; format: WireFormat };
    const cases: Case[] = [];
    for (const format of FORMATS) {
      cases.push(
        { name: `${format} wrong signature`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', { ...fields('11111'), signature: 'f'.repeat(40) }, format, plain, { keepSignature: true }) },
        { name: `${format} signature of another phone`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', { ...fields('11111'), signature: requestSignature('bot11111', 'secret-11111', '081200000002') }, format, plain, { keepSignature: true }) },
        { name: `${format} signature made with the wrong password`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', fields('11111'), format, { ...plain, password: 'guess' }) },
        { name: `${format} missing cust_name`, format, status: 200, code: '83',
          send: () => callOperation(gw.url, 'activation', { merchant_id: '11111', payment_channel: '720', phone_no: phone }, format, plain) },
        { name: `${format} missing signature`, format, status: 200, code: '83',
          send: () => callOperation(gw.url, 'activation', fields('11111'), format, plain, { keepSignature: true }) },
        { name: `${format} unknown merchant`, format, status: 200, code: '03',
          send: () => callOperation(gw.url, 'activation', fields('12345'), format, { userId: 'bot12345', password: 'x' }) },
        { name: `${format} body over 64 KiB`, format, status: 200, code: '30',
          send: () => sendRaw(gw.url, '/ovo/activation', format === 'json' ? bigJson : bigXml, { 'content-type': CONTENT_TYPE[format] }) },
        { name: `${format} caller IP not on the allowlist`, format, status: 200, code: '56',
          send: () => callOperation(gw.url, 'activation', fields('22222'), format, fenced) },
        { name: `${format} HMAC merchant without X-Signature`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', fields('33333'), format, { ...hmac, hmacSecret: null }) },
        { name: `${format} HMAC merchant with a bad X-Signature`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', fields('33333'), format, { ...hmac, hmacSecret: 'whsec_wrong' }, { hmacTimeS: hmacNow() }) },
        { name: `${format} HMAC merchant with a stale X-Signature`, format, status: 200, code: '55',
          send: () => callOperation(gw.url, 'activation', fields('33333'), format, hmac, { hmacTimeS: hmacNow() - 301 }) },
      );
    }
    cases.push(
      { name: 'XML with an external entity (XXE)', format: 'xml', status: 200, code: '30',
        send: () => sendRaw(gw.url, '/ovo/activation', xxe, { 'content-type': 'application/xml' }) },
      { name: 'XML billion laughs', format: 'xml', status: 200, code: '30',
        send: () => sendRaw(gw.url, GUIDE_PATH.xml, laughs, { 'content-type': 'text/xml' }) },
      { name: 'text/plain body that is neither JSON nor XML', format: 'json', status: 200, code: '30',
        send: () => sendRaw(gw.url, '/ovo/activation', `merchant_id=11111 ${JSON.stringify(signFields('activation', fields('11111'), plain))}`, { 'content-type': 'text/plain' }) },
      { name: 'form-encoded body', format: 'json', status: 200, code: '30',
        send: () => sendRaw(gw.url, '/ovo/activation', new URLSearchParams(signFields('activation', fields('11111'), plain)).toString(), { 'content-type': 'application/x-www-form-urlencoded' }) },
      { name: 'JSON that is not JSON', format: 'json', status: 200, code: '30',
        send: () => sendRaw(gw.url, '/cvr/100037/10', '{"merchant_id":', { 'content-type': 'application/json' }) },
    );

    for (const c of cases) {
      const before = await countRows(gw.database);
      const reply = await c.send();
      assert.equal(reply.status, c.status, `${c.name}: HTTP ${reply.status} ${reply.raw.slice(0, 300)}`);
      assert.ok(reply.contentType.startsWith(c.format === 'json' ? 'application/json' : 'application/xml'), `${c.name}: ${reply.contentType}`);
      assert.equal(reply.body.response_code, c.code, `${c.name}: ${reply.raw.slice(0, 300)}`);
      assert.equal(reply.body.response, 'Account Activation OVO Open API', `${c.name}: every reply names its operation`);
      assert.ok(String(reply.body.response_desc).length > 0, c.name);
      assert.equal(reply.body.redirectURL, '', `${c.name}: every field of the reply is there, empty`);
      assert.deepEqual(await countRows(gw.database), before, `${c.name} changed the database`);
      await health(gw.url);
    }
    assert.deepEqual((await countRows(gw.database)).wallets, 0);

    // Positive controls: the same requests, done right, are accepted.
    for (const format of FORMATS) {
      const hmacOk = await callOperation(gw.url, 'activation', fields('33333'), format, hmac, { hmacTimeS: hmacNow() });
      assert.equal(hmacOk.body.response_code, '00', hmacOk.raw);
      const allowed = await callOperation(gw.url, 'activation', fields('22223'), format, open);
      assert.equal(allowed.body.response_code, '00', allowed.raw);
      const plainOk = await callOperation(gw.url, 'activation', fields('11111'), format, plain);
      assert.equal(plainOk.body.response_code, '00', plainOk.raw);
    }
    // A header signed over another body is refused even though it is fresh.
    const body = JSON.stringify(signFields('activation', fields('33333'), hmac));
    const replayed = await sendRaw(gw.url, '/ovo/activation', body, {
      'content-type': 'application/json',
      'x-signature': hmacSignatureHeader('whsec_test_33333', body.replace('Refused', 'Changed'), hmacNow()),
    });
    assert.equal(replayed.body.response_code, '55');
  });

  test(`${kind}: a phone sent as 62… or +62… is signed as sent and normalised to 08…`, async () => {
    const merchant: MerchantInput = { merchantId: '44444', name: 'Intl Shop', userId: 'bot44444', password: 'secret-44444' };
    const gw = await startTestGateway(kind, { merchants: [merchant] });
    for (const sent of ['6281200000044', '+6281200000044']) {
      const reply = await callOperation(gw.url, 'activation', { merchant_id: '44444', payment_channel: '720', phone_no: sent, cust_name: 'Intl' }, 'json', merchant);
      assert.equal(reply.body.response_code, '00', `${sent}: ${reply.raw}`);
    }
    assert.deepEqual(await gw.database.db.selectFrom('wallets').select('phone').execute(), [{ phone: '081200000044' }]);
  });

  test(`${kind}: parallel first activations of one new phone create one sandbox wallet`, async () => {
    const merchant: MerchantInput = { merchantId: '66666', name: 'Busy Shop', userId: 'bot66666', password: 'secret-66666' };
    const gw = await startTestGateway(kind, { merchants: [merchant] });
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => callOperation(gw.url, 'activation',
      { merchant_id: '66666', payment_channel: '720', phone_no: '081200000066', cust_name: 'Busy' }, FORMATS[i % 2]!, merchant)));
    assert.deepEqual(replies.map((r) => r.body.response_code), Array(6).fill('00'), replies.map((r) => r.raw).join('\n'));
    const counts = await countRows(gw.database);
    assert.equal(counts.wallets, 1);
    assert.equal(counts.link_sessions, 6);
    const balance = await gw.database.db.selectFrom('transfers').select('amount').execute();
    assert.deepEqual(balance.map((b) => BigInt(b.amount)).sort((a, b) => (a < b ? -1 : 1)), [50000n, 1000000n], 'funded once');
  });

  test(`${kind}: outside sandbox mode an unknown phone is 18, there is no inbox and no demo merchant`, async () => {
    const gw = await startTestGateway(kind, { config: { sandbox: false } });
    assert.equal(gw.gateway.demoMerchant, undefined);
    assert.equal((await countRows(gw.database)).merchants, 0);
    const merchant: MerchantInput = { merchantId: '55555', name: 'Live Shop', userId: 'bot55555', password: 'secret-55555' };
    await provisionMerchant(gw.database, merchant);
    for (const format of FORMATS) {
      const before = await countRows(gw.database);
      const reply = await callOperation(gw.url, 'activation', { merchant_id: '55555', payment_channel: '720', phone_no: '081200000055', cust_name: 'Nobody' }, format, merchant);
      assert.equal(reply.status, 200, reply.raw);
      assert.equal(reply.body.response_code, '18');
      assert.deepEqual(await countRows(gw.database), before);
      const balance = await callOperation(gw.url, 'balance', { merchant_id: '55555', payment_channel: '720', phone_no: '081200000055' }, format, merchant);
      assert.equal(balance.body.response_code, '18', balance.raw);
    }
    const inboxRes = await fetch(`${gw.url}/sandbox/inbox?phone_no=081200000055`);
    assert.equal(inboxRes.status, 404);
    await inboxRes.arrayBuffer();
    const returnRes = await fetch(`${gw.url}/sandbox/merchant-return?response_code=00`);
    assert.equal(returnRes.status, 404);
    await returnRes.arrayBuffer();
    // The guide's sample merchant does not exist here.
    assert.equal((await sendRaw(gw.url, GUIDE_PATH.json, GUIDE_ACTIVATION_JSON, { 'content-type': 'application/json' })).body.response_code, '03');
    await health(gw.url);
  });
}
