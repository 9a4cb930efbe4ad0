import type { LogEvent } from 'kysely'
import type { DialectName, Executor, SiteDatabase, WriteTransaction } from '../database.js'
import { registerExecutorDialect } from '../executor-dialect.js'
import { CACHE_GENERATION_TABLE } from '../site-cache.js'

/** Where a PostgreSQL or MariaDB site's database is (site_config's `db_*` keys). */
export interface ServerDatabaseOptions {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string
  readonly password?: string
  /** Connections in the pool; each write transaction holds one until it ends. */
  readonly poolSize?: number
  readonly log?: (event: LogEvent) => void
}

type PoolMethods = Pick<SiteDatabase, 'reader' | 'beginWrite' | 'snapshot' | 'cacheGeneration' | 'close'>

/**
 * What a pooled server engine does the same way: the reader is the pool itself (any connection
 * per query, committed data); each write transaction holds a pooled connection until it ends; a
 * snapshot is a repeatable-read, read-only transaction; the cache generation is one query.
 * `isMissingTable` tells the engine's "no such table" error (a site still being installed).
 */
export function pooledDatabaseMethods(db: Executor & { destroy(): Promise<void> }, dialect: DialectName, isMissingTable: (error: unknown) => boolean): PoolMethods {
  registerExecutorDialect(db, dialect)
  return {
    reader: db,
    async beginWrite(): Promise<WriteTransaction> {
      const tx = await db.startTransaction().execute()
      registerExecutorDialect(tx, dialect)
      return tx
    },
    async snapshot(read) {
      const tx = await db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute()
      try {
        const result = await read(tx)
        await tx.commit().execute()
        return result
      } catch (error) {
        await tx.rollback().execute()
        throw error
      }
    },
    async cacheGeneration() {
      try {
        const rows = await db.selectFrom(CACHE_GENERATION_TABLE).select('generation').execute()
        return Number(rows[0]?.generation ?? 0)
      } catch (error) {
        if (isMissingTable(error)) return 0 // not installed yet: nothing cached can be stale
        throw error
      }
    },
    close: () => db.destroy(),
  }
}
