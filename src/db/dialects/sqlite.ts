import BetterSqlite3 from 'better-sqlite3'
import { CompiledQuery, Kysely, sql, type LogEvent } from 'kysely'
import type { ColumnKind, DocField } from '../../meta/index.js'
import { CACHE_GENERATION_TABLE } from '../site-cache.js'
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js'
import { BetterSqliteDialect } from './sqlite-driver.js'
import type { DriverErrorKind, DynamicDB, ExistingColumn, Executor, SiteDatabase } from '../database.js'
import { registerDirectRunner } from '../prepared.js'

/** SQLite's identifier quoting, for the table rebuild only; everything else goes through Kysely. */
function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}

function open(file: string, readonly: boolean): BetterSqlite3.Database {
  const database = new BetterSqlite3(file, { readonly, fileMustExist: readonly })
  // The writer's lock waits are retried by the driver between event-loop turns, never by sleeping here.
  database.pragma(`busy_timeout = ${readonly ? 5000 : 0}`)
  // Pages are read through a memory map rather than a read() system call each.
  database.pragma('mmap_size = 268435456')
  if (!readonly) {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL') // WAL + NORMAL: durable against a process crash
    database.pragma('wal_autocheckpoint = 0') // see sqlite-checkpointer.ts
    database.pragma('foreign_keys = OFF')
  }
  return database
}

const COLUMN_TYPES: Record<ColumnKind, string> = {
  varchar: 'varchar',
  int: 'integer',
  bigint: 'bigint',
  check: 'integer',
  decimal: 'decimal(21,9)',
  rating: 'decimal(3,2)',
  date: 'date',
  datetime: 'datetime(6)',
  time: 'time(6)',
  text: 'text',
  longtext: 'longtext',
  json: 'text', // a `json` column would get NUMERIC affinity and turn "123" into 123
}

export interface SqliteOptions {
  readonly file: string
  readonly log?: (event: LogEvent) => void
  /** Where the background checkpoint reports a failure. */
  readonly onBackgroundError?: (message: string) => void
}

/**
 * SQLite allows one writer. One connection writes (its transactions queue in this process and
 * take the file's write lock with BEGIN IMMEDIATE, so processes sharing the file take turns);
 * another reads committed data through WAL, so a request that awaits
 * inside a write transaction never stalls reads, and nobody sees its uncommitted rows.
 */
export function createSqliteDatabase(options: SqliteOptions): SiteDatabase {
  const writerConnection = open(options.file, false)
  const readerConnection = open(options.file, true)
  const readerDialect = new BetterSqliteDialect(readerConnection, 'reader')
  let checkpointer: Checkpointer | undefined
  // Around each commit of the writer: end the reader's turn snapshot (so the checkpoint is not
  // held back and what follows reads the commit), and start the checkpointer on the first one
  // (a database that is only read has no WAL to copy back).
  const aroundWriterCommit = (): void => {
    readerDialect.endTurnSnapshot()
    checkpointer ??= startCheckpointer(options.file, options.onBackgroundError ?? ((message) => console.error(`checkpoint ${options.file}: ${message}`)))
  }
  const writerDialect = new BetterSqliteDialect(writerConnection, 'writer', aroundWriterCommit)
  const writer = new Kysely<DynamicDB>({ dialect: writerDialect, log: options.log })
  const reader = new Kysely<DynamicDB>({ dialect: readerDialect, log: options.log })
  // Prepared queries run on the connections directly (prepared.ts), unless Kysely logs the SQL.
  if (!options.log) registerDirectRunner(reader, (query) => readerDialect.runNow(query))

  // Compiled once: this read is on every request's path.
  const generationQuery = CompiledQuery.raw(`select generation from ${quoteIdentifier(CACHE_GENERATION_TABLE)}`)
  return {
    dialect: 'sqlite',
    reader,
    async beginWrite() {
      const tx = await writer.startTransaction().execute()
      // An open transaction holds the writer connection until it ends, so its queries may run on it directly.
      if (!options.log) registerDirectRunner(tx, (query) => (tx.isCommitted || tx.isRolledBack ? undefined : writerDialect.runNow(query)))
      return tx
    },
    columnType(kind: ColumnKind, field: DocField | undefined) {
      return kind === 'varchar' ? `varchar(${field?.length || 140})` : COLUMN_TYPES[kind]
    },
    async listTables(db: Executor): Promise<string[]> {
      const result = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
      return result.rows.map((row) => row.name)
    },
    // A connection of its own in a deferred transaction: WAL keeps its snapshot while writers go on.
    async snapshot(read) {
      const connection = open(options.file, true)
      const db = new Kysely<DynamicDB>({ dialect: new BetterSqliteDialect(connection, 'snapshot') })
      try {
        connection.exec('begin')
        connection.prepare('select count(*) from sqlite_master').get() // the snapshot starts at the first read
        return await read(db)
      } finally {
        if (connection.inTransaction) connection.exec('commit')
        await db.destroy()
      }
    },
    async listColumns(db: Executor, table: string): Promise<ExistingColumn[]> {
      const result = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null }>`
        select name, type, "notnull", dflt_value from pragma_table_info(${table})`.execute(db)
      return result.rows.map((row) => ({
        name: row.name,
        type: row.type,
        notNull: row.notnull === 1,
        defaultValue: row.dflt_value,
      }))
    },
    async listIndexes(db: Executor, table: string): Promise<string[]> {
      const result = await sql<{ name: string }>`select name from pragma_index_list(${table})`.execute(db)
      return result.rows.map((row) => row.name)
    },
    sameColumnType: (existing, wanted) => existing.toLowerCase() === wanted.toLowerCase(),
    // SQLite cannot alter a column's type: copy the rows into a new table and swap the names.
    async changeColumnTypes(db, table, createTable, keptColumns) {
      const temporary = `${table}__rebuild`
      const kept = keptColumns.map(quoteIdentifier).join(', ')
      await createTable(temporary)
      await sql.raw(`insert into ${quoteIdentifier(temporary)} (${kept}) select ${kept} from ${quoteIdentifier(table)}`).execute(db)
      await sql.raw(`drop table ${quoteIdentifier(table)}`).execute(db)
      await sql.raw(`alter table ${quoteIdentifier(temporary)} rename to ${quoteIdentifier(table)}`).execute(db)
    },
    classifyError(error: unknown): DriverErrorKind {
      const code = (error as { code?: unknown } | null)?.code
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { kind: 'duplicate_primary_key' }
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
        // The code says what happened; the message only names the column: "…: tabX.field".
        const column = /\.([A-Za-z0-9_]+)$/.exec(String((error as Error).message))?.[1]
        return column === 'name' ? { kind: 'duplicate_primary_key' } : { kind: 'unique_violation', column }
      }
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { kind: 'lock_timeout' }
      return { kind: 'other' }
    },
    cacheGeneration() {
      try {
        const { rows } = readerDialect.runNow<{ generation: number }>(generationQuery)
        return Number(rows[0]?.generation ?? 0)
      } catch {
        return 0 // a site still being installed has no generation row; nothing cached can be stale yet
      }
    },
    async close() {
      await checkpointer?.stop()
      await reader.destroy()
      await writer.destroy()
    },
  }
}
