// Customer-facing text in both languages the hosted pages speak: the one mechanism for it. Services return
// these pairs instead of English strings, pages keep their catalogues as objects of pairs, and the page picks
// the customer's language; texts for merchants (the wire) stay English.

export type Lang = 'id' | 'en';

export function isLang(value: unknown): value is Lang {
  return value === 'id' || value === 'en';
}

export function otherLang(lang: Lang): Lang {
  return lang === 'en' ? 'id' : 'en';
}

/** One text in both languages, read as `text[lang]`; `T` is `SafeHtml` (pages/html.ts) for a text with markup. */
export interface Localized<T = string> {
  readonly en: T;
  readonly id: T;
}

export function localized<T = string>(en: T, id: T): Localized<T> {
  return { en, id };
}

/** The same text in both languages (a name, a reference…). */
export function verbatim(text: string): Localized {
  return { en: text, id: text };
}

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
