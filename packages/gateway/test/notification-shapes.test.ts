// Proves over real HTTP on SQLite and PostgreSQL that payment_reff is '' until a payment is paid and set once it is (notifications and inquiry, JSON and XML), that the XML notification is exactly the §4.5 field list under <faspay> after the XML declaration, and that the gateway reads merchants' acknowledgements by the lenient rule: an XML-only receiver answering its ack as text/html (even to a JSON notification), and a JSON receiver answering with no Content-Type, are acknowledged, while a body that is neither is not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAYMENT_NOTIFICATION, type WireFormat } from '@ovo-tokenize/protocol';
import { XMLParser } from 'fast-xml-parser';
import type { Merchant } from '../src/domain/merchant.ts';
import { expirePayments } from '../src/services/payments.ts';
import type { MerchantInput } from '../src/store/merchants.ts';
import { findWalletByPhone } from '../src/store/wallets.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { callOperation, type Reply } from './support/gateway.ts';
import {
  authorisePayment, fundedWallet, linkThroughStore, startNotificationReceiver, startPaymentsGateway, type PaymentsGateway,
} from './support/payments.ts';

const FORMATS: readonly WireFormat[] = ['json', 'xml'];
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const PAYMENT_REFF = /^[0-9]{12}$/;

function shop(id: string, notifyUrl: string, format: WireFormat, extra: Partial<MerchantInput> = {}): MerchantInput {
  return { merchantId: id, name: `Shop ${id}`, userId: `bot${id}`, password: `pw-${id}`, notifyUrl, notifyFormat: format, ...extra };
}

async function linkedCustomer(gw: PaymentsGateway, merchant: Merchant, phone: string): Promise<void> {
  const wallet = await fundedWallet(gw.database, { phone, cash: 500_000n, points: 0n });
  await linkThroughStore(gw.ctx, merchant.merchantId, wallet);
}

function pay(gw: PaymentsGateway, merchant: Merchant, format: WireFormat, phone: string, billNo: string, total: bigint): Promise<Reply> {
  return callOperation(gw.url, 'payment', {
    merchant_id: merchant.merchantId, bill_no: billNo, bill_desc: `Order ${billNo}`, bill_total: String(total), bill_currency: 'IDR',
    payment_channel: '720', phone_no: phone, cust_name: 'Andrea Hinata', email: 'andrea@example.com', pay_type: '0',
  }, format, merchant);
}

async function inquiry(gw: PaymentsGateway, merchant: Merchant, format: WireFormat, trxId: string, billNo: string): Promise<Reply> {
  const reply = await callOperation(gw.url, 'payment-status',
    { request: 'Inquiry Payment Status', merchant_id: merchant.merchantId, trx_id: trxId, bill_no: billNo }, format, merchant);
  assert.equal(reply.body.response_code, '00', reply.raw);
  return reply;
}

function sha1md5(text: string): string {
  return createHash('sha1').update(createHash('md5').update(text).digest('hex')).digest('hex');
}

