// Static assets for the hosted pages: the stylesheets, the favicon and the top-up option icons. They are
// read once at start-up from ./assets/ and served from memory; merchants hot-link the icons (spec §4.6),
// so they get a long public cache lifetime and an ETag.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { FAVICON_PATH, INSPECTOR_STYLESHEET_PATH, STYLESHEET_PATH, WALLET_STYLESHEET_PATH } from './layout.ts';
import { TOPUP_OPTIONS } from './topup-options.ts';

export const ASSET_CACHE_CONTROL = 'public, max-age=86400';

const ASSET_PREFIX = '/assets/';
const ASSET_DIR = new URL('./assets/', import.meta.url);
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** `file` is the asset's path below ./assets/, which is also its URL path below /assets/. */
function loadAsset(file: string, contentType: string): Asset {
  const body = readFileSync(new URL(file, ASSET_DIR));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}

/** URL path → content type of everything served; anything not listed here is a 404. */
function servedPaths(): ReadonlyArray<readonly [path: string, contentType: string]> {
  return [
    [STYLESHEET_PATH, CSS],
    [WALLET_STYLESHEET_PATH, CSS],
    [INSPECTOR_STYLESHEET_PATH, CSS],
    [FAVICON_PATH, SVG],
    ...TOPUP_OPTIONS.map((o) => [o.iconPath, SVG] as const),
  ];
}

/** URL path (without the `/assets/` prefix) → asset. */
function loadAssets(): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, contentType] of servedPaths()) {
    const file = path.slice(ASSET_PREFIX.length);
    assets.set(file, loadAsset(file, contentType));
  }
  return assets;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** Serves `GET /assets/app.css`, `/assets/wallet-app.css`, `/assets/inspector.css`, `/assets/favicon.svg` and `/assets/topup/<option>.svg`; 404 for the rest. */
export function registerAssets(app: FastifyInstance): void {
  const assets = loadAssets();
  app.get<{ Params: { '*': string } }>(`${ASSET_PREFIX}*`, async (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (asset === undefined) {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    }
    reply.header('cache-control', ASSET_CACHE_CONTROL).header('etag', asset.etag);
    if (etagMatches(request.headers['if-none-match'], asset.etag)) {
      return reply.code(304).send();
    }
    return reply.type(asset.contentType).send(asset.body);
  });
}
