import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  // When the last PIN check was reserved: reservations older than any check can take belong to checks
  // that died with their process.
  await db.schema.alterTable('wallets').addColumn('pin_attempt_at', kind === 'postgres' ? 'bigint' : 'integer').execute();
}
