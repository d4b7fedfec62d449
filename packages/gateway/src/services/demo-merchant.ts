import type { GatewayContext } from '../context.ts';
import type { Merchant } from '../domain/merchant.ts';
import { countMerchants, insertMerchant } from '../store/merchants.ts';
import { inTransaction } from '../store/transaction.ts';

/**
 * The guide's own sample merchant: with these credentials the guide's sample activation request (whose
 * signature is sha1(md5("bot99999" + "p@ssw0rd" + "081382826301"))) works as printed.
 */
/** The demo merchant's return URL path, a sandbox page (pages/sandbox-routes.ts). */
export const DEMO_RETURN_PATH = '/sandbox/merchant-return';

export const DEMO_MERCHANT = { merchantId: '99999', name: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd' } as const;

/** In sandbox mode, a database without merchants gets the demo merchant; one provisioned beforehand is never touched. */
export async function provisionDemoMerchant(ctx: GatewayContext): Promise<Merchant | undefined> {
  try {
    return await inTransaction(ctx.database, async (tx) => {
      if ((await countMerchants(tx)) > 0) return undefined;
      return insertMerchant(tx, {
        ...DEMO_MERCHANT,
        returnUrl: `${ctx.config.publicUrl}${DEMO_RETURN_PATH}`,
      }, ctx.clock.now());
    });
  } catch (error) {
    // Two gateways started together on one empty database: the other one provisioned it.
    if ((await countMerchants(ctx.database.db)) > 0) return undefined;
    throw error;
  }
}
