// Proves the `ovo-tokenize` command as a new user runs it, on SQLite and PostgreSQL: every command creates and migrates a brand-new database, merchants and wallets are provisioned and listed, bad input fails with a clear message, `serve` leaves a CLI-provisioned database alone (no demo merchant) and serves it, prints the demo credentials on an empty one, honours OVO_DB/OVO_PORT/OVO_HOST, and exits 0 on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activationCallbackSignature } from '@ovo-tokenize/protocol';
import { sql } from 'kysely';
import { openDatabase, type DatabaseKind } from '../src/store/database.ts';
import { findMerchant } from '../src/store/merchants.ts';
import { DATABASE_KINDS, createTestDatabaseUrl } from './support/databases.ts';
import { completeLink, refreshTarget, sendRaw, startReceiver } from './support/gateway.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'packages/gateway/bin/ovo-tokenize.js';

/** The environment of a user who set nothing: no OVO_* variable leaks in from the test runner. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OVO_')) env[k] = v;
  return { ...env, ...extra };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// At most this many commands start at once: each is a Node process loading the compiled gateway, and a starved
// machine would turn that into timeouts rather than a faster run.
const STARTS_MAX = 3;
let starting = 0;
const queue: Array<() => void> = [];

async function startSlot(): Promise<() => void> {
  if (starting >= STARTS_MAX) await new Promise<void>((resolve) => queue.push(resolve));
  starting++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    starting--;
    queue.shift()?.();
  };
}

async function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const release = await startSlot();
  try {
    return await runCliNow(args, env);
  } finally {
    release();
  }
}

function runCliNow(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await runCli(args, env);
  assert.equal(run.code, 0, `ovo-tokenize ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

async function fails(args: string[], message: RegExp): Promise<void> {
  const run = await runCli(args);
  assert.notEqual(run.code, 0, `ovo-tokenize ${args.join(' ')} should fail:\n${run.stdout}`);
  assert.match(run.stderr, message, `ovo-tokenize ${args.join(' ')}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'a clear message, not a stack trace');
}

interface Served {
  readonly url: string;
  output(): string;
  /** Sends SIGTERM and resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `serve` until it prints its address. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const release = await startSlot();
  try {
    return await serveNow(args, env);
  } finally {
    release();
  }
}

function serveNow(args: string[], env: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: cleanEnv({ OVO_LOG_LEVEL: 'warn', ...env }) });
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${output}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d;
      const match = /OVO Tokenize gateway listening on (\S+)/.exec(output);
      if (match && /mode: /.test(output)) {
        clearTimeout(timer);
        // Let the remaining start-up lines (demo merchant) arrive.
        setTimeout(() => resolve({
          url: match[1]!,
          output: () => output,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        }), 100);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${output}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A URL for a database that does not exist yet (SQLite: not even its folder). */
