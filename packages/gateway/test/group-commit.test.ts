// Proves group commit on both databases (store/group-commit.ts): units arriving while a batch is written
// share the next commit; a unit that fails rolls back only its own changes and gets its own error while the
// others of its batch commit; nothing resolves before its batch is committed; an idle unit runs alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupCommitStats, inGroupCommit } from '../src/store/group-commit.ts';
import { insertSmsMessage, listSmsMessages } from '../src/store/sms-messages.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const UNITS = 60;
const PHONE = '081347000001';

class Refused extends Error {}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: ${UNITS} concurrent units share commits; the refused ones leave nothing, the rest commit`, async () => {
    const database = await openTestDatabase(kind);
    try {
      const alone = groupCommitStats(database);
      await inGroupCommit(database, 64, (tx) => insertSmsMessage(tx, { phone: PHONE, text: 'idle', createdAt: 1 }));
      assert.deepEqual(groupCommitStats(database), { batches: alone.batches + 1, units: alone.units + 1 }, 'an idle unit runs at once, alone');

      const before = groupCommitStats(database);
      const results = await Promise.allSettled(Array.from({ length: UNITS }, (_, i) => inGroupCommit(database, 16, async (tx) => {
        await insertSmsMessage(tx, { phone: PHONE, text: `unit ${i}`, createdAt: 2 + i });
        if (i % 7 === 3) throw new Refused(`unit ${i} refused after writing`);
        return i;
      }).then(async (i) => {
        // Resolved means committed: another connection (on PostgreSQL) already sees the row.
        const seen = (await listSmsMessages(database.db, PHONE, 1000)).some((m) => m.text === `unit ${i}`);
        assert.ok(seen, `unit ${i} resolved before its commit was visible`);
        return i;
      })));
      const after = groupCommitStats(database);
      assert.equal(after.units - before.units, UNITS);
      assert.ok(after.batches - before.batches < UNITS / 4, `${after.batches - before.batches} batches for ${UNITS} units`);

      const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      assert.deepEqual(refused, Array.from({ length: UNITS }, (_, i) => i).filter((i) => i % 7 === 3));
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof Refused, `unit ${i}: its own error`);
        else assert.equal(r.value, i, `unit ${i}: its own result`);
      }
      const stored = new Set((await listSmsMessages(database.db, PHONE, 1000)).map((m) => m.text));
      for (let i = 0; i < UNITS; i++) assert.equal(stored.has(`unit ${i}`), i % 7 !== 3, `unit ${i}`);
      assert.ok(stored.has('idle'));
    } finally {
      await database.close();
    }
  });
}
