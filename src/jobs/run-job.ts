import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { newContext, publishRealtime, runInContext, type Logger, type Site } from '../context/index.js'
import { finishUnitOfWork, runUnitOfWork } from '../db/index.js'
import { rolesOf } from '../auth/index.js'
import { insertDocument, newDocument } from '../model/index.js'
import type { JobFunction, JobHandle, JobRecord } from './job-types.js'

/** Thrown by a job to ask for another try, as Frappe's `RetryBackgroundJobError`. */
export class RetryBackgroundJobError extends Error {
  override readonly name = 'RetryBackgroundJobError'
}

/** RQ's `JobTimeoutException`: the job ran past its timeout. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError'
}

/** Frappe retries deadlocks, lock timeouts and RetryBackgroundJobError up to 5 times. */
export const MAX_RETRIES = 5

export interface JobOutcome {
  readonly status: 'finished' | 'failed'
  readonly result?: unknown
  readonly exc?: string
  /** The failure is one Frappe retries (before the retry limit is checked). */
  readonly retryable: boolean
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)
}

function taskIdOf(jobId: string): string {
  return jobId.slice(jobId.indexOf('::') + 2)
}

function handleFor(ctx: Parameters<typeof runInContext>[0], job: JobRecord, signal: AbortSignal): JobHandle {
  const taskId = taskIdOf(job.job_id)
  return {
    jobId: job.job_id,
    taskId,
    signal,
    progress(progress, extra = {}) {
      void runInContext(ctx, async () => publishRealtime('task_progress', { ...extra, task_id: taskId, progress }, { taskId }))
    },
  }
}

/** The worker thread's bootstrap: TypeScript support, then the registered module's `run(args)`. */
const THREAD_BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads')
;(async () => {
  try {
    const { register } = await import(workerData.tsx)
    register()
    const loaded = await import(workerData.module)
    if (typeof loaded.run !== 'function') throw new Error(workerData.module + ' does not export run()')
    parentPort.postMessage({ result: await loaded.run(workerData.args) })
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) })
  }
})()
`

/** CPU-heavy work off the event loop; terminated when the job times out. */
function runOnThread(url: URL, args: unknown, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // require resolves tsx's CommonJS entry; its ESM entry (the one that registers hooks) sits beside it.
    const workerData = { tsx: pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/index\.cjs$/, 'index.mjs'), module: url.href, args }
    const worker = new Worker(THREAD_BOOTSTRAP, { eval: true, workerData })
    const stop = () => void worker.terminate()
    signal.addEventListener('abort', stop, { once: true })
    worker.once('message', (message: { result?: unknown; error?: string }) => {
      signal.removeEventListener('abort', stop)
      void worker.terminate()
      if (message.error !== undefined) reject(new Error(message.error))
      else resolve(message.result)
    })
    worker.once('error', reject)
  })
}

/** Resolves with `work`, or rejects once `seconds` pass (aborting `controller`). */
function withTimeout<T>(work: Promise<T>, seconds: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new JobTimeoutError(`Job exceeded its timeout of ${seconds}s`))
    }, seconds * 1000)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Frappe's `log_error` for a failed job: an Error Log document, committed on its own. */
async function writeErrorLog(site: Site, logger: Logger, job: JobRecord, exc: string): Promise<void> {
  const ctx = newContext({ site, user: 'Administrator', roles: ['Administrator', 'System Manager', 'All'], logger })
  try {
    await runUnitOfWork(ctx, async () => {
      await insertDocument(newDocument('Error Log', { method: job.method, error: exc, trace_id: job.job_id }), { ignorePermissions: true })
    })
  } catch (error) {
    logger.error({ err: error, job: job.job_id }, 'could not write the Error Log of a failed job')
  }
}

/**
 * Runs one job as its enqueuing user on its site, in a fresh context: commit on success; on
 * failure or timeout, roll back and write an Error Log (Frappe's `execute_job`).
 */
export async function runJob(site: Site, job: JobRecord, fn: JobFunction | undefined, logger: Logger): Promise<JobOutcome> {
  const roles = job.user === 'Administrator' ? ['Administrator', 'System Manager', 'All'] : await rolesOf(site.services.database.reader, job.user)
  const ctx = newContext({ site, user: job.user, roles, logger, requestId: job.job_id, flags: { jobId: job.job_id } })
  const controller = new AbortController()
  let outcome: JobOutcome
  try {
    if (!fn) throw new Error(`No job function named ${job.method}`)
    const work = fn.thread
      ? runOnThread(fn.thread, job.arguments, controller.signal)
      : runInContext(ctx, async () => fn.handler(job.arguments, handleFor(ctx, job, controller.signal)))
    const result = await withTimeout(work, job.timeout, controller)
    await finishUnitOfWork(ctx, 'commit')
    outcome = { status: 'finished', result: result === undefined ? null : result, retryable: false }
  } catch (error) {
    // Closing the unit of work also stops a timed-out handler's later writes.
    await finishUnitOfWork(ctx, 'rollback').catch((rollbackError: unknown) => logger.error({ err: rollbackError }, 'job rollback failed'))
    // As Frappe's execute_job: a deadlock or lock timeout is worth another try.
    const kind = site.services.database.classifyError(error).kind
    const retryable = error instanceof RetryBackgroundJobError || kind === 'lock_timeout' || kind === 'deadlock'
    outcome = { status: 'failed', exc: describe(error), retryable }
  }
  return outcome
}

/** Called once a job has failed for good. */
export function recordFailure(site: Site, logger: Logger, job: JobRecord, exc: string): Promise<void> {
  logger.warn({ job: job.job_id, method: job.method }, 'job failed')
  return writeErrorLog(site, logger, job, exc)
}

/** Tells `task_progress:{id}` listeners how the job ended (spec 10.2: `task_status_change`). */
export async function announceEnd(site: Site, logger: Logger, job: JobRecord, outcome: JobOutcome): Promise<void> {
  const taskId = taskIdOf(job.job_id)
  const ctx = newContext({ site, user: job.user, roles: [], logger })
  const end = outcome.status === 'finished' ? { result: outcome.result } : { exc: outcome.exc }
  await runInContext(ctx, async () => {
    publishRealtime('task_status_change', { task_id: taskId, status: outcome.status, ...end }, { taskId })
    publishRealtime('task_progress', { task_id: taskId, status: outcome.status, ...end }, { taskId })
  })
}

export { taskIdOf }
