import type BetterSqlite3 from 'better-sqlite3'
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  IdentifierNode,
  RawNode,
  createQueryId,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely'
import { Mutex } from '../../utils/index.js'

const STATEMENT_CACHE_SIZE = 500
/** How long a writer waits for another process to release SQLite's write lock before giving up. */
const WRITE_LOCK_TIMEOUT_MS = 5000

/** better-sqlite3 with prepared statements reused per SQL text (Kysely hands over SQL, not statements). */
class BetterSqliteConnection implements DatabaseConnection {
  readonly #statements = new Map<string, BetterSqlite3.Statement>()
  /** Reader only: the read transaction this event-loop turn's queries share, if one is open. */
  #turnSnapshot = false

  constructor(
    readonly database: BetterSqlite3.Database,
    private readonly sharesTurnSnapshot: boolean,
  ) {}

  prepare(source: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(source)
    if (!statement) {
      statement = this.database.prepare(source)
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value as string)
      this.#statements.set(source, statement)
    }
    return statement
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.runNow<R>(query))
  }

  /** better-sqlite3 is synchronous: the query runs now, and a caller that can take the result at once need not await. */
  runNow<R>(query: CompiledQuery): QueryResult<R> {
    if (this.sharesTurnSnapshot) this.beginTurnSnapshot()
    const statement = this.prepare(query.sql)
    const parameters = query.parameters as unknown[]
    if (statement.reader) return { rows: statement.all(parameters) as R[] }
    const { changes, lastInsertRowid } = statement.run(parameters)
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
  }

  /**
   * The reader's queries in one event-loop turn share one read transaction, ended when the
   * turn's callbacks are done (setImmediate) or as soon as this process commits a write. A
   * query on its own takes and drops SQLite's shared lock, a few system calls that cost more
   * than the query; sharing them across the turn's requests is the single largest saving on
   * the read path. Nothing is read staler than before: every commit this process makes ends
   * the snapshot, and a request that arrived after another process's commit was received in a
   * later poll than that commit, so its turn's snapshot began after it.
   */
  beginTurnSnapshot(): void {
    if (this.#turnSnapshot) return
    this.prepare('begin').run()
    this.#turnSnapshot = true
    setImmediate(() => this.endTurnSnapshot())
  }

  endTurnSnapshot(): void {
    if (!this.#turnSnapshot) return
    this.#turnSnapshot = false
    if (this.database.inTransaction) this.prepare('commit').run()
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    this.endTurnSnapshot() // an iteration may outlive the turn
    for (const row of this.prepare(query.sql).iterate(query.parameters as unknown[])) yield { rows: [row as R] }
  }
}

/** `savepoint "name"` and its kin, the name quoted as an identifier (as Kysely's own drivers build it). */
function parseSavepointCommand(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)])
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT'
}

const nextTurn = (ms: number): Promise<void> => new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)))

/**
 * A Kysely driver over one better-sqlite3 connection, in one of two roles:
 * - `reader`: committed data through WAL; queries are synchronous, so there is no lock to take.
 * - `writer`: transactions take turns on the connection (an in-process queue), and each begins
 *   with `BEGIN IMMEDIATE`, taking SQLite's write lock at once. The connection's busy timeout is
 *   0 and a lock held by another process is retried on later event-loop turns, so waiting for
 *   it never blocks this process's other requests (SQLite's own busy handler sleeps the thread).
 */
class BetterSqliteDriver implements Driver {
  readonly #connection: BetterSqliteConnection
  /** A `snapshot` reads like the reader, inside a transaction its owner begins and ends. */
  readonly #role: 'reader' | 'writer' | 'snapshot'
  /** The writer's transactions take turns on its one connection. */
  readonly #turns = new Mutex()
  #release: (() => void) | undefined
  readonly #onCommit: (() => void) | undefined

  constructor(database: BetterSqlite3.Database, role: 'reader' | 'writer' | 'snapshot', onCommit?: () => void) {
    this.#connection = new BetterSqliteConnection(database, role === 'reader')
    this.#role = role
    this.#onCommit = onCommit
  }

  /** The reader's snapshot of this turn ends when a write commits, so what follows reads it. */
  endTurnSnapshot(): void {
    this.#connection.endTurnSnapshot()
  }

  /** Runs a query on the connection now; the caller must own it (the reader, or the writer inside its open transaction). */
  runNow<R>(query: CompiledQuery): QueryResult<R> {
    return this.#connection.runNow<R>(query)
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#role !== 'writer') return this.#connection
    this.#release = await this.#turns.acquire()
    return this.#connection
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#role !== 'writer') throw new Error('A read connection does not write')
    const deadline = Date.now() + WRITE_LOCK_TIMEOUT_MS
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'))
        return
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error
        await nextTurn(attempt < 3 ? 0 : Math.min(2 ** (attempt - 3), 20))
      }
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // Before, not only after: a commit may checkpoint the WAL, which a live read snapshot holds back.
    this.#onCommit?.()
    await connection.executeQuery(CompiledQuery.raw('commit'))
    this.#onCommit?.()
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(parseSavepointCommand('savepoint', name), createQueryId()))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(parseSavepointCommand('rollback to', name), createQueryId()))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(parseSavepointCommand('release', name), createQueryId()))
  }

  async destroy(): Promise<void> {
    this.#connection.database.close()
  }
}

/** Kysely's SQLite SQL and introspection over `BetterSqliteDriver`. */
export class BetterSqliteDialect implements Dialect {
  #driver: BetterSqliteDriver | undefined

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly role: 'reader' | 'writer' | 'snapshot',
    private readonly onCommit?: () => void,
  ) {}

  createDriver(): Driver {
    return (this.#driver = new BetterSqliteDriver(this.database, this.role, this.onCommit))
  }

  /** See `BetterSqliteConnection.beginTurnSnapshot`. */
  endTurnSnapshot(): void {
    this.#driver?.endTurnSnapshot()
  }

  /** See `BetterSqliteDriver.runNow`; the Kysely instance over this dialect must have been created. */
  runNow<R>(query: CompiledQuery): QueryResult<R> {
    if (!this.#driver) throw new Error('The SQLite driver has not been created')
    return this.#driver.runNow<R>(query)
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler()
  }

  createAdapter(): SqliteAdapter {
    return new SqliteAdapter()
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Dialect signature
  createIntrospector(db: Kysely<any>): SqliteIntrospector {
    return new SqliteIntrospector(db)
  }
}
