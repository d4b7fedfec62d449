// What the shop sells. Prices are whole rupiah as bigint: money is never a floating-point number.
import type { ArtName } from './art.ts';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly price: bigint;
  /** Its picture (art.ts) and the tint behind it. */
  readonly art: ArtName;
  readonly tint: string;
}

export const CATALOG: readonly Product[] = [
  { id: 'kopi-susu', name: 'Es Kopi Susu', description: 'Espresso, fresh milk and palm sugar over ice.', price: 25_000n, art: 'icedCoffee', tint: '#f3e3cf' },
  { id: 'roti-bakar', name: 'Roti Bakar Keju', description: 'Toasted bread with butter, cheese and condensed milk.', price: 18_000n, art: 'toast', tint: '#f6e7c8' },
  { id: 'biji-kopi', name: 'Kopi Gayo 250 g', description: 'Single-origin Arabica beans from Aceh, roasted this week.', price: 65_000n, art: 'beans', tint: '#ead9cb' },
  { id: 'tumbler', name: 'Tumbler Nusantara', description: 'Double-walled steel, keeps your coffee hot for 6 hours.', price: 85_000n, art: 'tumbler', tint: '#e3e7ea' },
];

export function findProduct(id: string): Product | undefined {
  return CATALOG.find((p) => p.id === id);
}
