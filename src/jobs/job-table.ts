import { sql } from 'kysely'
import type { Executor, SiteDatabase } from '../db/index.js'
import type { JobRecord, JobStatus, QueueName } from './job-types.js'

/** The embedded queue's store: one row per job, in the site database, so jobs survive restarts. */
export const JOB_TABLE = '__Jobs'

/** Creates the job table if missing; migrate calls it, and so does the queue before first use. */
export async function syncJobTable(db: Executor, database: SiteDatabase): Promise<void> {
  const varchar = sql.raw(database.columnType('varchar', undefined))
  const text = sql.raw(database.columnType('longtext', undefined))
  const number = sql.raw(database.columnType('bigint', undefined))
  const decimal = sql.raw(database.columnType('decimal', undefined))
  await db.schema
    .createTable(JOB_TABLE)
    .ifNotExists()
    .addColumn('job_id', varchar, (c) => c.primaryKey())
    .addColumn('job_name', varchar)
    .addColumn('method', varchar, (c) => c.notNull())
    .addColumn('queue', varchar, (c) => c.notNull())
    .addColumn('status', varchar, (c) => c.notNull())
    .addColumn('arguments', text)
    .addColumn('user', varchar, (c) => c.notNull())
    .addColumn('timeout', decimal, (c) => c.notNull()) // seconds; fractions allowed
    .addColumn('attempts', number, (c) => c.notNull().defaultTo(0))
    .addColumn('result', text)
    .addColumn('exc_info', text)
    .addColumn('creation', varchar, (c) => c.notNull())
    .addColumn('started_at', varchar)
    .addColumn('ended_at', varchar)
    .addColumn('time_taken', decimal)
    // Epoch milliseconds: queue order (negative for at_front), earliest start (retry backoff), lease.
    .addColumn('sort_key', number, (c) => c.notNull())
    .addColumn('run_after', number, (c) => c.notNull())
    .addColumn('lease_until', number)
    .execute()
  await db.schema.createIndex(`${JOB_TABLE}_status`).ifNotExists().on(JOB_TABLE).columns(['status', 'queue']).execute()
}

export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** A stored row as a JobRecord. */
export function recordFromRow(row: Record<string, unknown>): JobRecord {
  return {
    job_id: String(row.job_id),
    job_name: String(row.job_name ?? row.method),
    method: String(row.method),
    queue: String(row.queue) as QueueName,
    status: String(row.status) as JobStatus,
    arguments: (parseJson(row.arguments) ?? {}) as Record<string, unknown>,
    user: String(row.user),
    timeout: Number(row.timeout),
    attempts: Number(row.attempts ?? 0),
    result: parseJson(row.result),
    exc_info: (row.exc_info as string | null) ?? null,
    creation: String(row.creation),
    started_at: (row.started_at as string | null) ?? null,
    ended_at: (row.ended_at as string | null) ?? null,
    time_taken: row.time_taken === null || row.time_taken === undefined ? null : Number(row.time_taken),
  }
}

/** One row per site: which scheduler process holds the tick, and until when (a lease). */
export const SCHEDULER_LOCK_TABLE = '__SchedulerLock'

export async function syncSchedulerLockTable(db: Executor, database: SiteDatabase): Promise<void> {
  const varchar = sql.raw(database.columnType('varchar', undefined))
  await db.schema
    .createTable(SCHEDULER_LOCK_TABLE)
    .ifNotExists()
    .addColumn('name', varchar, (c) => c.primaryKey())
    .addColumn('owner', varchar, (c) => c.notNull())
    .addColumn('lease_until', sql.raw(database.columnType('bigint', undefined)), (c) => c.notNull())
    .execute()
}
