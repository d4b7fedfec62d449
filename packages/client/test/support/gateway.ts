// A real gateway (in-process, over HTTP, fresh SQLite database) with one provisioned merchant, a client
// configured for it, and linking done the way a customer does it: activate, then the hosted page (OTP from
// the sandbox inbox, PIN) driven with fetch.
import type { WireFormat } from '@ovo-tokenize/protocol';
import type { MerchantInput } from '../../../gateway/src/store/merchants.ts';
import { completeLink, startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.ts';
import { OvoTokenizeClient, type OvoTokenizeClientOptions } from '../../src/index.ts';

export const FORMATS: readonly WireFormat[] = ['json', 'xml'];

/** Sandbox wallets open with these (spec §6). */
export const SANDBOX_CASH = 1_000_000n;
export const SANDBOX_POINTS = 50_000n;

export interface Shop {
  readonly gw: TestGateway;
  readonly merchant: MerchantInput;
  readonly client: OvoTokenizeClient;
  /** Another client for the same merchant, with other options. */
  clientWith(options: Partial<OvoTokenizeClientOptions>): OvoTokenizeClient;
}

export async function startShop(format: WireFormat, merchant: Partial<MerchantInput> = {}): Promise<Shop> {
  const input: MerchantInput = {
    merchantId: '41001', name: 'Toko Klien', userId: 'bot41001', password: 'pw-41001', pinlessLimit: 100_000n, notifyFormat: format,
    ...merchant,
  };
  const gw = await startTestGateway('sqlite', { merchants: [input] });
  const clientWith = (options: Partial<OvoTokenizeClientOptions>) => new OvoTokenizeClient({
    baseUrl: gw.url,
    merchantId: input.merchantId,
    merchantName: input.name,
    userId: input.userId,
    password: input.password,
    hmacSecret: input.hmacSecret ?? undefined,
    format,
    retryBaseDelayMs: 10,
    ...options,
  });
  return { gw, merchant: input, client: clientWith({}), clientWith };
}

/** Links `phone` to the shop's merchant through the client and the hosted page; returns the redirect URL used. */
export async function link(shop: Shop, phone: string, customerName = 'Andrea Hinata'): Promise<string> {
  const started = await shop.client.activate({ phone, customerName });
  if (started.outcome !== 'ok') throw new Error(`activation answered ${started.outcome}`);
  const final = await completeLink(shop.gw.url, started.redirectUrl, phone);
  if (!/Account linked/.test(final.html)) throw new Error(`linking did not finish:\n${final.html.slice(0, 400)}`);
  return started.redirectUrl;
}

/** Narrows a result to `ok` or fails the test with what it was. */
export function ok<R extends { outcome: string }>(result: R): Extract<R, { outcome: 'ok' }> {
  if (result.outcome !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result as Extract<R, { outcome: 'ok' }>;
}
