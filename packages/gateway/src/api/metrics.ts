// GET /metrics in the Prometheus text format (observability/metrics.ts holds the series). OVO_METRICS decides
// where: `on` serves it on the main port (the sandbox default), a port number on a listener of its own on
// the same host — so it can stay off the port customers and merchants reach — and `off` nowhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../observability/metrics.ts';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoute(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get(METRICS_PATH, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
}

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464 (with the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

/** A bare HTTP listener for the scraper alone: GET /metrics, and 404 for anything else. */
export async function startMetricsListener(metrics: GatewayMetrics, host: string, port: number): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    response.setHeader('x-content-type-options', 'nosniff');
    if (request.method !== 'GET' || (request.url ?? '').split('?', 1)[0] !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  await listen(server, host, port);
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
