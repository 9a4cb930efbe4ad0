import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import type { Logger, Site } from '../context/index.js'
import { QueueUnavailableError } from '../errors/index.js'
import { nowDatetime } from '../utils/index.js'
import { QUEUE_NAMES, type JobQueue, type JobRecord, type JobStatus, type QueueName } from './job-types.js'
import { MAX_RETRIES, announceEnd, recordFailure, runJob } from './run-job.js'

/** What a BullMQ job carries: enough to run it in any process that serves the site. */
interface RedisJobData {
  readonly site: string
  readonly job_id: string
  readonly job_name: string
  readonly method: string
  readonly queue: QueueName
  readonly arguments: Record<string, unknown>
  readonly user: string
  readonly timeout: number
  readonly creation: string
}

export interface RedisQueueSettings {
  /** `redis_queue` from the site or common config, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string
  /** Key prefix (config `redis_queue_prefix`), so benches sharing a Redis stay apart. */
  readonly prefix: string
}

export function redisQueueSettings(config: Readonly<Record<string, unknown>>): RedisQueueSettings | undefined {
  const url = config.redis_queue
  if (typeof url !== 'string' || url === '') return undefined
  const prefix = typeof config.redis_queue_prefix === 'string' && config.redis_queue_prefix ? config.redis_queue_prefix : 'cortado'
  return { url, prefix }
}

function connectionOf(url: string): ConnectionOptions {
  const parsed = new URL(url)
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  }
}

/** BullMQ forbids `:` in custom ids; RQ's `{site}::{id}` becomes `{site}||{id}`. */
const bullId = (jobId: string): string => jobId.replaceAll(':', '|')

const STATUS_BY_STATE: Readonly<Record<string, JobStatus>> = {
  waiting: 'queued',
  prioritized: 'queued',
  'waiting-children': 'deferred',
  delayed: 'scheduled',
  active: 'started',
  completed: 'finished',
  failed: 'failed',
}

async function recordOf(job: Job<RedisJobData>): Promise<JobRecord> {
  const state = await job.getState()
  const data = job.data
  return {
    job_id: data.job_id,
    job_name: data.job_name,
    method: data.method,
    queue: data.queue,
    status: STATUS_BY_STATE[state] ?? 'queued',
    arguments: data.arguments,
    user: data.user,
    timeout: data.timeout,
    attempts: job.attemptsMade,
    result: state === 'completed' ? (job.returnvalue ?? null) : null,
    exc_info: job.failedReason || null,
    creation: data.creation,
    started_at: job.processedOn ? new Date(job.processedOn).toISOString() : null,
    ended_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    time_taken: job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : null,
  }
}

/** The queue name in Redis for one of Frappe's queues. */
const queueKey = (queue: QueueName): string => `cortado-${queue}`

/** How long an enqueue waits for the queue's Redis connection before answering 503. */
const READY_TIMEOUT_MS = 2000

/**
 * The `redis_queue` adapter: jobs go to BullMQ; `cortado worker` processes run them. The
 * producer keeps one Redis connection of its own that does not queue commands while Redis is
 * away (BullMQ would wait for it indefinitely): an operation waits at most two seconds for the
 * connection, then fails with a 503 QueueUnavailableError, and works again as soon as the
 * connection is back (ioredis reconnects by itself), without a restart.
 */
