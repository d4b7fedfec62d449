// How the demo prints its tutorial: numbered steps, one line per request or answer, who said it in front.
import type { ShopEvent } from '../server.ts';

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
const purple = paint('35');
const cyan = paint('36');

let stepNumber = 0;

/** The step being played, 0 before the first. */
export function currentStep(): number {
  return stepNumber;
}

export function step(title: string, why: string): void {
  stepNumber += 1;
  console.log(`\n${bold(`Step ${stepNumber}. ${title}`)}`);
  console.log(dim(`  ${why}`));
}

const line = (who: string, text: string) => console.log(`  ${who} ${text}`);
export const browserSays = (text: string) => line(cyan('browser'), text);
export const shopSays = (text: string) => line(purple('shop   '), text);
export const officeSays = (text: string) => line(purple('office '), text);
export const note = (text: string) => line('       ', dim(text));
export const good = (text: string) => line(green('  ✓    '), text);
export const setupLine = (text: string) => console.log(`  ${text}`);

export function printShopEvent(event: ShopEvent): void {
  const arrow = event.kind === 'call' ? '→ gateway:' : event.kind === 'reply' ? '← gateway:' : event.kind === 'rejected' ? '✗' : '←';
  shopSays(`${arrow} ${event.summary}`);
}

export function table(rows: ReadonlyArray<Readonly<Record<string, string>>>, rightAligned: readonly string[] = []): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length));
  const cell = (c: string, v: string) => (rightAligned.includes(c) ? v.padStart(width(c)) : v.padEnd(width(c)));
  console.log(`    ${columns.map((c) => bold(cell(c, c))).join('  ')}`);
  for (const row of rows) console.log(`    ${columns.map((c) => cell(c, row[c] ?? '')).join('  ')}`);
}
