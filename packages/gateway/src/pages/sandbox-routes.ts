import {
  ACTIVATION_CALLBACK, PAYMENT_RETURN, activationCallbackSignature, formatJakartaDateTime, isMerchantId, isPaymentStatusCode,
  normalizePhone, paymentStatusSignature, signaturesEqual,
} from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { Merchant } from '../domain/merchant.ts';
import { DEMO_RETURN_PATH } from '../services/demo-merchant.ts';
import { findMerchant } from '../store/merchants.ts';
import { listSmsMessages } from '../store/sms-messages.ts';
import { html, type SafeHtml } from './html.ts';
import { notice, renderPage } from './layout.ts';

const INBOX_MESSAGES_MAX = 50;

/** Sandbox-only tools; outside sandbox mode these addresses do not exist (404). */
export function registerSandboxRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  if (!ctx.config.sandbox) return;
  app.get<{ Querystring: { phone_no?: string } }>('/sandbox/inbox', async (request, reply) => {
    // It shows one-time codes: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    const phone = normalizePhone(String(request.query.phone_no ?? ''));
    if (!phone) return reply.status(400).send({ error: 'phone_no must be an Indonesian mobile number (08…)' });
    const messages = await listSmsMessages(ctx.database.db, phone, INBOX_MESSAGES_MAX);
    return reply.send({
      messages: messages.map((m) => ({ phone_no: m.phone, text: m.text, created_at: formatJakartaDateTime(new Date(m.createdAt)) })),
    });
  });

  // The demo merchant's return URL (activation and, by default, payment too): shows what a merchant's page
  // receives and whether the signature checks out, so a new user following the README lands somewhere real.
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(DEMO_RETURN_PATH, async (request, reply) => {
    const value = (name: string) => {
      const v = request.query[name];
      return typeof v === 'string' ? v : '';
    };
    const merchant = isMerchantId(value('merchant_id')) ? await findMerchant(ctx.database.db, value('merchant_id')) : undefined;
    const page = value('trx_id') === '' ? activationReturn(merchant, value) : paymentReturn(merchant, value);
    const rows = page.fields.map((name) => html`<tr><th scope="row">${name}</th><td>${value(name)}</td></tr>`);
    const body = html`<p>This page stands in for the demo merchant's return URL. A real shop receives these parameters and checks the signature.</p>
<table class="table"><tbody>${rows}</tbody></table>
${page.valid ? notice('success', 'The signature is valid.') : notice('error', 'The signature does not match.')}${page.note}`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ title: 'Demo shop', lang: 'en', heading: page.heading, body }));
  });
}

type QueryValue = (name: string) => string;

interface ReturnPage {
  readonly heading: string;
  readonly fields: readonly string[];
  readonly valid: boolean;
  readonly note: SafeHtml | '';
}

function activationReturn(merchant: Merchant | undefined, value: QueryValue): ReturnPage {
  const valid = merchant !== undefined && /^0[0-9]{9,12}$/.test(value('phone_number')) && /^0[01]$/.test(value('response_code'))
    && signaturesEqual(activationCallbackSignature(merchant.userId, merchant.password, value('phone_number'), value('response_code')), value('signature'));
  return { heading: 'Demo shop: activation result', fields: ACTIVATION_CALLBACK.fields, valid, note: '' };
}

function paymentReturn(merchant: Merchant | undefined, value: QueryValue): ReturnPage {
  const valid = merchant !== undefined && value('bill_no') !== '' && isPaymentStatusCode(value('status'))
    && signaturesEqual(paymentStatusSignature(merchant.userId, merchant.password, value('bill_no'), value('status')), value('signature'));
  return {
    heading: 'Demo shop: payment result',
    fields: PAYMENT_RETURN.fields,
    valid,
    note: notice('info', 'Even with a valid signature a shop never marks an order paid from this page: only the payment notification does that.'),
  };
}