/** The merchant's payment notifications in the outbox (each test's merchant gets one). */
async function notificationRows(gw: PaymentsGateway, merchantId: string) {
  return gw.database.db.selectFrom('outbox').selectAll()
    .where('kind', '=', 'payment_notification').where('merchant_id', '=', merchantId).orderBy('id').execute();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RawAnswer { body: string; contentType?: string }

/** A merchant receiver on 127.0.0.1 that answers each POST with `answer(body)`, sending no Content-Type unless it names one. */
async function startRawReceiver(answer: (body: string) => RawAnswer): Promise<{ url: string; bodies: string[]; answer: typeof answer }> {
  const receiver = { url: '', bodies: [] as string[], answer };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      receiver.bodies.push(body);
      const reply = receiver.answer(body);
      res.writeHead(200, reply.contentType === undefined ? {} : { 'content-type': reply.contentType });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return receiver;
}

/**
 * The children of `<faspay>` in order, read strictly: the XML declaration, one root, and nothing but
 * `<name>text</name>` elements inside it (whitespace between elements aside).
 */
function faspayChildren(raw: string): Array<[string, string]> {
  assert.ok(raw.startsWith(XML_DECLARATION), raw);
  const root = /^\s*<faspay>([\s\S]*)<\/faspay>\s*$/.exec(raw.slice(XML_DECLARATION.length));
  assert.ok(root, raw);
  const children: Array<[string, string]> = [];
  const element = /\s*<([A-Za-z_][A-Za-z0-9_.-]*)>([^<]*)<\/\1>/y;
  let end = 0;
  for (let match = element.exec(root[1]!); match !== null; match = element.exec(root[1]!)) {
    children.push([match[1]!, match[2]!]);
    end = element.lastIndex;
  }
  assert.equal(root[1]!.slice(end).trim(), '', `only <name>text</name> children: ${raw}`);
  return children;
}

const phpXml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

/** The §4.5 acknowledgement as PHP receivers echo it: XML, under PHP's default Content-Type, text/html. */
function phpXmlAck(n: Record<string, string>): RawAnswer {
  return {
    contentType: 'text/html; charset=UTF-8',
    body: `${XML_DECLARATION}\n<faspay><response>Payment Notification</response><trx_id>${n.trx_id}</trx_id>`
      + `<merchant_id>${n.merchant_id}</merchant_id><bill_no>${n.bill_no}</bill_no><response_code>00</response_code>`
      + `<response_desc>Sukses</response_desc><response_date>2024-01-02 03:04:05</response_date></faspay>`,
  };
}

/** A receiver written for Faspay debit: it reads the body as XML and refuses anything that is not a <faspay> document. */
function xmlOnlyReceiver(body: string): RawAnswer {
  const doc = body.trimStart().startsWith('<') ? phpXml.parse(body) as { faspay?: Record<string, string> } : {};
  return doc.faspay ? phpXmlAck(doc.faspay) : { body: '<h1>Not XML</h1>', contentType: 'text/html; charset=UTF-8' };
}

async function deliveredAtFirstAttempt(gw: PaymentsGateway, merchantId: string): Promise<void> {
  await until(`${merchantId}'s notification is delivered`, async () => (await notificationRows(gw, merchantId))[0]?.status === 'delivered');
  const [row] = await notificationRows(gw, merchantId);
  assert.equal(Number(row!.attempts), 1, `the first ack counted: ${row!.last_error}`);
}

for (const kind of DATABASE_KINDS) {
  for (const format of FORMATS) {
    test(`${kind}/${format}: payment_reff is empty until the payment is paid, in notifications and inquiry`, async () => {
      const receiver = await startNotificationReceiver();
      const gw = await startPaymentsGateway(kind, { merchants: [shop('72001', receiver.url, format, { pinlessLimit: 10_000n })] });
      const [m] = gw.merchants as [Merchant];
      const phone = '081300007201';
      await linkedCustomer(gw, m, phone);

      // Pending: no reference yet. Then paid on the page: the notification and the inquiry carry the same one.
      const paid = await pay(gw, m, format, phone, 'REFF-PAID', 50_000n);
      assert.equal(paid.body.status, 'PENDING', paid.raw);
      const paidTrx = paid.body.trx_id as string;
      const pending = await inquiry(gw, m, format, paidTrx, 'REFF-PAID');
      assert.equal(pending.body.payment_status_code, '1', pending.raw);
      assert.equal(pending.body.payment_reff, '', pending.raw);
      await authorisePayment(gw, paid.body.redirectURL as string);
      const paidNotice = await receiver.waitFor(paidTrx, '2');
      assert.match(paidNotice.fields.payment_reff!, PAYMENT_REFF, paidNotice.raw);
      const afterPaid = await inquiry(gw, m, format, paidTrx, 'REFF-PAID');
      assert.equal(afterPaid.body.payment_status_code, '2', afterPaid.raw);
      assert.equal(afterPaid.body.payment_reff, paidNotice.fields.payment_reff, afterPaid.raw);

      // Paid at once (pinless): the reference comes with the payment.
      const pinless = await pay(gw, m, format, phone, 'REFF-PINLESS', 5_000n);
      assert.equal(pinless.body.status, 'SUCCESS', pinless.raw);
      const pinlessNotice = await receiver.waitFor(pinless.body.trx_id, '2');
      assert.match(pinlessNotice.fields.payment_reff!, PAYMENT_REFF, pinlessNotice.raw);
      assert.notEqual(pinlessNotice.fields.payment_reff, paidNotice.fields.payment_reff);
      assert.equal((await inquiry(gw, m, format, pinless.body.trx_id, 'REFF-PINLESS')).body.payment_reff, pinlessNotice.fields.payment_reff);

      // Cancelled and expired payments were never paid: '' in their notifications and inquiries.
      const cancelled = await pay(gw, m, format, phone, 'REFF-CANCEL', 20_000n);
      const cancel = await callOperation(gw.url, 'cancel', {
        merchant_id: m.merchantId, trx_id: cancelled.body.trx_id, bill_no: 'REFF-CANCEL', payment_cancel: 'out of stock',
      }, format, m);
      assert.equal(cancel.body.response_code, '00', cancel.raw);
      const expired = await pay(gw, m, format, phone, 'REFF-EXPIRE', 30_000n);
      gw.clock.advance((gw.ctx.config.payment_ttl_s + 1) * 1000);
      await expirePayments(gw.ctx);
      for (const [reply, billNo, code] of [[cancelled, 'REFF-CANCEL', '8'], [expired, 'REFF-EXPIRE', '7']] as const) {
        const notice = await receiver.waitFor(reply.body.trx_id, code);
        assert.equal(notice.fields.payment_reff, '', notice.raw);
        assert.ok(notice.order.includes('payment_reff'), `payment_reff is written, empty: ${notice.raw}`);
        const status = await inquiry(gw, m, format, reply.body.trx_id, billNo);
        assert.equal(status.body.payment_status_code, code, status.raw);
        assert.equal(status.body.payment_reff, '', status.raw);
      }
    });
  }

  test(`${kind}: an XML notification is exactly the §4.5 fields under <faspay>; a PHP receiver's XML ack labelled text/html is accepted`, async () => {
    const xmlOnly = await startRawReceiver(xmlOnlyReceiver);
    // A JSON merchant whose receiver still echoes the XML ack: the ack is read as what it is, not as the notification was.
    const jsonInXmlOut = await startRawReceiver((body) => phpXmlAck(JSON.parse(body) as Record<string, string>));
    const gw = await startPaymentsGateway(kind, { merchants: [
      shop('72002', xmlOnly.url, 'xml', { pinlessLimit: 50_000n }),
      shop('72004', jsonInXmlOut.url, 'json', { pinlessLimit: 50_000n }),
    ] });
    const [m, jsonShop] = gw.merchants as [Merchant, Merchant];
    const phone = '081300007202';
    await linkedCustomer(gw, m, phone);
    await linkThroughStore(gw.ctx, jsonShop.merchantId, (await findWalletByPhone(gw.database.db, phone))!);
    const reply = await pay(gw, m, 'xml', phone, 'PHP-1', 25_000n);
    assert.equal(reply.body.status, 'SUCCESS', reply.raw);
    assert.equal((await pay(gw, jsonShop, 'json', phone, 'PHP-2', 15_000n)).body.status, 'SUCCESS');

    await deliveredAtFirstAttempt(gw, m.merchantId);
    await deliveredAtFirstAttempt(gw, jsonShop.merchantId);
    assert.equal(xmlOnly.bodies.length, 1);
    assert.equal(jsonInXmlOut.bodies.length, 1);

    const children = faspayChildren(xmlOnly.bodies[0]!);
    assert.deepEqual(children.map(([name]) => name), [...PAYMENT_NOTIFICATION.fields]);
    const fields = Object.fromEntries(children);
    assert.equal(fields.request, 'Payment Notification');
    assert.equal(fields.trx_id, reply.body.trx_id);
    assert.equal(fields.merchant_id, m.merchantId);
    assert.equal(fields.merchant, m.name);
    assert.equal(fields.bill_no, 'PHP-1');
    assert.match(fields.payment_reff!, PAYMENT_REFF);
    assert.equal(fields.payment_status_code, '2');
    assert.equal(fields.payment_status_desc, 'Payment Success');
    assert.equal(fields.bill_total, '25000');
    assert.equal(fields.payment_total, '25000');
    assert.equal(fields.payment_channel_uid, '720');
    assert.equal(fields.payment_channel, 'OVO Tokenize');
    assert.equal(fields.signature, sha1md5(`${m.userId}${m.password}${fields.bill_no}${fields.payment_status_code}`));
  });

  test(`${kind}: a JSON acknowledgement with no Content-Type is accepted; a body that is neither JSON nor XML is not`, async () => {
    let ready = false;
    const receiver = await startRawReceiver((body) => {
      if (!ready) return { body: 'OK' };
      const n = JSON.parse(body) as Record<string, string>;
      return {
        body: JSON.stringify({
          response: 'Payment Notification', trx_id: n.trx_id, merchant_id: n.merchant_id, bill_no: n.bill_no,
          response_code: '00', response_desc: 'Success', response_date: '2024-01-02 03:04:05',
        }),
      };
    });
    const gw = await startPaymentsGateway(kind, { merchants: [shop('72003', receiver.url, 'json', { pinlessLimit: 50_000n })] });
    const [m] = gw.merchants as [Merchant];
    const phone = '081300007203';
    await linkedCustomer(gw, m, phone);
    const reply = await pay(gw, m, 'json', phone, 'NOCT-1', 25_000n);
    assert.equal(reply.body.status, 'SUCCESS', reply.raw);

    await until('a refused "OK"', async () => /neither JSON nor XML/.test((await notificationRows(gw, m.merchantId))[0]?.last_error ?? ''));
    assert.equal((await notificationRows(gw, m.merchantId))[0]?.status, 'pending');
    ready = true;
    await until('the notification is delivered', async () => (await notificationRows(gw, m.merchantId))[0]?.status === 'delivered');
    const [row] = await notificationRows(gw, m.merchantId);
    assert.equal(Number(row!.attempts), receiver.bodies.length, 'the first JSON ack counted, nothing after it');
    assert.ok(receiver.bodies.length >= 2, 'the "OK" answer was not taken for an acknowledgement');
  });
}
