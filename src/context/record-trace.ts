import type { RequestContext } from './context.js'
import type { TraceEntry } from './trace.js'

/** Appends to the hook trace when developer mode is on; the entry point logs it at the end. */
export function recordTrace(ctx: RequestContext, entry: TraceEntry): void {
  ctx.trace?.push(entry)
}
