// What the scripted customer reads on the shop's and the gateway's pages.
import { decodeHtml } from '../form-client.ts';

/** The page's visible text of its first match of `pattern` (group 1), tags removed. */
export function textOf(html: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(html);
  return match ? decodeHtml(match[1]!.replace(/<br>/g, ' + ').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()) : undefined;
}

export const headingOf = (html: string) => textOf(html, /<h1[^>]*>([\s\S]*?)<\/h1>/);
export const flashOf = (html: string) => textOf(html, /<p class="flash[^"]*"[^>]*>([\s\S]*?)<\/p>/);
/** The text of a row of the gateway's summary tables (`Amount`, `Pay with`, `Paid with`). */
export const tableRowOf = (html: string, heading: string) => textOf(html, new RegExp(`<th scope="row">${heading}</th><td>([\\s\\S]*?)</td>`));
/** The shop's order status, as its order page marks it (`awaiting_payment`, `paid`, …). */
export const orderStatusOf = (html: string) => /data-status="([a-z_]+)"/.exec(html)?.[1];
