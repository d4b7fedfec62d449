import type { Command } from 'commander';

/** Where the sandbox commands find the gateway: --gateway, else OVO_GATEWAY_URL, else this machine's default port. */
export function gatewayUrlFrom(flag: string | undefined): string {
  const port = process.env.OVO_PORT ?? '8080';
  return (flag ?? process.env.OVO_GATEWAY_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
}

/** Adds the --gateway option every sandbox command takes. */
export function withGatewayOption(command: Command): Command {
  return command.option('--gateway <url>', 'the running gateway (env OVO_GATEWAY_URL, default http://127.0.0.1:$OVO_PORT or 8080)');
}

/**
 * Calls the sandbox API of a running gateway and returns its JSON. The sandbox commands talk to the gateway
 * over HTTP (not to its database) so that its clock, its dispatcher and its sandbox mode decide: a gateway
 * outside sandbox mode answers 404, and the command refuses with a message that says so.
 */
export async function callSandbox(gatewayUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach the gateway at ${gatewayUrl} (${causeOf(error)}); start it with \`ovo-tokenize serve\` (sandbox mode is the default) or pass --gateway <url>`);
  }
  const text = await response.text();
  if (response.status === 404 && !text.startsWith('{"error"')) {
    throw new Error(`the gateway at ${gatewayUrl} is not in sandbox mode: sandbox commands work only against a gateway started without --no-sandbox (and OVO_SANDBOX not 0)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the gateway at ${gatewayUrl} answered ${response.status} without JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const message = typeof value === 'object' && value !== null && 'error' in value ? String(value.error) : text.slice(0, 200);
    throw new Error(`the gateway refused (${response.status}): ${message}`);
  }
  return value;
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
