import type { Kysely, Transaction } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// The delivery inspector (README "Delivery inspector"): every HTTP attempt of a delivery, written in the
// transaction that records its outcome, and the bill a payment notification is about, so deliveries can be
// found by bill_no without reading their bodies.
export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  // PostgreSQL runs each migration in a transaction; SQLite does not, so one is opened here.
  if (db.isTransaction) await migrate(db as Transaction<any>, kind);
  else await db.transaction().execute((tx) => migrate(tx, kind));
}

async function migrate(tx: Transaction<any>, kind: DatabaseKind): Promise<void> {
  const id = kind === 'postgres' ? 'bigserial' : 'integer';
  const int = kind === 'postgres' ? 'bigint' : 'integer';
  // Null for activation callbacks and for rows queued before this migration.
  await tx.schema.alterTable('outbox').addColumn('bill_no', 'text').execute();
  await tx.schema.createIndex('outbox_bill_no').on('outbox').column('bill_no').execute();

  await tx.schema
    .createTable('delivery_attempts')
    // Its own key, not (outbox_id, number): a dispatcher whose lease ran out mid-attempt still records what it
    // sent, and may then number its attempt like the one that took the row over.
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('outbox_id', int, (c) => c.notNull().references('outbox.id').onDelete('cascade'))
    .addColumn('number', int, (c) => c.notNull())
    .addColumn('started_at', int, (c) => c.notNull())
    // The header lines as sent (JSON object, names in their sent case); null when nothing was sent. The body
    // sent is the outbox row's, which never changes.
    .addColumn('request_headers', 'text')
    .addColumn('http_status', int)
    .addColumn('response_body', 'text')
    .addColumn('latency_ms', int, (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await tx.schema.createIndex('delivery_attempts_outbox').on('delivery_attempts').columns(['outbox_id', 'number']).execute();
}
