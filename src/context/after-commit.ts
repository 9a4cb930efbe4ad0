import { currentContext, type AfterCommitCallback } from './context.js'
import { recordTrace } from './record-trace.js'

/**
 * Runs `fn` once the current unit of work has committed; dropped if it rolls back.
 * Realtime events, jobs and mail leave through here, so nobody hears of uncommitted data.
 */
export function afterCommit(fn: AfterCommitCallback, label = fn.name || 'callback'): void {
  const ctx = currentContext()
  ctx.work.afterCommit.push({ label, run: fn })
  recordTrace(ctx, { kind: 'after_commit', label })
}

/** Runs `fn` if the writes made so far in this action are rolled back (metadata caches use it). */
export function onRollback(fn: AfterCommitCallback): void {
  currentContext().work.onRollback.push(fn)
}
