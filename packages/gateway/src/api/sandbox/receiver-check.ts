import { isMerchantId, type SandboxReceiverReport } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import { checkReceivers } from '../../services/receiver-check.ts';
import { findMerchant } from '../../store/merchants.ts';
import { jsonObjectBody, sandboxError } from './index.ts';

/**
 * `POST /sandbox/receiver-checks {"merchant_id"}`: runs the receiver conformance check against the merchant's
 * URLs (services/receiver-check.ts) and answers its report card. It takes at most about two attempt
 * timeouts, since a target's run stops at its first request left unanswered.
 */
export function registerReceiverCheckApi(app: FastifyInstance, ctx: GatewayContext): void {
  app.post('/sandbox/receiver-checks', async (request, reply) => {
    const body = jsonObjectBody(request);
    if (!body) return sandboxError(reply, 400, 'the body must be a JSON object: {"merchant_id": "77001"}');
    const id = typeof body.merchant_id === 'number' ? String(body.merchant_id) : body.merchant_id;
    if (!isMerchantId(id)) return sandboxError(reply, 400, 'merchant_id must be a merchant id (digits)');
    const merchant = await findMerchant(ctx.database.db, id);
    if (!merchant) return sandboxError(reply, 404, `no merchant ${id}`);
    const report = await checkReceivers(ctx, merchant);
    const answer: SandboxReceiverReport = {
      merchant_id: merchant.merchantId,
      passed: report.passed,
      checks: report.checks.map((c) => ({ ...c, passed: c.result === 'passed' })),
    };
    return reply.header('cache-control', 'no-store').send(answer);
  });
}