export function createRedisQueue(getSite: () => Site, settings: RedisQueueSettings, logger?: Logger): JobQueue {
  let redis: Redis | undefined
  const queues = new Map<QueueName, Queue<RedisJobData>>()
  const connectionOfQueues = (): Redis => {
    if (!redis) {
      const created = new Redis({ ...(connectionOf(settings.url) as RedisOptions), enableOfflineQueue: false })
      let reported = false
      created.on('error', (error: Error) => {
        if (!reported) logger?.error({ err: error, redis: settings.url }, 'job queue: Redis is not available; enqueueing answers 503 until it is back')
        reported = true
      })
      created.on('ready', () => {
        if (reported) logger?.info({ redis: settings.url }, 'job queue: Redis is back')
        reported = false
      })
      redis = created
    }
    return redis
  }
  const queueOf = (name: QueueName): Queue<RedisJobData> => {
    let queue = queues.get(name)
    if (!queue) {
      queue = new Queue<RedisJobData>(queueKey(name), { connection: connectionOfQueues(), prefix: settings.prefix })
      queues.set(name, queue)
    }
    return queue
  }
  /** Runs a queue operation once the connection is ready, else refuses it with a 503. */
  async function withRedis<T>(operation: () => Promise<T>): Promise<T> {
    const connection = connectionOfQueues()
    if (connection.status !== 'ready') {
      const ready = await new Promise<boolean>((resolve) => {
        const onReady = (): void => {
          clearTimeout(timer)
          resolve(true)
        }
        const timer = setTimeout(() => {
          connection.off('ready', onReady)
          resolve(false)
        }, READY_TIMEOUT_MS)
        connection.once('ready', onReady)
      })
      if (!ready) throw new QueueUnavailableError('The job queue is not available; try again shortly')
    }
    try {
      return await operation()
    } catch (error) {
      // A command the connection could not send (it dropped meanwhile) is the same outage.
      if (connection.status !== 'ready') throw new QueueUnavailableError('The job queue is not available; try again shortly', { cause: error })
      throw error
    }
  }
  async function find(jobId: string): Promise<Job<RedisJobData> | undefined> {
    const full = jobId.includes('::') ? jobId : `${getSite().name}::${jobId}`
    for (const name of QUEUE_NAMES) {
      const job = await queueOf(name).getJob(bullId(full))
      if (job && job.data.site === getSite().name) return job
    }
    return undefined
  }
  return {
    kind: 'redis',
    add: (job) => withRedis(async () => {
      const existing = await find(job.jobId)
      if (existing) {
        const state = await existing.getState()
        if (job.deduplicate && STATUS_BY_STATE[state] !== 'finished' && STATUS_BY_STATE[state] !== 'failed') return undefined
        await existing.remove()
      }
      const data: RedisJobData = {
        site: getSite().name,
        job_id: job.jobId,
        job_name: job.jobName,
        method: job.method,
        queue: job.queue,
        arguments: { ...job.arguments },
        user: job.user,
        timeout: job.timeout,
        creation: nowDatetime(),
      }
      const added = await queueOf(job.queue).add(job.method, data, {
        jobId: bullId(job.jobId),
        lifo: job.atFront,
        attempts: MAX_RETRIES + 1,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: 10 * 60 },
        removeOnFail: { age: 7 * 24 * 60 * 60 },
      })
      return recordOf(added)
    }),
    get: (jobId) => withRedis(async () => {
      const job = await find(jobId)
      return job ? recordOf(job) : undefined
    }),
    list: () => withRedis(async () => {
      const records: JobRecord[] = []
      for (const name of QUEUE_NAMES) {
        const jobs = await queueOf(name).getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'])
        for (const job of jobs) if (job?.data.site === getSite().name) records.push(await recordOf(job))
      }
      return records
    }),
    start() {},
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()))
      queues.clear()
      redis?.disconnect()
      redis = undefined
    },
  }
}

export interface RedisWorkers {
  close(): Promise<void>
}

/**
 * `cortado worker` with `redis_queue`: BullMQ workers for the given queues, running each job on
 * its site (opened through `siteOf`) exactly as the embedded queue does.
 */
export function startRedisWorkers(options: {
  settings: RedisQueueSettings
  queues: readonly QueueName[]
  siteOf: (name: string) => Promise<Site>
  logger: Logger
  concurrency?: number
}): RedisWorkers {
  const connection = connectionOf(options.settings.url)
  const workers = options.queues.map(
    (name) =>
      new Worker<RedisJobData>(
        queueKey(name),
        async (job) => {
          const site = await options.siteOf(job.data.site)
          const record: JobRecord = { ...job.data, status: 'started', attempts: job.attemptsMade }
          const outcome = await runJob(site, record, site.services.jobFunctions?.get(record.method), options.logger)
          if (outcome.status === 'finished') {
            await announceEnd(site, options.logger, record, outcome)
            return outcome.result
          }
          if (outcome.retryable && job.attemptsMade < MAX_RETRIES) throw new Error(outcome.exc)
          await recordFailure(site, options.logger, record, outcome.exc ?? '')
          await announceEnd(site, options.logger, record, outcome)
          throw new UnrecoverableError(outcome.exc)
        },
        { connection, prefix: options.settings.prefix, concurrency: options.concurrency ?? 2 },
      ),
  )
  for (const worker of workers) worker.on('error', (error) => options.logger.error({ err: error }, 'BullMQ worker error'))
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()))
    },
  }
}
