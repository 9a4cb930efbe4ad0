import { randomUUID } from 'node:crypto'
import type { Logger, Site } from '../context/index.js'
import { runSchedulerTick, syncScheduledJobTypes } from './scheduler.js'

/** Frappe checks the Scheduled Job Types every 60 s. */
const TICK_MS = 60_000

export interface RunningScheduler {
  /** Ticks now (after the tick in progress, if any), e.g. for a site opened since the last one. */
  wake(): void
  stop(): Promise<void>
}

/**
 * The scheduler loop (`cortado scheduler`, or inside `serve`): syncs each site's Scheduled Job
 * Types, then ticks every minute, skipping sites whose config sets `pause_scheduler`.
 */
export function startScheduler(options: { sites: () => Promise<Site[]>; logger: Logger }): RunningScheduler {
  const owner = randomUUID()
  const synced = new Set<string>()
  let ticking: Promise<void> | undefined
  let again = false
  let stopped = false
  async function tick(): Promise<void> {
    for (const site of await options.sites()) {
      if (site.config.pause_scheduler) continue
      try {
        if (!synced.has(site.name)) {
          await syncScheduledJobTypes(site, options.logger)
          synced.add(site.name)
        }
        await runSchedulerTick(site, options.logger, { owner })
      } catch (error) {
        options.logger.error({ err: error, site: site.name }, 'scheduler tick failed')
      }
    }
  }
  const run = (): void => {
    if (stopped) return
    if (ticking) {
      again = true
      return
    }
    ticking = tick().finally(() => {
      ticking = undefined
      if (again) {
        again = false
        run()
      }
    })
  }
  run()
  const timer = setInterval(run, TICK_MS)
  timer.unref()
  return {
    wake: run,
    async stop() {
      stopped = true
      clearInterval(timer)
      while (ticking) await ticking
    },
  }
}
