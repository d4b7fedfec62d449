import type { Selectable } from 'kysely';
import type { Link } from '../domain/link.ts';
import type { LinkTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export async function findActiveLink(tx: Tx, merchantId: string, walletId: bigint): Promise<Link | undefined> {
  const row = await tx.selectFrom('links').selectAll()
    .where('merchant_id', '=', merchantId).where('wallet_id', '=', walletId).where('status', '=', 'active')
    .executeTakeFirst();
  return row && toLink(row);
}

export async function listActiveLinksOfWallet(tx: Tx, walletId: bigint): Promise<Link[]> {
  const rows = await tx.selectFrom('links').selectAll()
    .where('wallet_id', '=', walletId).where('status', '=', 'active').orderBy('id').execute();
  return rows.map(toLink);
}

/** Replaces any live link between the two with a fresh one. */
export async function createLink(tx: Tx, link: { merchantId: string; walletId: bigint; phoneVersion: bigint; now: number; ttlS: number }): Promise<Link> {
  await endLink(tx, link.merchantId, link.walletId, 'relinked', link.now);
  const row = await tx.insertInto('links').values({
    merchant_id: link.merchantId,
    wallet_id: link.walletId,
    phone_version: link.phoneVersion,
    status: 'active',
    created_at: BigInt(link.now),
    expires_at: BigInt(link.now + link.ttlS * 1000),
    ended_at: null,
    ended_by: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toLink(row);
}

/** Ends the live link, if any. Returns whether there was one. */
export async function endLink(tx: Tx, merchantId: string, walletId: bigint, endedBy: string, now: number): Promise<boolean> {
  const result = await tx.updateTable('links').set({ status: 'ended', ended_at: BigInt(now), ended_by: endedBy })
    .where('merchant_id', '=', merchantId).where('wallet_id', '=', walletId).where('status', '=', 'active')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Makes the live link, if any, run out now (as if its validity period had passed). Returns whether there was one. */
export async function expireLinkNow(tx: Tx, merchantId: string, walletId: bigint, now: number): Promise<boolean> {
  const result = await tx.updateTable('links').set({ expires_at: BigInt(now) })
    .where('merchant_id', '=', merchantId).where('wallet_id', '=', walletId).where('status', '=', 'active')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function toLink(row: Selectable<LinkTable>): Link {
  return {
    id: BigInt(row.id),
    merchantId: row.merchant_id,
    walletId: BigInt(row.wallet_id),
    phoneVersion: BigInt(row.phone_version),
    status: row.status === 'active' ? 'active' : 'ended',
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    endedBy: row.ended_by,
  };
}
