// The API describing itself: GET /openapi.json, the protocol package's document for the paths this gateway
// serves and the address merchants reach it at, and GET /docs, the same document rendered for people.
import { OPERATION_NAMES, openApiDocument, type OpenApiDocument, type OperationName } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import { renderDocsPage } from '../pages/docs-page.ts';
import { operationPaths } from './operation-route.ts';
import { OPERATIONS_BY_NAME } from './operations/index.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** Every path each operation is served at: the same lists the router is given (app.ts, operation-route.ts). */
export function servedPaths(config: Pick<GatewayConfig, 'extraPaths'>): Record<OperationName, string[]> {
  const extraPathsOf = (op: OperationName) => Object.keys(config.extraPaths).filter((path) => config.extraPaths[path] === op);
  const entries = OPERATION_NAMES.map((op) => {
    const operation = OPERATIONS_BY_NAME[op];
    if (operation === undefined) throw new Error(`the catalogue's operation ${op} has no handler`);
    return [op, operationPaths(operation, extraPathsOf(op))] as const;
  });
  return Object.fromEntries(entries) as Record<OperationName, string[]>;
}

export function registerApiDocs(app: FastifyInstance, ctx: GatewayContext): void {
  // Made per request: with port 0 the public address is known only once the server listens (server.ts).
  const currentDocument = (): OpenApiDocument => openApiDocument({ serverUrl: ctx.config.publicUrl, paths: servedPaths(ctx.config) });
  app.get(OPENAPI_PATH, async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(currentDocument())));
  app.get(DOCS_PATH, async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderDocsPage(currentDocument(), OPENAPI_PATH)));
}
