import type { GatewayContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { isLinkUsable, type Link } from '../domain/link.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { Wallet } from '../domain/wallet.ts';
import { findWalletWithLink } from '../store/wallets.ts';
import { startActivation } from './linking.ts';

/**
 * The wallet and its live link with this merchant, or `02` carrying a fresh activation URL (spec §4.4):
 * the link is missing, expired, ended by either side, or predates a phone-number change.
 */
export async function requireUsableLink(ctx: GatewayContext, merchant: Merchant, phone: string, custName?: string): Promise<{ wallet: Wallet; link: Link }> {
  const found = await usableLink(ctx, merchant, phone);
  if ('link' in found) return found;
  throw await linkRequired(ctx, merchant, phone, custName ?? found.wallet?.name);
}

/** The wallet and its usable link, or the wallet (if any) whose link must be made first. Refuses an unknown or inactive wallet. */
export async function usableLink(ctx: GatewayContext, merchant: Merchant, phone: string): Promise<{ wallet: Wallet; link: Link } | { wallet?: Wallet }> {
  const found = await findWalletWithLink(ctx.database.db, phone, merchant.merchantId);
  if (!found && !ctx.config.sandbox) throw new DomainError('wallet_unknown', 'Invalid Customer or MSISDN is not found');
  if (found && found.wallet.status !== 'active') throw new DomainError('wallet_suspended', 'OVO account is not active');
  if (found && isLinkUsable(found.link, found.wallet, ctx.clock.now())) return { wallet: found.wallet, link: found.link };
  return { wallet: found?.wallet };
}

/** `02` with a fresh activation URL (a new activation session is opened for it). */
export async function linkRequired(ctx: GatewayContext, merchant: Merchant, phone: string, custName: string | undefined): Promise<DomainError> {
  const url = await startActivation(ctx, merchant, phone, custName ?? 'OVO Customer');
  return new DomainError('link_required', 'Failed, please regenerate payment token', { url });
}
