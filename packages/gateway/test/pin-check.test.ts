// Proves the one PIN lockout shared by every page: parallel checks never exceed the limit, a check that only
// waits its turn locks nothing, and reservations left by checks that died are counted as failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayContext } from '../src/context.ts';
import { hashPin } from '../src/domain/pin.ts';
import { startGateway } from '../src/server.ts';
import { checkWalletPin } from '../src/services/challenge-flow.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { PIN_RESERVATION_STALE_MS, findWallet, insertWallet, recordPinSuccess, reservePinAttempt } from '../src/store/wallets.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const PIN = '246810';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: twelve correct PINs at once lock nothing; the overflow is asked to try again`, async () => {
    await withWallet(kind, async (ctx, walletId) => {
      const wallet = (await findWallet(ctx.database.db, walletId))!;
      const checks = await Promise.all(Array.from({ length: 12 }, () => checkWalletPin(ctx, wallet, PIN)));
      const kinds = checks.map((c) => c.kind);
      assert.ok(kinds.every((k) => k === 'ok' || k === 'busy'), `unexpected results ${kinds.join(',')}`);
      assert.ok(kinds.filter((k) => k === 'ok').length >= 1 && kinds.filter((k) => k === 'ok').length <= 5);
      // Callers record the success; the wallet then is neither locked nor short of attempts.
      await recordPinSuccess(ctx.database.db, walletId);
      const after = (await findWallet(ctx.database.db, walletId))!;
      assert.equal(after.pinLockedUntil, null);
      assert.equal(after.pinFailures, 0);
      assert.equal((await checkWalletPin(ctx, after, PIN)).kind, 'ok');
    });
  });

  test(`${kind}: twelve wrong PINs at once check at most five and lock the wallet`, async () => {
    await withWallet(kind, async (ctx, walletId) => {
      const wallet = (await findWallet(ctx.database.db, walletId))!;
      const checks = await Promise.all(Array.from({ length: 12 }, () => checkWalletPin(ctx, wallet, '000000')));
      assert.ok(checks.filter((c) => c.kind === 'wrong').length <= 4, 'the fifth wrong PIN locks instead of answering wrong');
      assert.equal(checks.filter((c) => c.kind === 'ok').length, 0);
      const after = (await findWallet(ctx.database.db, walletId))!;
      assert.ok(after.pinLockedUntil !== null && after.pinLockedUntil > ctx.clock.now());
      assert.equal((await checkWalletPin(ctx, after, PIN)).kind, 'locked', 'even the right PIN is refused while locked');
    });
  });

  test(`${kind}: reservations of checks that died are failures once they are stale`, async () => {
    let now = Date.UTC(2026, 0, 5, 3, 0, 0);
    await withWallet(kind, async (ctx, walletId) => {
      const limits = { attemptsMax: ctx.config.pin_attempts_max, lockS: ctx.config.pin_lock_s };
      for (let i = 0; i < limits.attemptsMax; i++) assert.equal(await reservePinAttempt(ctx.database.db, walletId, now, limits), 'reserved');
      const wallet = (await findWallet(ctx.database.db, walletId))!;
      assert.equal((await checkWalletPin(ctx, wallet, PIN)).kind, 'busy', 'five checks in flight: wait, do not lock');
      assert.equal((await findWallet(ctx.database.db, walletId))!.pinLockedUntil, null);
      now += PIN_RESERVATION_STALE_MS + 1;
      assert.equal((await checkWalletPin(ctx, wallet, PIN)).kind, 'locked', 'nobody finished them: they count as failures');
      now += limits.lockS * 1000;
      assert.equal((await checkWalletPin(ctx, (await findWallet(ctx.database.db, walletId))!, PIN)).kind, 'ok', 'the lock runs out');
    }, () => now);
  });
}

async function withWallet(kind: (typeof DATABASE_KINDS)[number], work: (ctx: GatewayContext, walletId: bigint) => Promise<void>,
  now: () => number = () => Date.now()): Promise<void> {
  const database = await openTestDatabase(kind);
  const gateway = await startGateway({ database, listen: false, clock: { now }, config: { sandbox: false, pinPepper: 'test-pepper' } });
  try {
    const pinHash = await hashPin(PIN, gateway.ctx.config.pinPepper);
    const wallet = await inTransaction(database, (tx) => insertWallet(tx, {
      phone: '081298765432', name: 'Sari', pinHash, cash: 0n, points: 0n, sandbox: false,
    }, now()));
    await work(gateway.ctx, wallet.id);
  } finally {
    await gateway.close();
    await database.close();
  }
}
