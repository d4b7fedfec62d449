// Named (prepared) statements on PostgreSQL. Kysely's driver sends every query as `client.query(sql, values)`,
// which node-postgres parses and plans anew each time. Sent as `{ name, text, values }`, a statement is parsed
// once per connection and then only bound and executed; node-postgres remembers per connection which names it
// has parsed. The name is a hash of the SQL text, so every connection of the pool uses the same names.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/**
 * SQL texts named per generation (below); a further text runs unnamed. It bounds the statements each
 * connection keeps prepared without ever deallocating one: the gateway's texts are a few hundred at most (a
 * list `in ($1, …)` of each length is one), and they all come early in a process's life.
 */
const NAMED_TEXTS_MAX = 300;
/** After this many named statements went stale, the pool stops naming: something keeps dropping them. */
const STALE_FAILURES_MAX = 5;
/**
 * How a named statement fails when its prepared copy no longer fits: `0A000` when a schema change altered the
 * columns it returns ("cached plan must not change result type"), `26000` when it is gone (DEALLOCATE, DISCARD,
 * a connection pooler in between), `42P05` when a pooler hands the name to a server connection that has it.
 */
const STALE_CODES = new Set(['0A000', '26000', '42P05']);
/** A statement that may change the schema: statements prepared before it may return other columns now. */
const SCHEMA_CHANGE = /^\s*(create|alter|drop|truncate|comment|discard|deallocate)\b/i;

/**
 * The pool as Kysely's PostgresDialect takes it, sending statements that carry parameters as named ones. Only
 * those: a statement with parameters goes over the extended protocol anyway, which holds exactly one statement,
 * while a text without any may hold several (migrations) and goes unchanged.
 */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  let generation = 0;
  let staleFailures = 0;
  let names = new Map<string, string>();
  /** A new generation gives every text a new name: each connection prepares it afresh on its next use. */
  const newGeneration = () => {
    generation += 1;
    names = new Map();
  };
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < NAMED_TEXTS_MAX && staleFailures < STALE_FAILURES_MAX) {
      name = `ovo_${generation}_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
      names.set(text, name);
    }
    return name;
  };
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // Kysely passes a cursor instead of SQL text only to stream, which needs a `cursor` in the dialect's config,
    // and the gateway gives none.
    query: (async (text: string, values: readonly unknown[] = []) => {
      if (SCHEMA_CHANGE.test(text)) newGeneration();
      const name = values.length > 0 ? nameOf(text) : undefined;
      if (name === undefined) return client.query(text, [...values]);
      try {
        return await client.query({ name, text, values: [...values] });
      } catch (error) {
        // Changed by another process (a newer gateway's migration) or dropped: this attempt fails (its
        // transaction is aborted anyway), the next one prepares it again under a new name.
        if (STALE_CODES.has((error as { code?: string }).code ?? '') && names.get(text) === name) {
          staleFailures += 1;
          newGeneration();
        }
        throw error;
      }
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (wrapped === undefined) {
        wrapped = wrap(client);
        // Kysely keeps its connection per client object: the same one must come back for the same connection.
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}
