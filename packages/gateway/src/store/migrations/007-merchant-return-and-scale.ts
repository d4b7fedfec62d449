import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  // Where the payment page sends the customer back (PROTOCOL.md §4.11); null falls back to return_url.
  await db.schema.alterTable('merchants').addColumn('payment_return_url', 'text').execute();
  // Implied decimals of every amount on this merchant's wire (§3.1): 0 (whole rupiah) or 2.
  await db.schema.alterTable('merchants')
    .addColumn('amount_decimals', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0).check(sql`amount_decimals in (0, 2)`))
    .execute();
}
