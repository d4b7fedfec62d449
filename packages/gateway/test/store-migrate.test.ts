// Proves the migrations create the schema on both databases and that the database itself refuses an overdraft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: migrations apply, and an account cannot be overdrawn even by a raw update`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const { db } = database;
      const row = await db.insertInto('accounts').values({ kind: 'wallet_cash', debits_pending: 0n, debits_posted: 0n,
        credits_pending: 0n, credits_posted: 100n, overdraft_allowed: 0n, created_at: 1n }).returning('id').executeTakeFirstOrThrow();
      assert.equal(typeof row.id, 'bigint');
      await db.updateTable('accounts').set({ debits_posted: 100n }).where('id', '=', row.id).execute();
      await assert.rejects(db.updateTable('accounts').set({ debits_pending: 1n }).where('id', '=', row.id).execute());
      const after = await db.selectFrom('accounts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      assert.equal(after.debits_pending, 0n);
      assert.equal(after.credits_posted, 100n);
    } finally {
      await database.close();
    }
  });
}
