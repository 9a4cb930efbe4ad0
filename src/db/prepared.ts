import type { Compilable, CompiledQuery, QueryResult } from 'kysely'
import type { Executor } from './database.js'

/**
 * A query built and compiled by Kysely once, then run many times with new values: the SQL
 * text is kept and only the parameters change, in the order the builder bound them. Hot paths
 * (loading a document by name) use it instead of building and compiling the same query on every
 * request; run it with `executePrepared`.
 *
 * @example
 * const byName = PreparedQuery.of(db.selectFrom('tabNote').selectAll().where('name', '=', ''))
 * const { rows } = await executePrepared(db, byName.with('NOTE-0001'))
 */
export class PreparedQuery<R> {
  private constructor(private readonly compiled: CompiledQuery<R>) {}

  static of<R>(query: Compilable<R>): PreparedQuery<R> {
    return new PreparedQuery(query.compile())
  }

  with(...parameters: unknown[]): CompiledQuery<R> {
    const { sql, query, queryId } = this.compiled
    if (parameters.length !== this.compiled.parameters.length) {
      throw new Error(`The prepared query takes ${this.compiled.parameters.length} values, not ${parameters.length}: ${sql}`)
    }
    return { sql, query, queryId, parameters }
  }
}

/** Runs a query on the executor's connection at once, or answers undefined when it cannot (the executor has ended). */
type DirectRunner = <R>(query: CompiledQuery) => QueryResult<R> | undefined

/** Executors whose driver can run a query synchronously on a connection they own (SQLite's reader and open transactions). */
const directRunners = new WeakMap<Executor, DirectRunner>()

export function registerDirectRunner(db: Executor, run: DirectRunner): void {
  directRunners.set(db, run)
}

/**
 * Runs a compiled query on `db`. Where the dialect registered a direct runner (SQLite), it
 * skips Kysely's per-query pipeline of connection hand-overs and a dozen promises, which costs
 * more than the indexed read itself; elsewhere it is `db.executeQuery`.
 */
export function executePrepared<R>(db: Executor, query: CompiledQuery<R>): Promise<QueryResult<R>> {
  const direct = directRunners.get(db)
  if (!direct) return db.executeQuery(query)
  try {
    const result = direct<R>(query)
    return result ? Promise.resolve(result) : db.executeQuery(query)
  } catch (error) {
    return Promise.reject(error as Error)
  }
}
