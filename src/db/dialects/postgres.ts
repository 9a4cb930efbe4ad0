import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import Cursor from 'pg-cursor'
import type { ColumnKind, DocField } from '../../meta/index.js'
import type { DriverErrorKind, DynamicDB, ExistingColumn, Executor, SiteDatabase } from '../database.js'
import { pooledDatabaseMethods, type ServerDatabaseOptions } from './server-common.js'

export type PostgresOptions = ServerDatabaseOptions

/** Spec 7.4's PostgreSQL column per storage kind (Frappe v15). */
const COLUMN_TYPES: Record<ColumnKind, string> = {
  varchar: 'varchar',
  int: 'bigint',
  bigint: 'bigint',
  check: 'smallint',
  decimal: 'decimal(21,9)',
  rating: 'decimal(3,2)',
  date: 'date',
  datetime: 'timestamp(6)',
  time: 'time(6)',
  text: 'text',
  longtext: 'text',
  json: 'json',
}

/** How `format_type()` spells each declared type, so that an unchanged column compares equal. */
function canonicalType(type: string): string {
  return type
    .toLowerCase()
    .replace(/^varchar\((\d+)\)$/, 'character varying($1)')
    .replace(/^decimal\((\d+),(\d+)\)$/, 'numeric($1,$2)')
    .replace(/^timestamp\((\d)\)$/, 'timestamp($1) without time zone')
    .replace(/^time\((\d)\)$/, 'time($1) without time zone')
}

/** Python's `str()` of a datetime or time, as Frappe sends them: microseconds only when not zero, six digits. */
function fractionOf(text: string): string {
  const dot = text.indexOf('.')
  if (dot === -1) return ''
  const digits = text.slice(dot + 1).padEnd(6, '0')
  return Number(digits) === 0 ? '' : `.${digits}`
}

const OID = { int8: 20, numeric: 1700, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, json: 114, jsonb: 3802 } as const

/**
 * Values come back as Cortado keeps them on every engine: numbers for bigint and decimal
 * columns (Frappe's ints and floats), dates and datetimes as text, JSON as the text stored.
 */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  switch (oid) {
    case OID.int8:
    case OID.numeric:
      return Number
    case OID.date:
      return (value) => value
    case OID.timestamp:
    case OID.timestamptz:
      return (value) => `${value.slice(0, 19)}${fractionOf(value.slice(0, 26))}`
    case OID.time:
      return (value) => `${Number(value.slice(0, 2))}${value.slice(2, 8)}${fractionOf(value)}`
    case OID.json:
    case OID.jsonb:
      return (value) => value
    default:
      return pg.types.getTypeParser(oid, format as 'text')
  }
}

/** The driver error codes Cortado acts on (PostgreSQL's SQLSTATE). */
const SQLSTATE = {
  uniqueViolation: '23505',
  deadlock: '40P01',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  serializationFailure: '40001',
} as const

/** `Key (email)=(a@b.c) already exists.` → `email`. */
function duplicateColumn(detail: unknown): string | undefined {
  return typeof detail === 'string' ? /^Key \(([^)]+)\)=/.exec(detail)?.[1]?.replace(/^"|"$/g, '') : undefined
}

function connectionFailed(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string') return /^08/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03'].includes(code)
  // pg's own errors for a connection that died under it carry no code.
  return typeof message === 'string' && /^Connection terminated|^Client has encountered a connection error/.test(message)
}

/**
 * A site on PostgreSQL: one connection pool. The reader takes any pooled connection per query
 * (committed data, as on SQLite); each write transaction holds its own pooled connection until
 * it commits, so requests that write run in parallel, each isolated in its transaction.
 */
