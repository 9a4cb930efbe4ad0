import type { Logger, Site } from '../context/index.js'
import { startScheduler, type RunningScheduler } from '../jobs/index.js'
import { readCommonConfig } from './site-config.js'
import type { Sites } from './sites.js'

/** Opens every site of the bench (for the scheduler and the job runners). */
export async function allSites(sites: Sites): Promise<Site[]> {
  return Promise.all(sites.names().map((name) => sites.get(name)))
}

/**
 * What `serve` runs beside HTTP: the embedded job queue of every site (so jobs queued before a
 * restart run now), and the scheduler unless the common config sets `pause_scheduler` (or the
 * caller, one cluster worker of several, leaves it to another).
 */
export async function startBackgroundWork(sites: Sites, logger: Logger, options: { scheduler?: boolean } = {}): Promise<{ stop(): Promise<void> }> {
  let scheduler: RunningScheduler | undefined
  // A site opened later (created after `serve` started) gets its queue and a scheduler pass at once.
  const stopListening = sites.onOpen((site) => {
    site.services.jobs?.start()
    scheduler?.wake()
  })
  for (const site of await allSites(sites)) site.services.jobs?.start()
  if (options.scheduler !== false && !readCommonConfig(sites.sitesPath).pause_scheduler) {
    scheduler = startScheduler({ sites: () => allSites(sites), logger })
  }
  return {
    stop: async () => {
      stopListening()
      await scheduler?.stop()
    },
  }
}
