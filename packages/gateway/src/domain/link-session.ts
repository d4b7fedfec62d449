// The customer's journey on the hosted activation page: OTP, then PIN, then a result.

export type LinkSessionState = 'otp' | 'pin' | 'linked' | 'failed';

export interface LinkSession {
  id: string;
  merchantId: string;
  phone: string;
  custName: string;
  walletId: bigint | null;
  state: LinkSessionState;
  browserKeyHash: string | null;
  csrfToken: string;
  otpHash: string | null;
  otpExpiresAt: number | null;
  otpAttempts: number;
  otpSends: number;
  otpSentAt: number | null;
  resultCode: string | null;
  resultDesc: string | null;
  expiresAt: number;
  createdAt: number;
}

export function isFinished(session: LinkSession): boolean {
  return session.state === 'linked' || session.state === 'failed';
}

export function isExpired(session: LinkSession, now: number): boolean {
  return !isFinished(session) && session.expiresAt <= now;
}

/** Failure reasons shown to the customer and sent to the merchant as `response_desc`. */
export const LINK_FAILURE = {
  expired: 'Activation session expired',
  otpAttempts: 'Too many wrong verification codes',
  pinLocked: 'PIN locked after too many wrong attempts',
  cancelled: 'Cancelled by customer',
  walletSuspended: 'OVO account is not active',
  phoneChanged: 'The OVO account changed its phone number',
} as const;