export function createPostgresDatabase(options: PostgresOptions): SiteDatabase {
  const pool = new pg.Pool({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    max: options.poolSize ?? 10,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  })
  // An idle client whose server went away must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  // pg-cursor lets a backup stream a table instead of holding it in memory.
  const db = new Kysely<DynamicDB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }), log: options.log })
  return {
    dialect: 'postgres',
    ...pooledDatabaseMethods(db, 'postgres', (error) => (error as { code?: unknown } | null)?.code === '42P01'),
    columnType(kind: ColumnKind, field: DocField | undefined) {
      return kind === 'varchar' ? `varchar(${field?.length || 140})` : COLUMN_TYPES[kind]
    },
    async listTables(executor: Executor): Promise<string[]> {
      const result = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(executor)
      return result.rows.map((row) => row.name)
    },
    async listColumns(executor: Executor, table: string): Promise<ExistingColumn[]> {
      const result = await sql<{ name: string; type: string; not_null: boolean; default_value: string | null }>`
        select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
               pg_get_expr(d.adbin, d.adrelid) as default_value
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where c.relname = ${table} and a.attnum > 0 and not a.attisdropped
        order by a.attnum`.execute(executor)
      return result.rows.map((row) => ({ name: row.name, type: row.type, notNull: row.not_null, defaultValue: row.default_value }))
    },
    async listIndexes(executor: Executor, table: string): Promise<string[]> {
      const result = await sql<{ name: string }>`
        select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(executor)
      return result.rows.map((row) => row.name)
    },
    sameColumnType: (existing, wanted) => canonicalType(existing) === canonicalType(wanted),
    // PostgreSQL changes a column's type in place, converting each value.
    async changeColumnTypes(executor, table, _createTable, _keptColumns, changes) {
      for (const change of changes) {
        const column = sql.id(change.name)
        await sql`alter table ${sql.table(table)} alter column ${column} type ${sql.raw(change.type)} using ${column}::${sql.raw(change.type)}`.execute(executor)
        if (change.defaultValue !== undefined) await sql`alter table ${sql.table(table)} alter column ${column} set default ${sql.lit(change.defaultValue)}`.execute(executor)
        if (change.notNull) {
          if (change.defaultValue !== undefined) await sql`update ${sql.table(table)} set ${column} = ${change.defaultValue} where ${column} is null`.execute(executor)
          await sql`alter table ${sql.table(table)} alter column ${column} set not null`.execute(executor)
        } else {
          await sql`alter table ${sql.table(table)} alter column ${column} drop not null`.execute(executor)
        }
      }
    },
    classifyError(error: unknown): DriverErrorKind {
      const { code, constraint, detail } = (error ?? {}) as { code?: unknown; constraint?: unknown; detail?: unknown }
      if (code === SQLSTATE.uniqueViolation) {
        const column = duplicateColumn(detail)
        if (column === 'name' || (typeof constraint === 'string' && constraint.endsWith('_pkey'))) return { kind: 'duplicate_primary_key' }
        return { kind: 'unique_violation', column }
      }
      if (code === SQLSTATE.deadlock || code === SQLSTATE.serializationFailure) return { kind: 'deadlock' }
      if (code === SQLSTATE.lockNotAvailable || code === SQLSTATE.queryCanceled) return { kind: 'lock_timeout' }
      if (connectionFailed(error)) return { kind: 'unavailable' }
      if (typeof code === 'string' && code.startsWith('22')) return { kind: 'invalid_value' } // SQLSTATE class 22: data exception
      return { kind: 'other' }
    },
  }
}

/** The server-level connection of `options` (its maintenance database), for creating and dropping site databases. */
async function withServer<T>(options: PostgresOptions, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: options.host, port: options.port, user: options.user, password: options.password, database: 'postgres' })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** Creates the site's database unless it exists, as `bench new-site` does; true when it created it. */
export async function ensurePostgresDatabase(options: PostgresOptions): Promise<boolean> {
  return withServer(options, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [options.database])
    if (found.rowCount) return false
    await client.query(`create database ${quoteIdentifier(options.database)}`)
    return true
  })
}

/** Drops a site's database (tests, `drop-site`); connections still open to it are ended first. */
export async function dropPostgresDatabase(options: PostgresOptions): Promise<void> {
  await withServer(options, (client) => client.query(`drop database if exists ${quoteIdentifier(options.database)} with (force)`))
}
