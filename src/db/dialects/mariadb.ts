import {
  CompiledQuery,
  Kysely,
  MysqlDialect,
  sql,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { createPool, type FieldPacket, type TypeCast } from 'mysql2'
import type { ColumnKind, DocField } from '../../meta/index.js'
import type { DriverErrorKind, DynamicDB, ExistingColumn, Executor, SiteDatabase } from '../database.js'
import { pooledDatabaseMethods, type ServerDatabaseOptions } from './server-common.js'

export type MariadbOptions = ServerDatabaseOptions

/** Spec 7.4's MariaDB column per storage kind (Frappe v15). */
const COLUMN_TYPES: Record<ColumnKind, string> = {
  varchar: 'varchar',
  int: 'int(11)',
  bigint: 'bigint(20)',
  check: 'int(1)',
  decimal: 'decimal(21,9)',
  rating: 'decimal(3,2)',
  date: 'date',
  datetime: 'datetime(6)',
  time: 'time(6)',
  text: 'text',
  longtext: 'longtext',
  json: 'longtext', // MariaDB's `json` is longtext with a json_valid check; Frappe stores JSON fields as text
}

/** `information_schema.columns.column_type` spells ints without display width on newer servers. */
function canonicalType(type: string): string {
  return type.toLowerCase().replace(/^(int|bigint|tinyint|smallint)\(\d+\)/, '$1').replace(/ unsigned$/, '')
}

/** Python's `str()` of a datetime or time, as Frappe sends them: microseconds only when not zero. */
function withoutZeroFraction(text: string): string {
  const dot = text.indexOf('.')
  return dot !== -1 && Number(text.slice(dot + 1)) === 0 ? text.slice(0, dot) : text
}

/**
 * Values come back as Cortado keeps them on every engine: numbers for decimal and bigint columns,
 * dates and datetimes as text (`dateStrings`), times as Frappe's `H:MM:SS`.
 */
const typeCast: TypeCast = (field, next) => {
  switch (field.type) {
    case 'NEWDECIMAL':
    case 'DECIMAL':
    case 'LONGLONG': {
      const text = field.string()
      return text === null ? null : Number(text)
    }
    case 'DATETIME':
    case 'TIMESTAMP': {
      const text = field.string()
      return text === null ? null : withoutZeroFraction(text)
    }
    case 'TIME': {
      const text = field.string()
      return text === null ? null : withoutZeroFraction(text.replace(/^0(\d):/, '$1:'))
    }
    default:
      return next()
  }
}

/** MariaDB's error numbers Cortado acts on. */
const ERRNO = { duplicate: 1062, deadlock: 1213, lockWait: 1205, badValue: [1264, 1292, 1366, 1406, 3140] } as const

function connectionFailed(error: unknown): boolean {
  const { code, fatal } = (error ?? {}) as { code?: unknown; fatal?: unknown }
  return fatal === true || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'PROTOCOL_CONNECTION_LOST'].includes(String(code))
}

const DDL = /^\s*(create|alter|drop|rename|truncate)\b/i
const NO_SUCH_SAVEPOINT = 1305

function isMissingSavepoint(error: unknown): boolean {
  return (error as { errno?: unknown } | null)?.errno === NO_SUCH_SAVEPOINT
}

/**
 * MariaDB commits a transaction implicitly before and after DDL. So that a request that changes
 * a DocType goes on in a transaction (as Frappe does on MariaDB: what came before the change is
 * committed, what follows is not yet), a connection inside a transaction begins a new one right
 * after each DDL statement; the savepoints of the old one are gone, so releasing one that no
 * longer exists is a no-op, and rolling back to one undoes nothing more than the new transaction.
 */
class TransactionAfterDdlDriver implements Driver {
  readonly #inTransaction = new WeakSet<DatabaseConnection>()
  readonly #inner = new WeakMap<DatabaseConnection, DatabaseConnection>()

  constructor(private readonly driver: Driver) {}

  init(): Promise<void> {
    return this.driver.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection()
    const wrapped: DatabaseConnection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await connection.executeQuery<R>(query)
        if (this.#inTransaction.has(wrapped) && DDL.test(query.sql)) await connection.executeQuery(CompiledQuery.raw('start transaction'))
        return result
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
    }
    this.#inner.set(wrapped, connection)
    return wrapped
  }

  /** The driver's own connection, which only it can release; everything else goes through the wrapper (and Kysely's log). */
  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#inner.get(connection) ?? connection
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.driver.beginTransaction(connection, settings)
    this.#inTransaction.add(connection)
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.#inTransaction.delete(connection)
    await this.driver.commitTransaction(connection)
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.#inTransaction.delete(connection)
    await this.driver.rollbackTransaction(connection)
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.driver.savepoint?.(connection, name, compile)
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    try {
      await this.driver.rollbackToSavepoint?.(connection, name, compile)
    } catch (error) {
      if (!isMissingSavepoint(error)) throw error
      await connection.executeQuery(CompiledQuery.raw('rollback'))
      await connection.executeQuery(CompiledQuery.raw('start transaction'))
    }
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    try {
      await this.driver.releaseSavepoint?.(connection, name, compile)
    } catch (error) {
      if (!isMissingSavepoint(error)) throw error
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#inTransaction.delete(connection)
    return this.driver.releaseConnection(this.#unwrap(connection))
  }

  destroy(): Promise<void> {
    return this.driver.destroy()
  }
}

/** Kysely's MySQL dialect, with a transaction begun again after each DDL statement. */
function mariadbDialect(options: ConstructorParameters<typeof MysqlDialect>[0]): Dialect {
  const inner = new MysqlDialect(options)
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new TransactionAfterDdlDriver(inner.createDriver()),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
  }
}

