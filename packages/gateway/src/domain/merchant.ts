import type { WireFormat } from '@ovo-tokenize/protocol';

export const AMOUNT_DECIMALS = [0, 2] as const;
export type AmountDecimals = (typeof AMOUNT_DECIMALS)[number];

export interface Merchant {
  merchantId: string;
  name: string;
  userId: string;
  password: string;
  callbackUrl: string | null;
  returnUrl: string | null;
  /** Where the payment page hands the customer back (PROTOCOL.md §4.11); null: use returnUrl. */
  paymentReturnUrl: string | null;
  notifyUrl: string | null;
  notifyFormat: WireFormat;
  allowIps: readonly string[];
  hmacSecret: string | null;
  /** Payments at or below this many rupiah complete without a PIN; 0 means every payment needs one. */
  pinlessLimit: bigint;
  paymentOtp: boolean;
  maxAmount: bigint | null;
  /** Implied decimals of amounts on this merchant's wire (PROTOCOL.md §3.1): 0, or 2 (`1000000` = Rp 10.000). */
  amountDecimals: AmountDecimals;
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
