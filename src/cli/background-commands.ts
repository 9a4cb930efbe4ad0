import { allSites, publishRealtimeThroughRedis, readCommonConfig } from '../app/index.js'
import { QUEUE_NAMES, redisQueueSettings, startRedisWorkers, startScheduler, type QueueName } from '../jobs/index.js'
import { benchFromEnvironment, openBench } from './environment.js'

function untilSignal(logger: { info: (obj: object, msg: string) => void }, stop: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: finishing jobs in flight')
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }
}

function parseQueues(text: string | undefined): QueueName[] {
  const names = (text ?? QUEUE_NAMES.join(',')).split(',').map((name) => name.trim()).filter(Boolean)
  for (const name of names) if (!QUEUE_NAMES.includes(name as QueueName)) throw new Error(`Unknown queue ${name}: use ${QUEUE_NAMES.join(', ')}`)
  return names as QueueName[]
}

/**
 * `cortado worker --queue short,default,long`: with `redis_queue` in the common config, BullMQ
 * workers for those queues; otherwise the embedded queue of every site, run in this process.
 */
export async function workerCommand(options: { queue?: string }): Promise<void> {
  const bench = benchFromEnvironment()
  const queues = parseQueues(options.queue)
  const sites = await openBench(bench)
  const stopRealtime = publishRealtimeThroughRedis(sites, bench.logger)
  const settings = redisQueueSettings(readCommonConfig(sites.sitesPath))
  if (settings) {
    const workers = startRedisWorkers({ settings, queues, siteOf: (name) => sites.get(name), logger: bench.logger })
    bench.logger.info({ queues, redis: settings.url }, 'worker started')
    untilSignal(bench.logger, async () => {
      await workers.close()
      await sites.close()
      stopRealtime()
    })
    return
  }
  sites.onOpen((site) => site.services.jobs?.start())
  for (const site of await allSites(sites)) site.services.jobs?.start()
  // A site created later (`cortado new-site`) is opened, and its queue started, on the next look.
  const discover = setInterval(() => {
    allSites(sites).catch((error: unknown) => bench.logger.error({ err: error }, 'opening new sites failed'))
  }, 10_000)
  bench.logger.info({ sites: sites.names() }, 'worker started on the embedded queues')
  untilSignal(bench.logger, async () => {
    clearInterval(discover)
    await sites.close()
    stopRealtime()
  })
}

/** `cortado scheduler`: the scheduler alone (Frappe's `bench schedule`). */
export async function schedulerCommand(): Promise<void> {
  const bench = benchFromEnvironment()
  const sites = await openBench(bench)
  const stopRealtime = publishRealtimeThroughRedis(sites, bench.logger)
  const scheduler = startScheduler({ sites: () => allSites(sites), logger: bench.logger })
  bench.logger.info({ sites: sites.names() }, 'scheduler started')
  untilSignal(bench.logger, async () => {
    await scheduler.stop()
    await sites.close()
    stopRealtime()
  })
}
