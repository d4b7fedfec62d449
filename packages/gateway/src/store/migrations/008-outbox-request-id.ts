import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  // The X-Request-Id of the call that queued the row, sent with its delivery; null for rows no request caused.
  await db.schema.alterTable('outbox').addColumn('request_id', 'text').execute();
}
