import { ACTIVATION_CALLBACK, activationCallbackSignature, formatJakartaDateTime, normalizePhone, signaturesEqual } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { DEMO_RETURN_PATH } from '../services/demo-merchant.ts';
import { findMerchant } from '../store/merchants.ts';
import { listSmsMessages } from '../store/sms-messages.ts';
import { html } from './html.ts';
import { notice, renderPage } from './layout.ts';

const INBOX_MESSAGES_MAX = 50;

/** Sandbox-only tools; outside sandbox mode these addresses do not exist (404). */
export function registerSandboxRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  if (!ctx.config.sandbox) return;
  app.get<{ Querystring: { phone_no?: string } }>('/sandbox/inbox', async (request, reply) => {
    const phone = normalizePhone(String(request.query.phone_no ?? ''));
    if (!phone) return reply.status(400).send({ error: 'phone_no must be an Indonesian mobile number (08…)' });
    const messages = await listSmsMessages(ctx.database.db, phone, INBOX_MESSAGES_MAX);
    return reply.send({
      messages: messages.map((m) => ({ phone_no: m.phone, text: m.text, created_at: formatJakartaDateTime(new Date(m.createdAt)) })),
    });
  });

  // The demo merchant's return URL: shows what a merchant's page receives after an activation, and whether
  // the signature checks out, so a new user following the README lands somewhere real.
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(DEMO_RETURN_PATH, async (request, reply) => {
    const value = (name: string) => {
      const v = request.query[name];
      return typeof v === 'string' ? v : '';
    };
    const merchant = /^[0-9]{1,10}$/.test(value('merchant_id')) ? await findMerchant(ctx.database.db, value('merchant_id')) : undefined;
    const valid = merchant !== undefined && /^0[0-9]{9,12}$/.test(value('phone_number')) && /^0[01]$/.test(value('response_code'))
      && signaturesEqual(activationCallbackSignature(merchant.userId, merchant.password, value('phone_number'), value('response_code')), value('signature'));
    const rows = ACTIVATION_CALLBACK.fields.map((name) => html`<tr><th scope="row">${name}</th><td>${value(name)}</td></tr>`);
    const body = html`<p>This page stands in for the demo merchant's return URL. A real shop receives these parameters and checks the signature.</p>
<table class="table"><tbody>${rows}</tbody></table>
${valid ? notice('success', 'The signature is valid.') : notice('error', 'The signature does not match.')}`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ title: 'Demo shop', lang: 'en', heading: 'Demo shop: activation result', body }));
  });
}