/**
 * A site on MariaDB: one connection pool, as on PostgreSQL. Reads outside a transaction take any
 * pooled connection; each write transaction holds its own until it ends. MariaDB commits DDL
 * implicitly, so a schema change inside a request's transaction is not rolled back with it (as
 * in Frappe on MariaDB).
 */
export function createMariadbDatabase(options: MariadbOptions): SiteDatabase {
  const pool = createPool({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    connectionLimit: options.poolSize ?? 10,
    connectTimeout: 5000,
    charset: 'utf8mb4_unicode_ci',
    dateStrings: true,
    supportBigNumbers: true,
    typeCast,
  })
  const db = new Kysely<DynamicDB>({ dialect: mariadbDialect({ pool }), log: options.log })
  return {
    dialect: 'mariadb',
    ...pooledDatabaseMethods(db, 'mariadb', (error) => (error as { errno?: unknown } | null)?.errno === 1146),
    columnType(kind: ColumnKind, field: DocField | undefined) {
      return kind === 'varchar' ? `varchar(${field?.length || 140})` : COLUMN_TYPES[kind]
    },
    async listTables(executor: Executor): Promise<string[]> {
      const result = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database() order by table_name`.execute(executor)
      return result.rows.map((row) => row.name)
    },
    async listColumns(executor: Executor, table: string): Promise<ExistingColumn[]> {
      const result = await sql<{ name: string; type: string; nullable: string; default_value: string | null }>`
        select column_name as name, column_type as type, is_nullable as nullable, column_default as default_value
        from information_schema.columns where table_schema = database() and table_name = ${table} order by ordinal_position`.execute(executor)
      return result.rows.map((row) => ({ name: row.name, type: row.type, notNull: row.nullable === 'NO', defaultValue: row.default_value }))
    },
    async listIndexes(executor: Executor, table: string): Promise<string[]> {
      const result = await sql<{ name: string }>`
        select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${table}`.execute(executor)
      return result.rows.map((row) => row.name)
    },
    sameColumnType: (existing, wanted) => canonicalType(existing) === canonicalType(wanted),
    async changeColumnTypes(executor, table, _createTable, _keptColumns, changes) {
      for (const change of changes) {
        if (change.notNull && change.defaultValue !== undefined) {
          await sql`update ${sql.table(table)} set ${sql.id(change.name)} = ${change.defaultValue} where ${sql.id(change.name)} is null`.execute(executor)
        }
        const nullability = sql.raw(change.notNull ? 'not null' : 'null')
        const defaultClause = change.defaultValue === undefined ? sql`` : sql` default ${sql.lit(change.defaultValue)}`
        await sql`alter table ${sql.table(table)} modify column ${sql.id(change.name)} ${sql.raw(change.type)} ${nullability}${defaultClause}`.execute(executor)
      }
    },
    classifyError(error: unknown): DriverErrorKind {
      const { errno, message } = (error ?? {}) as { errno?: unknown; message?: unknown }
      if (errno === ERRNO.duplicate) {
        // "Duplicate entry 'x' for key 'PRIMARY'" or "… for key 'tabCustomer_email_unique'"
        const key = /for key '(?:[^'.]*\.)?([^']+)'$/.exec(String(message))?.[1]
        if (!key || key === 'PRIMARY') return { kind: 'duplicate_primary_key' }
        return { kind: 'unique_violation', column: /_([A-Za-z0-9_]+?)_unique$/.exec(key)?.[1] }
      }
      if (errno === ERRNO.deadlock) return { kind: 'deadlock' }
      if (errno === ERRNO.lockWait) return { kind: 'lock_timeout' }
      if ((ERRNO.badValue as readonly unknown[]).includes(errno)) return { kind: 'invalid_value' }
      if (connectionFailed(error)) return { kind: 'unavailable' }
      return { kind: 'other' }
    },
  }
}

/** Creates the site's database unless it exists, in Frappe's character set; true when it created it. */
export async function ensureMariadbDatabase(options: MariadbOptions): Promise<boolean> {
  const pool = createPool({ host: options.host, port: options.port, user: options.user, password: options.password, connectionLimit: 1 }).promise()
  try {
    const [found] = (await pool.query('select schema_name from information_schema.schemata where schema_name = ?', [options.database])) as [unknown[], FieldPacket[]]
    if (found.length > 0) return false
    await pool.query(`create database \`${options.database.replaceAll('`', '``')}\` character set utf8mb4 collate utf8mb4_unicode_ci`)
    return true
  } finally {
    await pool.end()
  }
}

/** Drops a site's database (tests). */
export async function dropMariadbDatabase(options: MariadbOptions): Promise<void> {
  const pool = createPool({ host: options.host, port: options.port, user: options.user, password: options.password, connectionLimit: 1 }).promise()
  try {
    await pool.query(`drop database if exists \`${options.database.replaceAll('`', '``')}\``)
  } finally {
    await pool.end()
  }
}
