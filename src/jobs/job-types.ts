import type { Site } from '../context/index.js'

export type QueueName = 'short' | 'default' | 'long'
export const QUEUE_NAMES: readonly QueueName[] = ['short', 'default', 'long']

/** RQ's statuses, as the `RQ Job` DocType shows them (spec 11.1). */
export type JobStatus = 'queued' | 'started' | 'finished' | 'failed' | 'deferred' | 'scheduled' | 'canceled'

/** Frappe's default timeouts in seconds: `short` and `default` 300, `long` 1500. */
export const DEFAULT_TIMEOUTS: Readonly<Record<QueueName, number>> = { short: 300, default: 300, long: 1500 }

/** What a running job function can do besides its work. */
export interface JobHandle {
  /** `{site}::{id}`, as RQ stores it. */
  readonly jobId: string
  /** The id the client holds (without the site prefix): the realtime task id. */
  readonly taskId: string
  /** Aborted when the job runs past its timeout. */
  readonly signal: AbortSignal
  /** Publishes `task_progress` to `task_progress:{taskId}` (spec 10.1). */
  progress(progress: number | readonly [number, number], extra?: Readonly<Record<string, unknown>>): void
}

/**
 * A function that jobs may run, registered by name as whitelisted methods are: a job never
 * names a module to import. With `thread`, the work runs in a worker thread instead: the module
 * at that URL must export `run(args)` (plain data in, plain data out, no database).
 */
export type JobFunction =
  | {
      readonly handler: (args: Readonly<Record<string, unknown>>, job: JobHandle) => unknown
      readonly thread?: undefined
    }
  | { readonly thread: URL; readonly handler?: undefined }

/** One job as the queues store it; the `RQ Job` DocType shows these fields. */
export interface JobRecord {
  readonly job_id: string
  readonly job_name: string
  readonly method: string
  readonly queue: QueueName
  readonly status: JobStatus
  readonly arguments: Readonly<Record<string, unknown>>
  /** The enqueuing user: the job runs as this user. */
  readonly user: string
  readonly timeout: number
  readonly attempts: number
  readonly result?: unknown
  readonly exc_info?: string | null
  readonly creation: string
  readonly started_at?: string | null
  readonly ended_at?: string | null
  readonly time_taken?: number | null
}

export interface NewJob {
  readonly jobId: string
  readonly jobName: string
  readonly method: string
  readonly queue: QueueName
  readonly arguments: Readonly<Record<string, unknown>>
  readonly user: string
  readonly timeout: number
  readonly atFront: boolean
  readonly deduplicate: boolean
}

/** The queue behind `enqueue`: the site database (embedded) or BullMQ on Redis. */
export interface JobQueue {
  readonly kind: 'embedded' | 'redis'
  /** Stores the job; undefined when deduplicated (a job with that id is queued or started). */
  add(job: NewJob): Promise<JobRecord | undefined>
  get(jobId: string): Promise<JobRecord | undefined>
  list(): Promise<JobRecord[]>
  /** Starts running jobs in this process (embedded only; BullMQ jobs run in `cortado worker`). */
  start(): void
  /** Stops taking jobs and waits for those running. */
  close(): Promise<void>
}

declare module '../context/site.js' {
  interface SiteServices {
    /** Job functions by name: framework ones, apps' `job_functions`, and whitelisted methods. */
    /** Absent only on sites built by hand (tests); `openSite` always sets both. */
    readonly jobFunctions?: ReadonlyMap<string, JobFunction>
    readonly jobs?: JobQueue
  }
}

/** Builds a site's queue once the site exists (the queue runs jobs in the site's contexts). */
export type JobQueueFactory = (site: () => Site) => JobQueue
