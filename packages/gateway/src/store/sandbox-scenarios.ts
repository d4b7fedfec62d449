import type { Selectable } from 'kysely';
import type { SandboxScenarioTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export type ScenarioState = 'applied' | 'armed' | 'used' | 'disarmed';

export interface ScenarioRow {
  id: bigint;
  type: string;
  parameters: Record<string, string | number>;
  remaining: number | null;
  state: ScenarioState;
  createdAt: number;
  endedAt: number | null;
}

export interface ScenarioInput {
  type: string;
  parameters: Record<string, string | number>;
  /** What an armed scenario is found by (see takeArmedScenario). */
  key?: { phone?: string; operation?: string; merchantId?: string };
  /** Armed: how many payments or calls it changes. Absent: applied at once. */
  count?: number;
  now: number;
}

export async function insertScenario(tx: Tx, input: ScenarioInput): Promise<ScenarioRow> {
  const row = await tx.insertInto('sandbox_scenarios').values({
    type: input.type,
    parameters: JSON.stringify(input.parameters),
    phone: input.key?.phone ?? null,
    operation: input.key?.operation ?? null,
    merchant_id: input.key?.merchantId ?? null,
    remaining: input.count === undefined ? null : BigInt(input.count),
    state: input.count === undefined ? 'applied' : 'armed',
    created_at: BigInt(input.now),
    ended_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toScenario(row);
}

/** Oldest first. */
export async function listScenarios(tx: Tx): Promise<ScenarioRow[]> {
  return (await tx.selectFrom('sandbox_scenarios').selectAll().orderBy('id').execute()).map(toScenario);
}

/** Disarms one armed scenario; returns it as it now is (unchanged if it was not armed), undefined if unknown. */
export async function disarmScenario(tx: Tx, id: bigint, now: number): Promise<ScenarioRow | undefined> {
  await tx.updateTable('sandbox_scenarios').set({ state: 'disarmed', ended_at: BigInt(now) })
    .where('id', '=', id).where('state', '=', 'armed').execute();
  const row = await tx.selectFrom('sandbox_scenarios').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toScenario(row);
}

/** Forgets every scenario (armed ones stop acting). Returns how many there were. */
export async function deleteAllScenarios(tx: Tx): Promise<number> {
  const result = await tx.deleteFrom('sandbox_scenarios').executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** What the armed scenarios are waiting for: the payments' phones and the operations. */
export async function listArmedKeys(tx: Tx): Promise<Array<{ type: string; phone: string | null; operation: string | null }>> {
  return tx.selectFrom('sandbox_scenarios').select(['type', 'phone', 'operation']).where('state', '=', 'armed').execute();
}

/**
 * Takes one use of the oldest armed scenario of `type` for this phone (payment outcomes) or this operation
 * and merchant (response codes). The decrement is the statement that takes it and is bounded in it
 * (`remaining > 0`), so two concurrent calls never both take the last use.
 */
export async function takeArmedScenario(tx: Tx, type: string,
  key: { phone: string } | { operation: string; merchantId: string }): Promise<ScenarioRow | undefined> {
  const row = await tx.updateTable('sandbox_scenarios')
    .set((eb) => ({
      remaining: eb('remaining', '-', 1n),
      state: eb.case().when('remaining', '<=', 1n).then('used').else('armed').end(),
    }))
    .where('id', '=', (eb) => {
      let armed = eb.selectFrom('sandbox_scenarios').select('id').where('state', '=', 'armed').where('type', '=', type);
      armed = 'phone' in key ? armed.where('phone', '=', key.phone)
        : armed.where('operation', '=', key.operation)
          .where((e) => e.or([e('merchant_id', 'is', null), e('merchant_id', '=', key.merchantId)]));
      return armed.orderBy('id').limit(1);
    })
    .where('state', '=', 'armed')
    .where('remaining', '>', 0n)
    .returningAll()
    .executeTakeFirst();
  return row && toScenario(row);
}

function toScenario(row: Selectable<SandboxScenarioTable>): ScenarioRow {
  return {
    id: BigInt(row.id),
    type: row.type,
    parameters: JSON.parse(row.parameters) as Record<string, string | number>,
    remaining: row.remaining === null ? null : Number(row.remaining),
    state: row.state as ScenarioState,
    createdAt: Number(row.created_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
  };
}
