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

/**
 * Frappe's `publish_realtime`. With `afterCommit`, the event waits for the commit, is dropped on
 * rollback, and is sent once however many times it was queued in the transaction.
 */
export function publishRealtime(event: string, message: unknown, requested: RealtimeOptions = {}): void {
  const ctx = currentContext()
  const publisher = ctx.site.services.realtime
  if (!publisher) return
  const site = ctx.site.name
  // Frappe: `msgprint` goes to the session user unless told otherwise; task progress never waits for a commit.
  const options = event === 'msgprint' && !requested.user && !requested.room ? { ...requested, user: ctx.user } : requested
  if (!options.afterCommit || options.taskId) {
    publisher.publish(site, event, message, options)
    return
  }
  // The queue itself is the memory of what was sent: a rolled-back savepoint forgets its events.
  const label = `realtime:${JSON.stringify([event, message, options.doctype, options.docname, options.user, options.room, options.taskId])}`
  if (ctx.work.afterCommit.some((queued) => queued.label === label)) return
  afterCommit(() => publisher.publish(site, event, message, options), label)
}
