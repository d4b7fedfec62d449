import { hashPin } from '../domain/pin.ts';
import { SANDBOX_WALLET, type Wallet } from '../domain/wallet.ts';
import { inTransaction } from '../store/transaction.ts';
import { findWalletByPhone, insertWallet } from '../store/wallets.ts';
import type { GatewayContext } from '../context.ts';

/** In sandbox mode a phone the gateway has never seen gets a funded test wallet (documented in the README). */
export async function findOrCreateSandboxWallet(ctx: GatewayContext, phone: string, name: string): Promise<Wallet> {
  const existing = await findWalletByPhone(ctx.database.db, phone);
  if (existing) return existing;
  const pinHash = await hashPin(SANDBOX_WALLET.pin, ctx.config.pinPepper);
  try {
    return await inTransaction(ctx.database, (tx) => insertWallet(tx, {
      phone, name, pinHash, cash: SANDBOX_WALLET.cash, points: SANDBOX_WALLET.points, sandbox: true,
    }, ctx.clock.now()));
  } catch (error) {
    // Two activations for the same new phone at once: the other one created it.
    const created = await findWalletByPhone(ctx.database.db, phone);
    if (created) return created;
    throw error;
  }
}
