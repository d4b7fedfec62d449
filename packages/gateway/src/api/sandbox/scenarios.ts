import { RESPONSE_CODES } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import {
  ScenarioRefused, addScenario, removeScenario, resetScenarios, scenarioView, scenarios, takeResponseCode,
} from '../../services/sandbox-scenarios.ts';
import type { Operation } from '../operation.ts';
import { failure } from '../operation-route.ts';
import { jsonObjectBody, sandboxError } from './index.ts';

const REFUSAL_STATUS = { invalid: 400, unknown: 404, conflict: 409 } as const;

/** `/sandbox/scenarios` (README "Scenarios"): add, list, disarm one, reset. */
export function registerScenarioRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post('/sandbox/scenarios', async (request, reply) => {
    const body = jsonObjectBody(request);
    if (!body) return sandboxError(reply, 400, 'the body must be a JSON object such as {"type":"lock_pin","phone_no":"081234567890"}');
    return refusing(reply, async () => reply.status(201).header('cache-control', 'no-store')
      .send({ scenario: scenarioView(await addScenario(ctx, body)) }));
  });
  app.get('/sandbox/scenarios', async (_request, reply) => reply.header('cache-control', 'no-store')
    .send({ scenarios: (await scenarios(ctx)).map(scenarioView) }));
  app.post('/sandbox/scenarios/reset', async (_request, reply) => reply.header('cache-control', 'no-store')
    .send({ removed: await resetScenarios(ctx), scenarios: [] }));
  app.delete<{ Params: { id: string } }>('/sandbox/scenarios/:id', async (request, reply) => refusing(reply, async () => reply
    .header('cache-control', 'no-store').send({ scenario: scenarioView(await removeScenario(ctx, request.params.id)) })));
}

async function refusing(reply: FastifyReply, answer: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await answer();
  } catch (error) {
    if (error instanceof ScenarioRefused) return sandboxError(reply, REFUSAL_STATUS[error.kind], error.message);
    throw error;
  }
}

/**
 * The operation with its armed response_code scenarios: after the call is authenticated, an armed one
 * answers its code, with the code's own description, and the handler does not run. Outside sandbox mode
 * the operation is returned as it is, so the production route has no hook at all.
 */
export function withScenarios(ctx: GatewayContext, operation: Operation): Operation {
  if (!ctx.config.sandbox) return operation;
  return {
    ...operation,
    async handle(handlerCtx, call) {
      const code = await takeResponseCode(handlerCtx, operation.name, call.merchant.merchantId);
      if (code === undefined) return operation.handle(handlerCtx, call);
      return failure(code, RESPONSE_CODES[code].desc);
    },
  };
}
