import type { Selectable, Updateable } from 'kysely';
import type { LinkSession, LinkSessionState } from '../domain/link-session.ts';
import { deleteChallengesOf } from './challenges.ts';
import type { LinkSessionTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export async function insertLinkSession(tx: Tx, s: {
  id: string; merchantId: string; phone: string; custName: string; walletId: bigint | null; now: number; ttlS: number;
}): Promise<LinkSession> {
  const row = await tx.insertInto('link_sessions').values({
    id: s.id,
    merchant_id: s.merchantId,
    phone: s.phone,
    cust_name: s.custName,
    wallet_id: s.walletId,
    state: 'open',
    result_code: null,
    result_desc: null,
    expires_at: BigInt(s.now + s.ttlS * 1000),
    created_at: BigInt(s.now),
    finished_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toLinkSession(row);
}

export async function findLinkSession(tx: Tx, id: string): Promise<LinkSession | undefined> {
  const row = await tx.selectFrom('link_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toLinkSession(row);
}

/**
 * Applies `changes` only if the session is still in `expected.state`, so two racing requests cannot both
 * move it. Returns whether it applied.
 */
export async function updateLinkSession(tx: Tx, id: string, expected: { state: LinkSessionState },
  changes: Updateable<LinkSessionTable>): Promise<boolean> {
  const result = await tx.updateTable('link_sessions').set(changes).where('id', '=', id).where('state', '=', expected.state)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Sessions abandoned before they finished, for the sweeper to fail (and tell the merchant). */
export async function listExpiredLinkSessions(tx: Tx, now: number, limit: number): Promise<LinkSession[]> {
  const rows = await tx.selectFrom('link_sessions').selectAll()
    .where('state', '=', 'open').where('expires_at', '<=', BigInt(now)).limit(limit).execute();
  return rows.map(toLinkSession);
}

function toLinkSession(row: Selectable<LinkSessionTable>): LinkSession {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    phone: row.phone,
    custName: row.cust_name,
    walletId: row.wallet_id === null ? null : BigInt(row.wallet_id),
    state: row.state as LinkSessionState,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

/** Deletes sessions that finished long ago, with their challenges; the merchant was told at the time. Returns how many. */
export async function deleteFinishedLinkSessions(tx: Tx, expiredBefore: number): Promise<number> {
  const deleted = await tx.deleteFrom('link_sessions').where('state', 'in', ['linked', 'failed'])
    .where('expires_at', '<', BigInt(expiredBefore)).returning('id').execute();
  await deleteChallengesOf(tx, deleted.map((row) => row.id));
  return deleted.length;
}
