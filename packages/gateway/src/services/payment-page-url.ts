import type { GatewayContext } from '../context.ts';

/** The hosted page where the customer authorises a payment (the reply's redirectURL). */
export function paymentPageUrl(ctx: GatewayContext, pageToken: string): string {
  return `${ctx.config.publicUrl}/pay/${encodeURIComponent(pageToken)}`;
}
