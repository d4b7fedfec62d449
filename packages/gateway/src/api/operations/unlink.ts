import type { Operation } from '../operation.ts';
import { endLink } from '../../store/links.ts';
import { findWalletByPhone } from '../../store/wallets.ts';

export const unlink: Operation<'unlink'> = {
  name: 'unlink',
  async handle(ctx, { merchant, request }) {
    const wallet = await findWalletByPhone(ctx.database.db, request.phone_no);
    // Unlinking what is not linked succeeds: the merchant's intent already holds (spec §4.9).
    if (wallet) await endLink(ctx.database.db, merchant.merchantId, wallet.id, 'merchant', ctx.clock.now());
    return {};
  },
};
