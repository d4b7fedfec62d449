import type { Operation } from '../operation.ts';
import { requireUsableLink } from '../../services/link-check.ts';
import { walletBalances } from '../../store/wallets.ts';

export const balance: Operation<'balance'> = {
  name: 'balance',
  async handle(ctx, { merchant, request }) {
    const { wallet } = await requireUsableLink(ctx, merchant, request.phone_no);
    const { cash, points } = await walletBalances(ctx.database.db, wallet);
    return { detail: { cash: { balance: cash }, points: { balance: points } } };
  },
};
