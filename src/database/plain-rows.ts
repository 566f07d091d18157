import type { PostgreSqlConnection, SqlEntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';

const pools = new WeakMap<object, Promise<Pool>>();

/**
 * A hot read as plain rows: the same statement `em.execute` would run, on the ORM's own `pg` pool (same connections,
 * same type parsers), with the values sent as bind parameters. `em.execute` first formats every value into the SQL
 * text, then runs it through its logger hooks and kysely's executor: on `GET /agents/:id` that path was ~10% of the
 * app's CPU for its two statements (profiled under `npm run bench`). `?` marks a value, as in `em.execute`.
 *
 * Inside a transaction, or with the SQL debug log on (`DB_DEBUG_SQL`), it is `em.execute`: the read then sees the
 * transaction's writes, and the log shows it.
 */
export async function plainRows<T>(em: SqlEntityManager, sql: string, values: readonly unknown[]): Promise<T[]> {
  if (em.getTransactionContext() !== undefined || queryLogOn(em)) return em.execute<T[]>(sql, [...values]);
  return poolRows<T>(em, sql, values);
}

/**
 * The same for a statement that runs on its own, outside any transaction the caller may hold, as
 * `em.getConnection().execute` does (the call merge: one statement, atomic by itself).
 */
export async function standaloneRows<T>(em: SqlEntityManager, sql: string, values: readonly unknown[]): Promise<T[]> {
  if (queryLogOn(em)) return em.getConnection().execute<T[]>(sql, [...values]);
  return poolRows<T>(em, sql, values);
}

function queryLogOn(em: SqlEntityManager): boolean {
  return em.config.getLogger().isEnabled('query');
}

async function poolRows<T>(em: SqlEntityManager, sql: string, values: readonly unknown[]): Promise<T[]> {
  const connection = em.getConnection() as unknown as PostgreSqlConnection;
  let pool = pools.get(connection);
  if (!pool) {
    pool = connection.getNativeClient().catch((error: unknown) => {
      pools.delete(connection);
      throw error;
    });
    pools.set(connection, pool);
  }
  let n = 0;
  const result = await (await pool).query(sql.replace(/\?/g, () => `$${++n}`), values as unknown[]);
  return result.rows as T[];
}