async function newDatabase(kind: DatabaseKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ovo-cli-'));
    return { url: `sqlite:${join(dir, 'fresh', 'new.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  return createTestDatabaseUrl('postgres');
}

const GUIDE_JSON = '{"request":"Account Activation OVO OpenAPI","merchant_id":"99999","payment_channel":"720","phone_no":"081382826301","cust_name":"Andrea Hinata","signature":"1d4c5f7246a762c4ab61cd3d399efa4c28978bf3"}';

/** `list` commands, `notifications list` and `wallet add` each work as the first command on a new database. */
async function brandNewDatabase(kind: DatabaseKind): Promise<void> {
  // (`merchant add` and `serve` on a brand-new database are the first steps of provisionThenServe and serveFromEnvironment.)
  const commands = [
    ['merchant', 'list'], ['wallet', 'list'], ['notifications', 'list'],
    ['wallet', 'add', '--phone', '081299990001', '--name', 'First', '--pin', '246810'],
  ];
  await Promise.all(commands.map(async (command) => {
    const db = await newDatabase(kind);
    try {
      const out = await ok([...command, '--db', db.url]);
      if (command[1] === 'list') assert.match(out, /^\(none\)$/m, command.join(' '));
      const database = openDatabase(db.url);
      try {
        const merchants = await database.db.selectFrom('merchants').select('merchant_id').execute();
        const wallets = await database.db.selectFrom('wallets').select('phone').execute();
        assert.deepEqual(merchants.map((m) => m.merchant_id), command[1] === 'add' && command[0] === 'merchant' ? ['12121'] : []);
        assert.deepEqual(wallets.map((w) => w.phone), command[1] === 'add' && command[0] === 'wallet' ? ['081299990001'] : []);
      } finally {
        await database.close();
      }
    } finally {
      await db.drop();
    }
  }));
}

async function provisionThenServe(kind: DatabaseKind): Promise<void> {
  const db = await newDatabase(kind);
  const receiver = await startReceiver();
  try {
    // Every flag, on a merchant of its own.
    const added = await ok(['merchant', 'add', '--id', '77777', '--name', 'Toko CLI', '--user-id', 'bot77777', '--password', 'pw-77777',
      '--callback-url', `${receiver.url}/cb77777`, '--return-url', `${receiver.url}/ret77777`, '--notify-url', `${receiver.url}/notify`,
      '--notify-format', 'xml', '--allow-ip', '127.0.0.1', '--allow-ip', '::1', '--hmac-secret', 'whsec_cli_secret',
      '--pinless-limit', '10000', '--payment-otp', '--max-amount', '5000000', '--db', db.url]);
    assert.match(added, /merchant 77777 added \(Toko CLI\)/);
    assert.doesNotMatch(added, /pw-77777|whsec_cli_secret/, 'secrets are not printed');
    // The guide's credentials, so that the guide's sample request can be sent as printed.
    await ok(['merchant', 'add', '--id', '99999', '--name', 'Guide Shop', '--user-id', 'bot99999', '--password', 'p@ssw0rd',
      '--callback-url', `${receiver.url}/callback`, '--return-url', `${receiver.url}/return`, '--db', db.url]);

    const list = await ok(['merchant', 'list', '--db', db.url]);
    const rows = list.trim().split('\n');
    assert.match(rows[0]!, /^merchant_id\s+name\s+user_id\s+status/);
    const row = rows.find((r) => r.startsWith('77777'));
    assert.ok(row, list);
    for (const part of ['Toko CLI', 'bot77777', 'active', `xml ${receiver.url}/notify`, `${receiver.url}/cb77777`, '10000', '127.0.0.1,::1']) {
      assert.ok(row.includes(part), `merchant list shows ${part}: ${row}`);
    }
    assert.ok(rows.some((r) => r.startsWith('99999') && r.includes('Guide Shop')), list);
    assert.doesNotMatch(list, /p@ssw0rd|pw-77777|whsec_cli_secret/);

    const database = openDatabase(db.url);
    try {
      const stored = await findMerchant(database.db, '77777');
      assert.ok(stored);
      assert.equal(stored.password, 'pw-77777');
      assert.equal(stored.callbackUrl, `${receiver.url}/cb77777`);
      assert.equal(stored.returnUrl, `${receiver.url}/ret77777`);
      assert.equal(stored.notifyUrl, `${receiver.url}/notify`);
      assert.equal(stored.notifyFormat, 'xml');
      assert.deepEqual(stored.allowIps, ['127.0.0.1', '::1']);
      assert.equal(stored.hmacSecret, 'whsec_cli_secret');
      assert.equal(stored.pinlessLimit, 10000n);
      assert.equal(stored.paymentOtp, true);
      assert.equal(stored.maxAmount, 5000000n);
    } finally {
      await database.close();
    }

    assert.match(await ok(['wallet', 'add', '--phone', '+6281382826301', '--name', 'Andrea Hinata', '--pin', '135790', '--cash', '250000', '--points', '1200', '--db', db.url]),
      /wallet 081382826301 added \(Andrea Hinata\): cash 250000, points 1200/);
    const wallets = await ok(['wallet', 'list', '--db', db.url]);
    assert.match(wallets, /^phone\s+name\s+cash\s+points\s+status\s+sandbox$/m);
    assert.match(wallets, /^081382826301\s+Andrea Hinata\s+250000\s+1200\s+active\s+no$/m);

    await Promise.all([
      fails(['wallet', 'add', '--phone', '081382826301', '--name', 'X', '--pin', '123456', '--db', db.url], /wallet for 081382826301 already exists/),
      fails(['merchant', 'add', '--id', '99999', '--name', 'Again', '--user-id', 'bot99999', '--password', 'x', '--db', db.url], /merchant 99999 already exists/),
    ]);

    const port = await freePort();
    const server = await serve(['--port', String(port), '--db', db.url]);
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      assert.doesNotMatch(server.output(), /demo merchant/i);
      assert.match(server.output(), /mode:\s+sandbox/);
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      // The guide's sample, byte for byte: its signature is made with this CLI merchant's credentials.
      const reply = await sendRaw(server.url, '/cvr/100037/10', GUIDE_JSON, { 'content-type': 'application/json' });
      assert.equal(reply.body.response_code, '00', reply.raw);
      // The CLI wallet links with the PIN the CLI set (same pepper in both processes).
      const final = await completeLink(server.url, reply.body.redirectURL, '081382826301', '135790');
      assert.match(final.html, /Account linked/);
      const callback = await receiver.waitFor('/callback');
      assert.equal(callback.query.get('response_code'), '00');
      assert.equal(callback.query.get('signature'), activationCallbackSignature('bot99999', 'p@ssw0rd', '081382826301', '00'));
      assert.ok(refreshTarget(final.html)?.url.startsWith(`${receiver.url}/return?`));
      const check = openDatabase(db.url);
      try {
        const ids = await check.db.selectFrom('merchants').select('merchant_id').orderBy('merchant_id').execute();
        assert.deepEqual(ids.map((m) => m.merchant_id), ['77777', '99999'], 'serve added no merchant, and the refused commands nothing');
      } finally {
        await check.close();
      }
    } finally {
      const ended = await server.stop();
      assert.deepEqual(ended, { code: 0, signal: null }, `SIGTERM ends serve cleanly:\n${server.output()}`);
    }
  } finally {
    await db.drop();
  }
}

async function serveFromEnvironment(kind: DatabaseKind): Promise<void> {
  const db = await newDatabase(kind);
  try {
    const port = await freePort();
    const server = await serve([], { OVO_DB: db.url, OVO_PORT: String(port), OVO_HOST: '127.0.0.1' });
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      await assertDurabilityReported(kind, db.url, server.output());
      assert.match(server.output(), /demo merchant provisioned/);
      assert.match(server.output(), /merchant_id 99999, user_id bot99999, password p@ssw0rd/);
      const reply = await sendRaw(server.url, '/ovo/activation', GUIDE_JSON, { 'content-type': 'application/json' });
      assert.equal(reply.body.response_code, '00', reply.raw);
      assert.ok(String(reply.body.redirectURL).startsWith(`http://127.0.0.1:${port}/activation/`));
      const inbox = await fetch(`${server.url}/sandbox/inbox?phone_no=081382826301`);
      assert.equal(inbox.status, 200);
      await inbox.arrayBuffer();
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.output());
    }
    // OVO_DB names the same database for the other commands.
    const list = await ok(['merchant', 'list'], { OVO_DB: db.url });
    assert.match(list, /^99999\s+Demo Shop\s+bot99999/m);
  } finally {
    await db.drop();
  }
}

