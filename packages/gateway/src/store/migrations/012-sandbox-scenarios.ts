import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database.ts';

// Sandbox scenarios (services/sandbox-scenarios.ts): what a tester asked the sandbox to do to a test wallet.
// Immediate ones are applied when they are recorded (state 'applied'); armed ones wait for the payments or
// operations they change and keep a remaining count, taken one at a time by a bounded UPDATE.
export async function up(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  const id = kind === 'postgres' ? 'bigserial' : 'integer';
  const int = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('sandbox_scenarios')
    .addColumn('id', id, (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    // What an armed scenario is looked up by: a payment's phone, an operation (and optionally its merchant).
    .addColumn('phone', 'text')
    .addColumn('operation', 'text')
    .addColumn('merchant_id', 'text')
    .addColumn('remaining', int)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', int, (c) => c.notNull())
    .addColumn('ended_at', int)
    .addCheckConstraint('sandbox_scenarios_state', sql`state in ('applied', 'armed', 'used', 'disarmed')`)
    .addCheckConstraint('sandbox_scenarios_remaining', sql`remaining is null or remaining >= 0`)
    .execute();
  await db.schema.createIndex('sandbox_scenarios_armed').on('sandbox_scenarios').columns(['state', 'type']).execute();
}
