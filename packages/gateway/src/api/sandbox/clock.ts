import type { SandboxClock } from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import type { OffsetClock } from '../../domain/ports.ts';
import { advanceClock, CLOCK_AHEAD_MAX_S, readClock, resetClock, type ClockReading } from '../../services/sandbox-clock.ts';
import { jsonObjectBody, sandboxError } from './index.ts';

/** GET /sandbox/clock, POST /sandbox/clock/advance {"seconds": N}, POST /sandbox/clock/reset (README "Test clock"). */
export function registerClockApi(app: FastifyInstance, ctx: GatewayContext, clock: OffsetClock): void {
  app.get('/sandbox/clock', async (_request, reply) => sendReading(reply, readClock(clock)));

  app.post('/sandbox/clock/advance', async (request, reply) => {
    const body = jsonObjectBody(request);
    if (body === undefined) return sandboxError(reply, 400, 'the body must be a JSON object: {"seconds": <whole seconds to move forward>}');
    const unknown = Object.keys(body).filter((key) => key !== 'seconds');
    if (unknown.length > 0) return sandboxError(reply, 400, `unknown field ${JSON.stringify(unknown[0])}: the body is {"seconds": <whole seconds>}`);
    const seconds = body.seconds;
    if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > CLOCK_AHEAD_MAX_S) {
      return sandboxError(reply, 400, `seconds must be a whole number from 1 to ${CLOCK_AHEAD_MAX_S} (10 years), e.g. {"seconds": 3600}`);
    }
    const aheadS = clock.offsetMs / 1000;
    if (aheadS + seconds > CLOCK_AHEAD_MAX_S) {
      return sandboxError(reply, 400, `the clock may run at most ${CLOCK_AHEAD_MAX_S} seconds (10 years) ahead and is already ${aheadS} ahead: reset it first`);
    }
    return sendReading(reply, await advanceClock(ctx, clock, seconds));
  });

  app.post('/sandbox/clock/reset', async (request, reply) => {
    const body = jsonObjectBody(request);
    if (body === undefined || Object.keys(body).length > 0) return sandboxError(reply, 400, 'reset takes no body (or an empty JSON object)');
    return sendReading(reply, resetClock(ctx, clock));
  });
}

function sendReading(reply: FastifyReply, reading: ClockReading): FastifyReply {
  const clock: SandboxClock = { now: new Date(reading.now).toISOString(), offset_seconds: reading.offsetMs / 1000 };
  return reply.header('cache-control', 'no-store').send(clock);
}
