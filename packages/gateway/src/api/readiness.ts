// GET /ready, for load balancers and orchestrators: 200 only while this gateway can do its work — the database
// answers within ready_check_timeout_ms and has every migration this code knows — and 503 otherwise, and
// from the moment the gateway begins to shut down. GET /health stays the liveness check (app.ts).
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { missingMigrations } from '../store/migrate.ts';

/** Flipped by Gateway.close() before anything else, so the balancer stops sending traffic first. */
export interface Lifecycle {
  shuttingDown: boolean;
}

/** `problem` is said to the caller; `detail` only to the log (a database error may name hosts and users). */
type Readiness = { ready: true } | { ready: false; problem: 'shutting down' | 'database unavailable' | 'migrations missing'; detail?: string };

export async function checkReadiness(ctx: GatewayContext, lifecycle: Lifecycle): Promise<Readiness> {
  if (lifecycle.shuttingDown) return { ready: false, problem: 'shutting down' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ctx.config.ready_check_timeout_ms} ms`)), ctx.config.ready_check_timeout_ms);
  });
  try {
    const missing = await Promise.race([missingMigrations(ctx.database), timeout]);
    if (missing.length > 0) return { ready: false, problem: 'migrations missing', detail: missing.join(', ') };
    return { ready: true };
  } catch (error) {
    return { ready: false, problem: 'database unavailable', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function registerReadiness(app: FastifyInstance, ctx: GatewayContext, lifecycle: Lifecycle): void {
  app.get('/ready', async (request, reply) => {
    const readiness = await checkReadiness(ctx, lifecycle);
    if (readiness.ready) return reply.send({ status: 'ready' });
    request.log.warn({ problem: readiness.problem, detail: readiness.detail }, 'not ready');
    return reply.status(503).send({ status: 'unavailable', problem: readiness.problem });
  });
}
