import type { Operation } from '../operation.ts';
import { toWireAmount } from '../../domain/amount-scale.ts';
import { requireUsableLink } from '../../services/link-check.ts';
import { walletBalances } from '../../store/wallets.ts';

export const balance: Operation<'balance'> = {
  name: 'balance',
  async handle(ctx, { merchant, request }) {
    const { wallet } = await requireUsableLink(ctx, merchant, request.phone_no);
    const { cash, points } = await walletBalances(ctx.database.db, wallet);
    // A point is worth one rupiah and is spent as one, so the points balance is written as an amount too.
    return { detail: { cash: { balance: toWireAmount(merchant, cash) }, points: { balance: toWireAmount(merchant, points) } } };
  },
};