/**
 * serve says how its database keeps a commit, as the database itself reports it, and warns exactly when an
 * acknowledged payment could be lost (SQLite is set to FULL by the gateway; the tests' PostgreSQL may be
 * either, so the test asks it too).
 */
async function assertDurabilityReported(kind: DatabaseKind, url: string, output: string): Promise<void> {
  const line = /database: .*$/m.exec(output)?.[0] ?? '';
  let durable: boolean;
  if (kind === 'sqlite') {
    assert.match(line, /journal_mode=wal, synchronous=FULL/);
    durable = true;
  } else {
    const database = openDatabase(url, { poolSize: 1 });
    try {
      const show = async (name: string) => String((await sql<Record<string, string>>`show ${sql.raw(name)}`.execute(database.db)).rows[0]?.[name]);
      const [fsync, synchronousCommit] = [await show('fsync'), await show('synchronous_commit')];
      assert.match(line, new RegExp(`fsync=${fsync}, synchronous_commit=${synchronousCommit}`));
      durable = fsync === 'on' && synchronousCommit !== 'off';
    } finally {
      await database.close();
    }
  }
  assert.equal(/WARNING: the database does not make commits durable/.test(output), !durable, output);
}

// The databases run side by side: each command is a Node process of its own, mostly waiting.
test('the ovo-tokenize command', { concurrency: true }, async (t) => {
  await Promise.all([
    ...DATABASE_KINDS.map((kind) => t.test(kind, async (t) => {
      await t.test('every command creates and migrates a brand-new database', () => brandNewDatabase(kind));
      await t.test('provision with the CLI, then serve that database: no demo merchant, the guide\'s request works', () => provisionThenServe(kind));
      await t.test('serve configured by OVO_DB/OVO_PORT/OVO_HOST on an empty database prints the demo credentials', () => serveFromEnvironment(kind));
    })),
    t.test('bad input fails with a clear message and stores nothing', badInput),
    t.test('serve --no-sandbox refuses the development PIN pepper; with a real one it has no sandbox tools', noSandbox),
  ]);
});

