import { currentContext, hasRole, type Site } from '../context/index.js'
import { DoesNotExistError, PermissionError } from '../errors/index.js'
import { enqueue, RUN_SCHEDULED_JOB, runScheduledJob, taskIdOf, type JobFunction, type JobRecord } from '../jobs/index.js'
import { listFromRecords, type VirtualDocTypeProvider, type WhitelistedMethod } from '../model/index.js'

/** The framework's own job functions. */
export const FRAMEWORK_JOB_FUNCTIONS: Readonly<Record<string, JobFunction>> = {
  [RUN_SCHEDULED_JOB]: runScheduledJob,
}

/** A whitelisted method run as a job (long calls, or an app enqueuing one by its path). */
export function jobFunctionOf(method: WhitelistedMethod): JobFunction {
  return { handler: (args) => method.handler(args, { verb: 'POST' }) }
}

/** A job as an `RQ Job` document (spec 11.1); its name is RQ's `{site}::{id}`. */
function rqJobValues(job: JobRecord): Record<string, unknown> {
  return {
    name: job.job_id,
    doctype: 'RQ Job',
    docstatus: 0,
    owner: job.user,
    creation: job.creation,
    modified: job.ended_at ?? job.started_at ?? job.creation,
    job_id: job.job_id,
    job_name: job.job_name,
    queue: job.queue,
    status: job.status,
    arguments: JSON.stringify(job.arguments),
    exc_info: job.exc_info ?? null,
    timeout: job.timeout,
    time_taken: job.time_taken ?? null,
    started_at: job.started_at ?? null,
    ended_at: job.ended_at ?? null,
  }
}

/** `RQ Job` is virtual: lists and reads go to the site's queue. */
export function rqJobProvider(site: () => Site): VirtualDocTypeProvider {
  return {
    async getList(args) {
      const records = ((await site().services.jobs?.list()) ?? []).map(rqJobValues)
      return listFromRecords(records, { order_by: 'creation desc', ...args })
    },
    async getDoc(name) {
      const job = await site().services.jobs?.get(name)
      return job ? rqJobValues(job) : undefined
    },
  }
}

const TICKET = Symbol('cortado.jobTicket')

/** A long call's answer: sent with HTTP 202 (the brand is a symbol, so it never reaches JSON). */
export interface JobTicket {
  readonly [TICKET]: true
  readonly job_id: string
  readonly status: 'queued'
}

export function isJobTicket(value: unknown): value is JobTicket {
  return typeof value === 'object' && value !== null && TICKET in value
}

/** Queues a long-running whitelisted method as the current user and returns the ticket. */
export async function startLongCall(path: string, method: WhitelistedMethod, args: Readonly<Record<string, unknown>>): Promise<JobTicket> {
  const options = typeof method.long === 'object' ? method.long : {}
  const job = await enqueue(path, { ...args, queue: options.queue ?? 'long', timeout: options.timeout, jobName: path })
  if (!job) throw new Error('A long call was deduplicated')
  return { [TICKET]: true, job_id: taskIdOf(job.job_id), status: 'queued' }
}

/**
 * `GET /api/v2/job/{job_id}`: a job's status, and its result or error once it ended; only for
 * the user who enqueued it or a System Manager.
 */
export async function readJobStatus(jobId: string): Promise<Record<string, unknown>> {
  const ctx = currentContext()
  const job = await ctx.site.services.jobs?.get(jobId.includes('::') ? jobId : `${ctx.site.name}::${jobId}`)
  if (!job) throw new DoesNotExistError('RQ Job', jobId)
  const allowed = job.user === ctx.user || ctx.user === 'Administrator' || hasRole(ctx, 'System Manager')
  if (!allowed) throw new PermissionError('Not permitted to read this job')
  const status = job.status === 'scheduled' || job.status === 'deferred' ? 'queued' : job.status
  const body: Record<string, unknown> = { job_id: taskIdOf(job.job_id), status }
  if (status === 'finished') body.result = job.result ?? null
  if (status === 'failed') body.exc = job.exc_info ?? null
  return body
}
