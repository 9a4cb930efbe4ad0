import { maybeContext, afterCommit, type Logger, type Site } from '../context/index.js'
import type { Executor } from '../db/index.js'
import { formatDate, formatTime, nowDatetime } from '../utils/index.js'
import { QUEUE_NAMES, type JobQueue, type JobRecord, type NewJob, type QueueName } from './job-types.js'
import { JOB_TABLE, recordFromRow, syncJobTable } from './job-table.js'
import { MAX_RETRIES, announceEnd, recordFailure, runJob } from './run-job.js'

/** Jobs run at once per queue unless the site config's `job_concurrency` says otherwise. */
const DEFAULT_CONCURRENCY: Readonly<Record<QueueName, number>> = { short: 2, default: 2, long: 1 }
const POLL_MS = 1000
/** Frappe's retention: results 10 minutes, failures 7 days (spec 11.1). */
const KEEP_FINISHED_MS = 10 * 60 * 1000
const KEEP_FAILED_MS = 7 * 24 * 60 * 60 * 1000

function concurrencyOf(site: Site, queue: QueueName): number {
  const configured = (site.config.job_concurrency as Record<string, unknown> | undefined)?.[queue]
  return typeof configured === 'number' && configured > 0 ? configured : DEFAULT_CONCURRENCY[queue]
}

/** Seconds between retries: Frappe sleeps `retry + 1` seconds; `job_retry_delay` scales it. */
function retryDelayMs(site: Site, attempt: number): number {
  const base = typeof site.config.job_retry_delay === 'number' ? site.config.job_retry_delay : 1
  return attempt * base * 1000
}

/**
 * The embedded queue: jobs are rows of the site database and run in this process, with bounded
 * concurrency per queue, once `start()` is called (`serve` and `cortado worker` call it).
 */
