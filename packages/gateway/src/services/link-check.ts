import type { GatewayContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { isLinkUsable, type Link } from '../domain/link.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Wallet } from '../domain/wallet.ts';
import { findActiveLink } from '../store/links.ts';
import { findWalletByPhone } from '../store/wallets.ts';
import { startActivation } from './linking.ts';

/**
 * The wallet and its live link with this merchant, or `02` carrying a fresh activation URL (spec §4.4):
 * the link is missing, expired, ended by either side, or predates a phone-number change.
 */
export async function requireUsableLink(ctx: GatewayContext, merchant: Merchant, phone: string, custName?: string): Promise<{ wallet: Wallet; link: Link }> {
  const wallet = await findWalletByPhone(ctx.database.db, phone);
  if (!wallet && !ctx.config.sandbox) throw new DomainError('wallet_unknown', 'Invalid Customer or MSISDN is not found');
  if (wallet && wallet.status !== 'active') throw new DomainError('wallet_suspended', 'OVO account is not active');
  const link = wallet && (await findActiveLink(ctx.database.db, merchant.merchantId, wallet.id));
  if (wallet && isLinkUsable(link, wallet, ctx.clock.now())) return { wallet, link };
  const url = await startActivation(ctx, merchant, phone, custName ?? wallet?.name ?? 'OVO Customer');
  throw new DomainError('link_required', 'Failed, please regenerate payment token', { url });
}
