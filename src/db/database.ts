import type { ControlledTransaction, Kysely } from 'kysely'
import type { ColumnKind, DocField } from '../meta/index.js'

/** Tables are named at run time from metadata, so the schema type is open. */
export type DynamicDB = Record<string, Record<string, unknown>>

/** A handle that runs queries: the site's reader, or the request's open transaction. */
export type Executor = Kysely<DynamicDB>

export type WriteTransaction = ControlledTransaction<DynamicDB>

export type DialectName = 'sqlite' | 'postgres' | 'mariadb'

/** A column as the database reports it. */
export interface ExistingColumn {
  readonly name: string
  readonly type: string
  readonly notNull: boolean
  readonly defaultValue: string | null
}

/** What a driver error means, decided by the driver's error code. */
export type DriverErrorKind =
  | { readonly kind: 'duplicate_primary_key' }
  | { readonly kind: 'unique_violation'; readonly column: string | undefined }
  | { readonly kind: 'lock_timeout' }
  | { readonly kind: 'deadlock' }
  /** The server cannot be reached, or dropped the connection. */
  | { readonly kind: 'unavailable' }
  /** The engine refused a value for its column type (text with NUL, a malformed number or date). */
  | { readonly kind: 'invalid_value' }
  | { readonly kind: 'other' }

/** A column whose type or nullability schema sync changes. */
export interface ColumnChange {
  readonly name: string
  readonly type: string
  readonly notNull: boolean
  readonly defaultValue: number | undefined
}

/**
 * The dialect boundary: everything that differs between SQLite, PostgreSQL and MariaDB.
 * Each file in `dialects/` builds one of these.
 */
export interface SiteDatabase {
  readonly dialect: DialectName
  /** Sees committed data only; never holds a transaction across awaits. */
  readonly reader: Executor
  /** Opens a write transaction (on SQLite: waits for the single writer). */
  beginWrite(): Promise<WriteTransaction>
  /** The SQL column type for a field's storage kind. */
  columnType(kind: ColumnKind, field: DocField | undefined): string
  /** Every table of the site's database (DocTypes' and the framework's), for backups. */
  listTables(db: Executor): Promise<string[]>
  /**
   * Runs `read` on one consistent snapshot of the committed data, however long it takes and
   * without holding writers back (a backup).
   */
  snapshot<T>(read: (db: Executor) => Promise<T>): Promise<T>
  /** Columns of a table, or an empty list when it does not exist. */
  listColumns(db: Executor, table: string): Promise<ExistingColumn[]>
  listIndexes(db: Executor, table: string): Promise<string[]>
  /** Whether an existing column's declared type already matches the wanted one. */
  sameColumnType(existing: string, wanted: string): boolean
  /**
   * Changes column types in place, keeping every row. `createTable(name)` creates a table of
   * the wanted shape under another name and `keptColumns` are the columns to copy across (for
   * an engine that rebuilds the table, SQLite); `changes` are the columns that differ (for one
   * that alters them in place).
   */
  changeColumnTypes(
    db: Executor,
    table: string,
    createTable: (name: string) => Promise<void>,
    keptColumns: readonly string[],
    changes: readonly ColumnChange[],
  ): Promise<void>
  classifyError(error: unknown): DriverErrorKind
  /**
   * The committed value of the cache generation row (`site-cache.ts`), read once per event-loop
   * turn, so kept cheap: a number at once where the driver is synchronous (SQLite).
   */
  cacheGeneration(): number | Promise<number>
  close(): Promise<void>
}
