import type { RequestContext } from './context.js'
import type { TraceEntry } from './trace.js'

/** Appends to the hook trace and the debug log when developer mode is on. */
export function recordTrace(ctx: RequestContext, entry: TraceEntry): void {
  if (!ctx.trace) return
  ctx.trace.push(entry)
  ctx.logger.debug({ trace: entry }, 'trace')
}
