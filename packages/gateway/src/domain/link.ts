import type { Wallet } from './wallet.ts';

/** A merchant's standing permission to charge a wallet: what the guide calls the payment token. */
export interface Link {
  id: bigint;
  merchantId: string;
  walletId: bigint;
  phoneVersion: bigint;
  status: 'active' | 'ended';
  createdAt: number;
  expiresAt: number;
  endedBy: string | null;
}

/** A link is usable only while active, unexpired, and made under the wallet's current phone number. */
export function isLinkUsable(link: Link | undefined, wallet: Pick<Wallet, 'phoneVersion'>, now: number): link is Link {
  return link !== undefined && link.status === 'active' && link.expiresAt > now && link.phoneVersion === wallet.phoneVersion;
}
