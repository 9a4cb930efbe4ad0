import { sql, type ColumnDefinitionBuilder } from 'kysely'
import { CHILD_COLUMNS, OPTIONAL_COLUMNS, tableName, type DocTypeMeta } from '../meta/index.js'
import { CACHE_GENERATION_TABLE } from './site-cache.js'
import type { Executor, SiteDatabase } from './database.js'

/** A column the metadata asks for. */
export interface WantedColumn {
  readonly name: string
  readonly type: string
  readonly notNull: boolean
  readonly defaultValue: number | undefined
  readonly primaryKey: boolean
}

export interface WantedIndex {
  readonly name: string
  readonly column: string
  readonly unique: boolean
}

export interface WantedTable {
  readonly table: string
  readonly columns: readonly WantedColumn[]
  readonly indexes: readonly WantedIndex[]
}

export interface SyncReport {
  readonly table: string
  readonly created: boolean
  readonly addedColumns: readonly string[]
  readonly changedColumns: readonly string[]
  readonly addedIndexes: readonly string[]
}

const NOT_NULL_KINDS = new Set(['int', 'bigint', 'check', 'decimal', 'rating'])
const INDEXABLE_KINDS = new Set(['varchar', 'int', 'bigint', 'check', 'decimal', 'rating', 'date', 'datetime', 'time'])

const column = (name: string, type: string, extra: Partial<WantedColumn> = {}): WantedColumn => ({
  name,
  type,
  notNull: false,
  defaultValue: undefined,
  primaryKey: false,
  ...extra,
})

/** The table a DocType needs (spec 6.1, 7.4); undefined for Singles and virtual DocTypes. */
export function wantedTable(meta: DocTypeMeta, database: SiteDatabase): WantedTable | undefined {
  if (meta.issingle || meta.isVirtual) return undefined
  const table = tableName(meta.name)
  const varchar = database.columnType('varchar', undefined)
  const integer = database.columnType('int', undefined)
  const nameType = meta.autoname === 'autoincrement' ? database.columnType('bigint', undefined) : varchar
  const columns: WantedColumn[] = [
    column('name', nameType, { primaryKey: true, notNull: true }),
    column('creation', database.columnType('datetime', undefined)),
    column('modified', database.columnType('datetime', undefined)),
    column('modified_by', varchar),
    column('owner', varchar),
    column('docstatus', integer, { notNull: true, defaultValue: 0 }),
    column('idx', integer, { notNull: true, defaultValue: 0 }),
  ]
  const indexes: WantedIndex[] = []
  if (meta.istable) {
    columns.push(...CHILD_COLUMNS.map((name) => column(name, varchar)))
    indexes.push({ name: `${table}_parent_index`, column: 'parent', unique: false })
  } else {
    const text = database.columnType('text', undefined)
    columns.push(...OPTIONAL_COLUMNS.map((name) => column(name, text)))
    if (meta.definition.track_seen) columns.push(column('_seen', text))
    indexes.push({ name: `${table}_modified_index`, column: 'modified', unique: false })
  }
  for (const { field, kind } of meta.columns) {
    const notNull = NOT_NULL_KINDS.has(kind)
    const parsedDefault = Number(field.default)
    columns.push(
      column(field.fieldname, database.columnType(kind, field), {
        notNull,
        defaultValue: notNull ? (Number.isFinite(parsedDefault) ? parsedDefault : 0) : undefined,
      }),
    )
    if (!INDEXABLE_KINDS.has(kind)) continue
    if (field.unique) indexes.push({ name: `${table}_${field.fieldname}_unique`, column: field.fieldname, unique: true })
    else if (field.search_index) indexes.push({ name: `${table}_${field.fieldname}_index`, column: field.fieldname, unique: false })
  }
  return { table, columns, indexes }
}

function defineColumn(wanted: WantedColumn) {
  return (builder: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    let result = builder
    if (wanted.primaryKey) result = result.primaryKey()
    if (wanted.notNull) result = result.notNull()
    if (wanted.defaultValue !== undefined) result = result.defaultTo(wanted.defaultValue)
    return result
  }
}

async function createTable(db: Executor, name: string, columns: readonly WantedColumn[]): Promise<void> {
  let builder = db.schema.createTable(name)
  for (const wanted of columns) builder = builder.addColumn(wanted.name, sql.raw(wanted.type), defineColumn(wanted))
  await builder.execute()
}

/**
 * Brings a DocType's table in line with its metadata: creates it, adds missing columns and
 * indexes, and changes column types in place. Never drops a column: a removed field keeps its
 * data, as Frappe does.
 */
