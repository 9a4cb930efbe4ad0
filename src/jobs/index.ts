export { createEmbeddedQueue } from './embedded-queue.js'
export { enqueue, fullJobId, type EnqueueOptions } from './enqueue.js'
export { JOB_TABLE, syncJobTable } from './job-table.js'
export {
  DEFAULT_TIMEOUTS,
  QUEUE_NAMES,
  type JobFunction,
  type JobHandle,
  type JobQueue,
  type JobRecord,
  type JobStatus,
  type NewJob,
  type QueueName,
} from './job-types.js'
export { createRedisQueue, redisQueueSettings, startRedisWorkers, type RedisQueueSettings, type RedisWorkers } from './redis-queue.js'
export { JobTimeoutError, RetryBackgroundJobError, taskIdOf } from './run-job.js'
export {
  RUN_SCHEDULED_JOB,
  nextExecution,
  runScheduledJob,
  runSchedulerTick,
  syncScheduledJobTypes,
  type SchedulerEvents,
  type TickOptions,
} from './scheduler.js'
export { startScheduler, type RunningScheduler } from './scheduler-loop.js'
export { publishJobProgress } from './progress.js'
