// The merchant's side of a real delivery: a node:http server handing Web Requests to a handler (the adapter
// the README shows for Express), and a poll for what the gateway delivers asynchronously.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import assert from 'node:assert/strict';

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A merchant's node:http server handing Web Requests to `handle` — the adapter the README shows for Express. */
export async function startMerchantServer(handle: (request: Request) => Promise<Response>): Promise<{ url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const method = req.method ?? 'GET';
      const request = new Request(new URL(req.url ?? '/', `http://${req.headers.host}`), {
        method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
      });
      try {
        const response = await handle(request);
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => { out[name] = value; });
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch {
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
