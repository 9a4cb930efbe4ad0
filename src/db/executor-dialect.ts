import type { DialectName, Executor } from './database.js'

/** The dialect of each executor a site database hands out (its reader and its transactions). */
const dialects = new WeakMap<Executor, DialectName>()

export function registerExecutorDialect(db: Executor, dialect: DialectName): void {
  dialects.set(db, dialect)
}

/**
 * Which engine runs `db`'s queries, for the few conditions that read differently per engine
 * (PostgreSQL's case-sensitive LIKE). An executor no dialect registered (a test's own Kysely) is
 * taken for SQLite, the default engine.
 */
export function dialectOf(db: Executor): DialectName {
  return dialects.get(db) ?? 'sqlite'
}
