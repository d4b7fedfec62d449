export interface Wallet {
  id: bigint;
  phone: string;
  name: string;
  pinHash: string;
  pinFailures: number;
  pinLockedUntil: number | null;
  status: 'active' | 'suspended';
  cashAccountId: bigint;
  pointsAccountId: bigint;
  /** Raised when the customer changes phone number; links made under an older version are dead. */
  phoneVersion: bigint;
  sandbox: boolean;
}

/** What sandbox mode gives a phone it has never seen (documented in the README). */
export const SANDBOX_WALLET = { cash: 1_000_000n, points: 50_000n, pin: '123456' } as const;

export function isPinLocked(wallet: Pick<Wallet, 'pinLockedUntil'>, now: number): boolean {
  return wallet.pinLockedUntil !== null && wallet.pinLockedUntil > now;
}
