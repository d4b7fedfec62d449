// Proves, on a real PostgreSQL session (a pool of one connection, so pg_prepared_statements shows the session
// the gateway used), that every statement of a pinless payment that carries parameters is prepared once under
// a name and then only executed again; that statements without parameters (several in one text) run as they
// are; that a schema change or a DEALLOCATE through the pool is followed by fresh preparations, and one made
// by another process fails one attempt and no more; and that the names a connection prepares are bounded.
// PostgreSQL only: SQLite has its own statement cache (store/database.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { startGateway } from '../src/server.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { createTestDatabaseUrl } from './support/databases.ts';
import { callOperation, provisionMerchant } from './support/gateway.ts';
import { fundedWallet, linkThroughStore, startNotificationReceiver } from './support/payments.ts';

const MERCHANT = { merchantId: '48201', name: 'Warung Siap', userId: 'bot48201', password: 'secret-48201', pinlessLimit: 100_000n };

interface Prepared {
  name: string;
  statement: string;
  runs: number;
}

/** The statements this session prepared by name (none by SQL PREPARE), with how often each ran. */
async function preparedStatements(database: Database): Promise<Prepared[]> {
  const { rows } = await sql<{ name: string; statement: string; runs: string | bigint }>`
    select name, statement, generic_plans + custom_plans as runs from pg_prepared_statements where not from_sql`.execute(database.db);
  return rows.map((row) => ({ name: row.name, statement: row.statement, runs: Number(row.runs) }));
}

async function openOneConnection(): Promise<{ database: Database; url: string; drop: () => Promise<void>; statements: string[] }> {
  const { url, drop } = await createTestDatabaseUrl('postgres');
  const statements: string[] = [];
  const database = openDatabase(url, { poolSize: 1, onQuery: (text) => statements.push(text) });
  await migrateToLatest(database);
  return { database, url, drop, statements };
}

test('postgres: a pinless payment\'s statements are prepared once on the connection and then only executed', async () => {
  const receiver = await startNotificationReceiver();
  const { database, drop, statements } = await openOneConnection();
  const merchant = await provisionMerchant(database, { ...MERCHANT, notifyUrl: receiver.url });
  const wallet = await fundedWallet(database, { phone: '081348200001', cash: 1_000_000n, points: 0n });
  const gateway = await startGateway({ database, config: { port: 0, host: '127.0.0.1', sandbox: true }, delivery: { pollIntervalMs: 60_000 } });
  try {
    await gateway.dispatcher.stop();
    await linkThroughStore(gateway.ctx, merchant.merchantId, wallet);
    const pay = async (billNo: string) => {
      const reply = await callOperation(gateway.url, 'payment', {
        merchant_id: MERCHANT.merchantId, bill_no: billNo, bill_desc: 'Kopi', bill_total: '10000', bill_currency: 'IDR',
        cust_name: 'Andrea', phone_no: wallet.phone, email: 'a@example.com', pay_type: '0', payment_channel: '720',
      }, 'json', MERCHANT);
      assert.equal(reply.body.response_code, '00', reply.raw);
    };
    await pay('P-0');
    statements.length = 0;
    const PAYMENTS = 4;
    for (let i = 1; i <= PAYMENTS; i++) await pay(`P-${i}`);
    const withParameters = [...new Set(statements.filter((text) => text.includes('$1')))];
    assert.ok(withParameters.some((text) => text.startsWith('insert into "payments"')), withParameters.join('\n'));
    const prepared = await preparedStatements(database);
    for (const text of withParameters) {
      const copies = prepared.filter((p) => p.statement === text);
      assert.equal(copies.length, 1, `prepared once: ${text}`);
      // Every run of the text since it was prepared, at least those of the counted payments (the merchant's
      // settings are cached, so some texts do not run for every payment).
      const counted = statements.filter((s) => s === text).length;
      assert.ok(copies[0]!.runs >= counted, `${text}: ran ${copies[0]!.runs} times, ${counted} counted`);
      assert.match(copies[0]!.name, /^ovo_/);
    }
    const insert = prepared.find((p) => p.statement.startsWith('insert into "payments"'))!;
    assert.ok(insert.runs >= PAYMENTS + 1, `the payment's insert ran ${insert.runs} times under one preparation`);
    // Transaction control has no parameters and is never named.
    assert.ok(!prepared.some((p) => /^(begin|commit)/i.test(p.statement)));
  } finally {
    await gateway.close();
    await database.close();
    await drop();
    await receiver.close();
  }
});

test('postgres: texts without parameters run as they are; schema changes, DEALLOCATE and a bound on the names', async () => {
  const { database, url, drop } = await openOneConnection();
  const { db } = database;
  const merchantNamed = (id: string) => db.selectFrom('merchants').selectAll().where('merchant_id', '=', id).executeTakeFirst();
  try {
    // Two statements in one text: only possible unprepared (the simple protocol).
    await sql`select 1; select 2`.execute(db);

    await provisionMerchant(database, MERCHANT);
    assert.ok(await merchantNamed(MERCHANT.merchantId));
    assert.ok(await merchantNamed(MERCHANT.merchantId));
    // The prepared `select *` would now return another set of columns; after the change it is prepared again.
    await sql`alter table merchants add column nickname text`.execute(db);
    const changed = await merchantNamed(MERCHANT.merchantId);
    assert.ok(changed && 'nickname' in changed);
    await sql`deallocate all`.execute(db);
    assert.ok(await merchantNamed(MERCHANT.merchantId), 'after DEALLOCATE ALL it is prepared again');

    // Another process changes the result's columns: one attempt fails, the next prepares anew.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('alter table merchants drop column nickname');
    } finally {
      await other.end();
    }
    await assert.rejects(merchantNamed(MERCHANT.merchantId), /cached plan must not change result type/);
    const after = await merchantNamed(MERCHANT.merchantId);
    assert.ok(after && !('nickname' in after));

    // Beyond the bound, further texts run unnamed: the connection's prepared statements stay bounded.
    for (let i = 0; i < 400; i++) await sql`select ${i}::int + ${sql.lit(i)} as n`.execute(db);
    const prepared = await preparedStatements(database);
    assert.ok(prepared.length <= 300 + 10, `${prepared.length} prepared`);
    assert.ok(prepared.length >= 300, `${prepared.length} prepared: the bound is reached, not avoided`);
  } finally {
    await database.close();
    await drop();
  }
});
