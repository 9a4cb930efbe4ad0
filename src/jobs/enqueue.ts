import { randomUUID } from 'node:crypto'
import { afterCommit, currentContext } from '../context/index.js'
import { ValidationError } from '../errors/index.js'
import { DEFAULT_TIMEOUTS, QUEUE_NAMES, type JobRecord, type QueueName } from './job-types.js'

/** `frappe.enqueue`'s options (spec 11.1); every other key is passed to the job function. */
export interface EnqueueOptions {
  readonly queue?: QueueName
  /** Seconds; defaults to 300 (`short`, `default`) or 1500 (`long`). */
  readonly timeout?: number
  /** Stored as `{site}::{jobId}`; a random UUID when absent. */
  readonly jobId?: string
  /** With `jobId`: skip if that job is queued or started. */
  readonly deduplicate?: boolean
  /** Queue only once the current unit of work commits; dropped on rollback. */
  readonly enqueueAfterCommit?: boolean
  /** Head of the queue. */
  readonly atFront?: boolean
  readonly jobName?: string
  readonly [kwarg: string]: unknown
}

const OPTION_KEYS = new Set(['queue', 'timeout', 'jobId', 'deduplicate', 'enqueueAfterCommit', 'atFront', 'jobName'])

/** RQ's job id: `{site}::{id}`, with `:` in a given id replaced as Frappe's `create_job_id` does. */
export function fullJobId(site: string, jobId: string | undefined): string {
  return `${site}::${jobId === undefined ? randomUUID() : jobId.replaceAll(':', '|')}`
}

/**
 * Frappe's `enqueue`: queues the registered job function `method` with the other keys as its
 * arguments, to run as the current user on the current site. Returns the job, or undefined when
 * deduplicated or deferred to the commit.
 */
export async function enqueue(method: string, options: EnqueueOptions = {}): Promise<JobRecord | undefined> {
  const ctx = currentContext()
  const queue = options.queue ?? 'default'
  if (!QUEUE_NAMES.includes(queue)) throw new ValidationError(`Queue should be one of ${QUEUE_NAMES.join(', ')}`)
  const jobs = ctx.site.services.jobs
  if (!jobs) throw new Error(`site ${ctx.site.name} has no job queue`)
  if (!ctx.site.services.jobFunctions?.has(method)) throw new ValidationError(`No job function named ${method}`)
  if (options.deduplicate && !options.jobId) throw new ValidationError('`job_id` paramater is required for deduplication.')
  const kwargs = Object.fromEntries(Object.entries(options).filter(([key]) => !OPTION_KEYS.has(key)))
  const job = {
    jobId: fullJobId(ctx.site.name, options.jobId),
    jobName: options.jobName ?? method,
    method,
    queue,
    arguments: kwargs,
    user: ctx.user,
    timeout: options.timeout ?? DEFAULT_TIMEOUTS[queue],
    atFront: Boolean(options.atFront),
    deduplicate: Boolean(options.deduplicate),
  }
  if (options.enqueueAfterCommit) {
    afterCommit(async () => void (await jobs.add(job)), `enqueue:${job.jobId}`)
    return undefined
  }
  return jobs.add(job)
}
