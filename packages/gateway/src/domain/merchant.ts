import type { WireFormat } from '@ovo-tokenize/protocol';

export interface Merchant {
  merchantId: string;
  name: string;
  userId: string;
  password: string;
  callbackUrl: string | null;
  returnUrl: string | null;
  notifyUrl: string | null;
  notifyFormat: WireFormat;
  allowIps: readonly string[];
  hmacSecret: string | null;
  /** Payments at or below this many rupiah complete without a PIN; 0 means every payment needs one. */
  pinlessLimit: bigint;
  paymentOtp: boolean;
  maxAmount: bigint | null;
  status: 'active' | 'suspended';
  settlementAccountId: bigint;
  pointsSettlementAccountId: bigint;
}

/** An empty allowlist admits every address. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address. */
export function isIpAllowed(merchant: Merchant, ip: string): boolean {
  if (merchant.allowIps.length === 0) return true;
  const plain = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  return merchant.allowIps.includes(plain) || merchant.allowIps.includes(ip);
}
