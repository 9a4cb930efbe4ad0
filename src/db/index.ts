export type {
  ColumnChange,
  DialectName,
  DriverErrorKind,
  DynamicDB,
  ExistingColumn,
  Executor,
  SiteDatabase,
  WriteTransaction,
} from './database.js'
export { createSqliteDatabase, type SqliteOptions } from './dialects/sqlite.js'
export type { ServerDatabaseOptions } from './dialects/server-common.js'
export { createMariadbDatabase, dropMariadbDatabase, ensureMariadbDatabase, type MariadbOptions } from './dialects/mariadb.js'
export { createPostgresDatabase, dropPostgresDatabase, ensurePostgresDatabase, type PostgresOptions } from './dialects/postgres.js'
export { syncCacheGenerationTable, syncCoreTables, syncTable, wantedTable, type SyncReport, type WantedTable } from './schema-sync.js'
export {
  database,
  finishUnitOfWork,
  inTransaction,
  runUnitOfWork,
  type UnitOfWorkOptions,
} from './transaction.js'
export { PreparedQuery, executePrepared } from './prepared.js'
export { dialectOf } from './executor-dialect.js'
export { CACHE_GENERATION_TABLE, cached, noteCachedWrite, registerCachedTableRule, registerCachedTables } from './site-cache.js'
