// A hosted account-linking session: open while its challenge (OTP, then PIN) runs, then a result.
import { verbatim, type Localized } from './localized.ts';

export type LinkSessionState = 'open' | 'linked' | 'failed';

export interface LinkSession {
  id: string;
  merchantId: string;
  phone: string;
  custName: string;
  walletId: bigint | null;
  state: LinkSessionState;
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

/** LINK_FAILURE as the customer reads it on the page: the English is the wire text itself. */
const LINK_FAILURE_ID: Readonly<Record<keyof typeof LINK_FAILURE, string>> = {
  expired: 'Sesi aktivasi sudah kedaluwarsa',
  otpAttempts: 'Terlalu banyak kode verifikasi yang salah',
  pinLocked: 'PIN diblokir setelah terlalu banyak percobaan yang salah',
  cancelled: 'Dibatalkan oleh pelanggan',
  walletSuspended: 'Akun OVO tidak aktif',
  phoneChanged: 'Nomor ponsel akun OVO telah berubah',
};

/** The stored `response_desc` of a failed session in both languages (unknown texts are shown as they are). */
export function linkFailureText(desc: string): Localized {
  for (const [key, en] of Object.entries(LINK_FAILURE) as [keyof typeof LINK_FAILURE, string][]) {
    if (en === desc) return { en, id: LINK_FAILURE_ID[key] };
  }
  return verbatim(desc);
}
