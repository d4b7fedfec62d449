import { formatJakartaDateTime, normalizePhone } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { listSmsMessages } from '../store/sms-messages.ts';

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
}
