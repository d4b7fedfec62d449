// Customer-facing text in both languages the hosted pages speak. Services return these pairs instead of
// English strings, and the page picks the customer's language; texts for merchants (the wire) stay English.

export type Lang = 'id' | 'en';

export interface Localized {
  readonly en: string;
  readonly id: string;
}

export function localized(en: string, id: string): Localized {
  return { en, id };
}

/** The same text in both languages (a name, a reference…). */
export function verbatim(text: string): Localized {
  return { en: text, id: text };
}

/** `Wrong code. 2 attempts left.` / `Kode salah. Sisa percobaan: 2.` */
export function wrongCodeText(left: number): Localized {
  return localized(`Wrong code. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`, `Kode verifikasi salah. Sisa percobaan: ${left}.`);
}

export function resendWaitText(seconds: number): Localized {
  return localized(`Please wait ${seconds} seconds before asking for a new code.`, `Tunggu ${seconds} detik sebelum meminta kode baru.`);
}

/** Messages the code and PIN steps of every page share. */
export const STEP_TEXT = {
  codeShape: localized('Enter the 6-digit code we sent by SMS.', 'Masukkan 6 digit kode verifikasi yang kami kirim lewat SMS.'),
  codeExpired: localized('This code has expired. Ask for a new code.', 'Kode ini sudah kedaluwarsa. Minta kode baru.'),
  tryAgain: localized('Please try again.', 'Silakan coba lagi.'),
  newCodeSent: localized('A new code is on its way.', 'Kode baru sedang dikirim.'),
  pinShape: localized('Enter your 6-digit OVO PIN.', 'Masukkan 6 digit PIN OVO kamu.'),
} as const;

// A wallet-app flash waits in the database between a POST and the page after it: both languages go in.
const ENCODED_PREFIX = '{"en":';

export function encodeLocalized(text: Localized): string {
  return JSON.stringify({ en: text.en, id: text.id });
}

/** Reads `encodeLocalized`'s output; anything else (an older plain message) is shown as it is in both languages. */
export function decodeLocalized(stored: string): Localized {
  if (stored.startsWith(ENCODED_PREFIX)) {
    try {
      const value: unknown = JSON.parse(stored);
      if (value && typeof value === 'object' && typeof (value as Localized).en === 'string' && typeof (value as Localized).id === 'string') {
        return localized((value as Localized).en, (value as Localized).id);
      }
    } catch {
      // fall through: not ours
    }
  }
  return verbatim(stored);
}
