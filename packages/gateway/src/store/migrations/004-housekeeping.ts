import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The sweeper looks for abandoned sessions and purges old finished ones every few seconds.
  await db.schema.createIndex('link_sessions_state_expiry').on('link_sessions').columns(['state', 'expires_at']).execute();
}
