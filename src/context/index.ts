export { afterCommit, onRollback } from './after-commit.js'
export {
  currentContext,
  hasRole,
  maybeContext,
  runInContext,
  withContext,
  type AfterCommitCallback,
  type Logger,
  type RequestContext,
  type RequestFlags,
  type ServerMessage,
  type UnitOfWork,
} from './context.js'
export { msgprint } from './messages.js'
export { newContext, type NewContextOptions } from './new-context.js'
export { recordTrace } from './record-trace.js'
export { isDeveloperMode, type Site, type SiteConfig, type SiteServices } from './site.js'
export type { TraceEntry } from './trace.js'
export { publishRealtime, type RealtimeOptions, type RealtimePublisher } from './realtime.js'
export { msgprintRealtime, publishProgress, publishTaskProgress, type ProgressOptions } from './realtime-events.js'