async function badInput(): Promise<void> {
  const db = await newDatabase('sqlite');
  try {
    await Promise.all([
      fails(['wallet', 'add', '--phone', '0812345', '--name', 'X', '--pin', '123456', '--db', db.url], /phone.*Indonesian mobile number/),
      fails(['wallet', 'add', '--phone', '081299990002', '--name', 'X', '--pin', '12345', '--db', db.url], /pin.*must be 6 digits/),
      fails(['merchant', 'add', '--id', '88888', '--name', 'Bad', '--user-id', 'bot', '--password', 'x', '--callback-url', 'ftp://x', '--db', db.url], /callback-url.*http\(s\) URL/),
      fails(['merchant', 'add', '--id', '88888', '--name', 'Bad', '--user-id', 'bot', '--password', 'x', '--allow-ip', 'not-an-ip', '--db', db.url], /allow-ip.*IP address/),
    ]);
    const database = openDatabase(db.url);
    try {
      assert.deepEqual(await database.db.selectFrom('merchants').select('merchant_id').execute(), []);
      assert.deepEqual(await database.db.selectFrom('wallets').select('phone').execute(), []);
    } catch (error) {
      // Refused before opening anything: the database may not even exist, which is just as good.
      if (!/no such table/.test(String(error))) throw error;
    } finally {
      await database.close();
    }
  } finally {
    await db.drop();
  }
}

/** serve --no-sandbox refuses the development PIN pepper, and with a real one has no sandbox tools. */
async function noSandbox(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ovo-cli-'));
  try {
    const url = `sqlite:${join(dir, 'live.sqlite')}`;
    const refused = await runCli(['serve', '--no-sandbox', '--port', '0', '--db', url]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /OVO_PIN_PEPPER/);
    const server = await serve(['--no-sandbox', '--port', String(await freePort()), '--db', url], { OVO_PIN_PEPPER: 'a-long-random-production-pepper-0123456789' });
    try {
      assert.match(server.output(), /mode:\s+production/);
      assert.doesNotMatch(server.output(), /demo merchant/i);
      const inbox = await fetch(`${server.url}/sandbox/inbox?phone_no=081382826301`);
      assert.equal(inbox.status, 404);
      await inbox.arrayBuffer();
      const reply = await sendRaw(server.url, '/cvr/100037/10', GUIDE_JSON, { 'content-type': 'application/json' });
      assert.equal(reply.body.response_code, '03', 'no demo merchant outside sandbox mode');
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