export async function syncTable(db: Executor, database: SiteDatabase, meta: DocTypeMeta): Promise<SyncReport | undefined> {
  const wanted = wantedTable(meta, database)
  if (!wanted) return undefined
  const existing = await database.listColumns(db, wanted.table)
  const report = { table: wanted.table, created: existing.length === 0, addedColumns: [] as string[], changedColumns: [] as string[], addedIndexes: [] as string[] }

  if (report.created) {
    await createTable(db, wanted.table, wanted.columns)
  } else {
    const existingByName = new Map(existing.map((found) => [found.name, found]))
    for (const want of wanted.columns) {
      const found = existingByName.get(want.name)
      if (!found) {
        await db.schema.alterTable(wanted.table).addColumn(want.name, sql.raw(want.type), defineColumn(want)).execute()
        report.addedColumns.push(want.name)
      } else if (!want.primaryKey && (!database.sameColumnType(found.type, want.type) || found.notNull !== want.notNull)) {
        report.changedColumns.push(want.name)
      }
    }
    if (report.changedColumns.length > 0) {
      const wantedNames = new Set(wanted.columns.map((want) => want.name))
      // Columns of removed fields come along unchanged, so their data survives.
      const leftovers = existing
        .filter((found) => !wantedNames.has(found.name))
        .map((found) => column(found.name, found.type || database.columnType('text', undefined)))
      const all = [...wanted.columns, ...leftovers]
      const changes = wanted.columns.filter((want) => report.changedColumns.includes(want.name))
      await database.changeColumnTypes(db, wanted.table, (name) => createTable(db, name, all), existing.map((found) => found.name), changes)
    }
  }

  const indexes = new Set(await database.listIndexes(db, wanted.table))
  for (const index of wanted.indexes) {
    if (indexes.has(index.name)) continue
    let builder = db.schema.createIndex(index.name).on(wanted.table).column(index.column)
    if (index.unique) builder = builder.unique()
    await builder.execute()
    report.addedIndexes.push(index.name)
  }
  return report
}

/** The one-row counter of `site-cache.ts`; sites made before it existed get it when they open. */
export async function syncCacheGenerationTable(db: Executor, database: SiteDatabase): Promise<void> {
  await db.schema
    .createTable(CACHE_GENERATION_TABLE)
    .ifNotExists()
    .addColumn('generation', sql.raw(database.columnType('bigint', undefined)), (c) => c.notNull().defaultTo(0))
    .execute()
  const row = await db.selectFrom(CACHE_GENERATION_TABLE).select('generation').executeTakeFirst()
  if (!row) await db.insertInto(CACHE_GENERATION_TABLE).values({ generation: 0 }).execute()
}

/** Tables that belong to the framework rather than to a DocType (spec 7.5, 8). */
export async function syncCoreTables(db: Executor, database: SiteDatabase): Promise<void> {
  await syncCacheGenerationTable(db, database)
  const varchar = database.columnType('varchar', undefined)
  const longtext = database.columnType('longtext', undefined)
  await db.schema
    .createTable('tabSingles')
    .ifNotExists()
    .addColumn('doctype', sql.raw(varchar), (c) => c.notNull())
    .addColumn('field', sql.raw(varchar), (c) => c.notNull())
    .addColumn('value', sql.raw(longtext))
    .addPrimaryKeyConstraint('tabSingles_pkey', ['doctype', 'field'])
    .execute()
  await db.schema
    .createTable('tabSeries')
    .ifNotExists()
    .addColumn('name', sql.raw(database.columnType('varchar', { fieldname: 'name', fieldtype: 'Data', length: 100 })), (c) => c.primaryKey())
    .addColumn('current', sql.raw(database.columnType('bigint', undefined)), (c) => c.notNull().defaultTo(0))
    .execute()
  // Password fields are stored here, hashed, never in their own column (spec 6.6).
  await db.schema
    .createTable('__Auth')
    .ifNotExists()
    .addColumn('doctype', sql.raw(varchar), (c) => c.notNull())
    .addColumn('name', sql.raw(varchar), (c) => c.notNull())
    .addColumn('fieldname', sql.raw(varchar), (c) => c.notNull())
    .addColumn('password', sql.raw(database.columnType('text', undefined)), (c) => c.notNull())
    .addPrimaryKeyConstraint('__Auth_pkey', ['doctype', 'name', 'fieldname'])
    .execute()
  // Login sessions (spec 5.1); `sid` holds a SHA-256 of the session id, never the id itself.
  await db.schema
    .createTable('tabSessions')
    .ifNotExists()
    .addColumn('sid', sql.raw(varchar), (c) => c.primaryKey())
    .addColumn('user', sql.raw(varchar), (c) => c.notNull())
    .addColumn('sessiondata', sql.raw(longtext))
    .addColumn('ipaddress', sql.raw(varchar))
    .addColumn('lastupdate', sql.raw(database.columnType('datetime', undefined)), (c) => c.notNull())
    .addColumn('status', sql.raw(varchar))
    .addColumn('device', sql.raw(varchar))
    .execute()
  await db.schema.createIndex('tabSessions_user').ifNotExists().on('tabSessions').column('user').execute()
}
