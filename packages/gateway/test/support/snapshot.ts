// A summary of everything a request can change in the database, for tests that must show a refused request
// changed nothing: the row count of every table, the sum of every money and counter column, and how many rows
// sit in each state. Tables and columns are read from the database itself, so a new table or counter is covered
// without touching this file. Background work (the delivery dispatcher retrying, the expiry sweeper) changes
// these too: a test comparing snapshots keeps it quiet (no receiver URLs, a long sweep interval).
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/database.ts';

/** `table` → row count, `table.sum(column)` → total, `table.column=value` → rows in that state. */
export type DatabaseSnapshot = Record<string, string>;

/** Money moves through the ledger's running totals; attempts and sends are the counters a request may spend. */
const SUMMED_COLUMN = /^(debits|credits)_|attempts|failures|sends|^count$|version$/;
/** Columns naming where a row is in its life: a status change adds or removes no row. */
const STATE_COLUMN = /^(status|state|auth_step|change_state|ended_by)$/;

interface TableShape {
  readonly name: string;
  readonly summed: readonly string[];
  readonly states: readonly string[];
}

const shapes = new WeakMap<Database, Promise<TableShape[]>>();

function tableShapes(database: Database): Promise<TableShape[]> {
  let found = shapes.get(database);
  if (found === undefined) {
    found = database.db.introspection.getTables().then((tables) => tables
      .map((table) => ({
        name: table.name,
        summed: table.columns.map((c) => c.name).filter((c) => SUMMED_COLUMN.test(c)),
        states: table.columns.map((c) => c.name).filter((c) => STATE_COLUMN.test(c)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)));
    shapes.set(database, found);
  }
  return found;
}

export async function snapshotDatabase(database: Database): Promise<DatabaseSnapshot> {
  const tables = await tableShapes(database);
  // The tables are only known at run time, so the typed schema cannot help here.
  const db = database.db as unknown as Kysely<any>;
  const states = tables.flatMap((table) => table.states.map((column) => ({ table: table.name, column })));
  const [totals, ...counted] = await Promise.all([
    db.selectNoFrom((eb) => tables.flatMap((table) => [
      eb.selectFrom(table.name).select((inner) => inner.fn.countAll().as('n')).as(table.name),
      ...table.summed.map((column) => eb.selectFrom(table.name).select((inner) => inner.fn.sum(column).as('n')).as(`${table.name}.sum(${column})`)),
    ])).executeTakeFirstOrThrow() as Promise<Record<string, unknown>>,
    ...states.map(({ table, column }) => db.selectFrom(table).select([column, (eb) => eb.fn.countAll().as('n')]).groupBy(column).execute()),
  ]);

  const snapshot: DatabaseSnapshot = {};
  for (const [key, value] of Object.entries(totals)) snapshot[key] = value === null ? '0' : String(value);
  states.forEach(({ table, column }, i) => {
    for (const row of counted[i]! as Array<Record<string, unknown>>) snapshot[`${table}.${column}=${String(row[column])}`] = String(row.n);
  });
  return Object.fromEntries(Object.entries(snapshot).sort(([a], [b]) => a.localeCompare(b)));
}
