import { afterCommit } from './after-commit.js'
import { currentContext } from './context.js'

/** Where an event goes, by Frappe's room rules (spec 10.1). */
export interface RealtimeOptions {
  readonly doctype?: string
  readonly docname?: string
  readonly user?: string
  readonly room?: string
  readonly taskId?: string
  /** Send only once the unit of work commits (dropped on rollback), deduplicated per transaction. */
  readonly afterCommit?: boolean
}

/** Implemented by realtime/ (socket.io); the layers below publish through this port only. */
export interface RealtimePublisher {
  publish(site: string, event: string, message: unknown, options: RealtimeOptions): void
}

declare module './site.js' {
  interface SiteServices {
    /** Absent where nothing listens (CLI commands, tests without a server). */
    readonly realtime?: RealtimePublisher
  }
}

declare module './context.js' {
  interface UnitOfWork {
    /** Keys of after-commit events already queued, so each is sent once per transaction. */
    realtimeQueued?: Set<string>
  }
}

/**
 * Frappe's `publish_realtime`. With `afterCommit`, the event waits for the commit, is dropped on
 * rollback, and is sent once however many times it was queued in the transaction.
 */
export function publishRealtime(event: string, message: unknown, options: RealtimeOptions = {}): void {
  const ctx = currentContext()
  const publisher = ctx.site.services.realtime
  if (!publisher) return
  const site = ctx.site.name
  if (!options.afterCommit) {
    publisher.publish(site, event, message, options)
    return
  }
  const key = JSON.stringify([event, message, options.doctype, options.docname, options.user, options.room, options.taskId])
  ctx.work.realtimeQueued ??= new Set()
  if (ctx.work.realtimeQueued.has(key)) return
  ctx.work.realtimeQueued.add(key)
  afterCommit(() => publisher.publish(site, event, message, options), `realtime:${event}`)
}