export function createEmbeddedQueue(getSite: () => Site, logger: Logger): JobQueue {
  const running = new Set<Promise<void>>()
  const active: Record<QueueName, number> = { short: 0, default: 0, long: 0 }
  let started = false
  let closed = false
  let timer: NodeJS.Timeout | undefined
  let tableReady = false
  let pumping: Promise<void> | undefined
  let pumpAgain = false

  const site = () => getSite()

  async function write<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const tx = await site().services.database.beginWrite()
    try {
      if (!tableReady) await syncJobTable(tx, site().services.database)
      const result = await fn(tx)
      await tx.commit().execute()
      tableReady = true
      return result
    } catch (error) {
      await tx.rollback().execute()
      throw error
    }
  }

  async function read(): Promise<Executor | undefined> {
    const reader = site().services.database.reader
    if (tableReady) return reader
    const columns = await site().services.database.listColumns(reader, JOB_TABLE)
    return columns.length > 0 ? reader : undefined
  }

  async function insert(tx: Executor, job: NewJob): Promise<JobRecord | undefined> {
    await syncJobTable(tx, site().services.database)
    const existing = await tx.selectFrom(JOB_TABLE).select('status').where('job_id', '=', job.jobId).executeTakeFirst()
    if (existing && job.deduplicate && (existing.status === 'queued' || existing.status === 'started')) return undefined
    if (existing) await tx.deleteFrom(JOB_TABLE).where('job_id', '=', job.jobId).execute()
    const now = Date.now()
    const row = {
      job_id: job.jobId,
      job_name: job.jobName,
      method: job.method,
      queue: job.queue,
      status: 'queued',
      arguments: JSON.stringify(job.arguments),
      user: job.user,
      timeout: job.timeout,
      attempts: 0,
      creation: nowDatetime(),
      sort_key: job.atFront ? -now : now,
      run_after: 0,
    }
    await tx.insertInto(JOB_TABLE).values(row).execute()
    return recordFromRow(row)
  }

  async function claim(queue: QueueName): Promise<JobRecord | undefined> {
    const reader = await read()
    if (!reader) return undefined
    const now = Date.now()
    const candidates = await reader
      .selectFrom(JOB_TABLE)
      .selectAll()
      .where('status', '=', 'queued')
      .where('queue', '=', queue)
      .where('run_after', '<=', now)
      .orderBy('sort_key')
      .limit(5)
      .execute()
    for (const candidate of candidates) {
      const record = recordFromRow(candidate)
      // A conditional update: another process polling the same site may have taken it first.
      const claimed = await write((tx) =>
        tx
          .updateTable(JOB_TABLE)
          .set({ status: 'started', started_at: nowDatetime(), lease_until: now + (record.timeout + 60) * 1000 })
          .where('job_id', '=', record.job_id)
          .where('status', '=', 'queued')
          .executeTakeFirst(),
      )
      if (Number(claimed.numUpdatedRows) === 1) return { ...record, status: 'started' }
    }
    return undefined
  }

  async function execute(job: JobRecord): Promise<void> {
    const begun = Date.now()
    const target = site()
    const fn = target.services.jobFunctions?.get(job.method)
    const outcome = await runJob(target, job, fn, logger)
    const ended = { ended_at: nowDatetime(), time_taken: (Date.now() - begun) / 1000, lease_until: null }
    if (outcome.status === 'failed' && outcome.retryable && job.attempts < MAX_RETRIES) {
      const attempts = job.attempts + 1
      await write((tx) =>
        tx
          .updateTable(JOB_TABLE)
          .set({ ...ended, status: 'queued', attempts, exc_info: outcome.exc ?? null, run_after: Date.now() + retryDelayMs(target, attempts) })
          .where('job_id', '=', job.job_id)
          .execute(),
      )
      return
    }
    const result = outcome.status === 'finished' ? JSON.stringify(outcome.result ?? null) : null
    await write((tx) =>
      tx
        .updateTable(JOB_TABLE)
        .set({ ...ended, status: outcome.status, result, exc_info: outcome.exc ?? null })
        .where('job_id', '=', job.job_id)
        .execute(),
    )
    if (outcome.status === 'failed') await recordFailure(target, logger, job, outcome.exc ?? '')
    await announceEnd(target, logger, job, outcome)
  }

  async function pumpOnce(): Promise<void> {
    for (const queue of QUEUE_NAMES) {
      while (!closed && active[queue] < concurrencyOf(site(), queue)) {
        const job = await claim(queue)
        if (!job) break
        active[queue] += 1
        const run: Promise<void> = execute(job)
          .catch((error: unknown) => logger.error({ err: error, job: job.job_id }, 'job bookkeeping failed'))
          .finally(() => {
            active[queue] -= 1
            running.delete(run)
            wake()
          })
        running.add(run)
      }
    }
  }

  function wake(): void {
    if (!started || closed) return
    if (pumping) {
      pumpAgain = true
      return
    }
    pumping = pumpOnce()
      .catch((error: unknown) => logger.error({ err: error }, 'job queue poll failed'))
      .finally(() => {
        pumping = undefined
        if (pumpAgain) {
          pumpAgain = false
          wake()
        }
      })
  }

  async function housekeeping(): Promise<void> {
    if (!(await read())) return
    const now = Date.now()
    await write(async (tx) => {
      // A job whose process died mid-run is failed, as RQ does with abandoned jobs.
      await tx
        .updateTable(JOB_TABLE)
        .set({ status: 'failed', exc_info: 'AbandonedJobError: the process running this job stopped', lease_until: null })
        .where('status', '=', 'started')
        .where('lease_until', '<', now)
        .execute()
      const olderThan = (ms: number) => `${formatDate(new Date(now - ms))} ${formatTime(new Date(now - ms))}`
      await tx.deleteFrom(JOB_TABLE).where('status', '=', 'finished').where('ended_at', '<', olderThan(KEEP_FINISHED_MS)).execute()
      await tx.deleteFrom(JOB_TABLE).where('status', '=', 'failed').where('ended_at', '<', olderThan(KEEP_FAILED_MS)).execute()
    })
  }

  return {
    kind: 'embedded',
    async add(job) {
      const ctx = maybeContext()
      const tx = ctx?.site === site() ? ctx.work.transaction : undefined
      if (tx) {
        // Inside an open transaction the row commits with it; runners hear of it after the commit.
        const record = await insert(tx, job)
        afterCommit(wake)
        return record
      }
      const record = await write((own) => insert(own, job))
      wake()
      return record
    },
    async get(jobId) {
      const reader = await read()
      if (!reader) return undefined
      const row = await reader.selectFrom(JOB_TABLE).selectAll().where('job_id', '=', jobId).executeTakeFirst()
      return row ? recordFromRow(row) : undefined
    },
    async list() {
      const reader = await read()
      if (!reader) return []
      const rows = await reader.selectFrom(JOB_TABLE).selectAll().orderBy('creation', 'desc').execute()
      return rows.map(recordFromRow)
    },
    start() {
      if (started || closed) return
      started = true
      void housekeeping()
        .catch((error: unknown) => logger.error({ err: error }, 'job housekeeping failed'))
        .finally(wake)
      timer = setInterval(wake, POLL_MS)
      timer.unref()
    },
    async close() {
      closed = true
      clearInterval(timer)
      await pumping
      await Promise.allSettled([...running])
    },
  }
}
