import type { GatewayContext } from '../context.ts';
import { localized, type Localized } from '../domain/localized.ts';
import { verifyPin } from '../domain/pin.ts';
import { isPinLocked, type Wallet } from '../domain/wallet.ts';
import { findWallet, recordPinFailure, reservePinAttempt } from '../store/wallets.ts';

export type PinCheck =
  | { kind: 'ok' }
  | { kind: 'locked' }
  | { kind: 'wrong'; message: Localized }
  | { kind: 'busy'; message: Localized };

export const PIN_BUSY_TEXT = localized(
  'Your PIN is being checked elsewhere right now. Try again in a moment.',
  'PIN kamu sedang diperiksa di tempat lain. Coba lagi sebentar lagi.',
);

export function wrongPinText(left: number, lockMinutes: number): Localized {
  return localized(
    `Wrong PIN. ${left} ${left === 1 ? 'attempt' : 'attempts'} left before your PIN is locked for ${lockMinutes} minutes.`,
    `PIN salah. Sisa percobaan: ${left} sebelum PIN kamu diblokir selama ${lockMinutes} menit.`,
  );
}

/**
 * Checks the wallet PIN against the one lockout shared by account linking, payments and the wallet app:
 * the attempt is reserved before the (slow) hash, and a wrong PIN may lock the wallet. On 'ok' the caller
 * calls recordPinSuccess, inside the transaction that does what the PIN authorised.
 */
export async function checkWalletPin(ctx: GatewayContext, wallet: Wallet, pin: string): Promise<PinCheck> {
  const limits = { attemptsMax: ctx.config.pin_attempts_max, lockS: ctx.config.pin_lock_s };
  const now = ctx.clock.now();
  if (isPinLocked(wallet, now)) return { kind: 'locked' };
  const reservation = await reservePinAttempt(ctx.database.db, wallet.id, now, limits);
  if (reservation === 'locked') return { kind: 'locked' };
  if (reservation === 'busy') return { kind: 'busy', message: PIN_BUSY_TEXT };
  if (await verifyPin(pin, wallet.pinHash, ctx.config.pinPepper)) return { kind: 'ok' };
  ctx.metrics.pinFailures.inc();
  if (await recordPinFailure(ctx.database.db, wallet.id, ctx.clock.now(), limits)) {
    ctx.metrics.pinLockouts.inc();
    return { kind: 'locked' };
  }
  const fresh = await findWallet(ctx.database.db, wallet.id);
  const left = Math.max(0, limits.attemptsMax - (fresh?.pinFailures ?? limits.attemptsMax));
  return { kind: 'wrong', message: wrongPinText(left, Math.round(limits.lockS / 60)) };
}
