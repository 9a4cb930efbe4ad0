/**
 * Cortado's public API: what apps import. Named re-exports only; nothing in src/ imports this.
 *
 * @example
 * ```ts
 * import { Document, ValidationError } from 'cortado'
 *
 * export class SalesOrder extends Document {
 *   override async validate(): Promise<void> {
 *     if (this.getTable('items').length === 0) throw new ValidationError('An order needs items')
 *   }
 * }
 * ```
 */
export type { AppHooks } from './app/index.js'
export {
  afterCommit,
  currentContext,
  msgprint,
  msgprintRealtime,
  publishProgress,
  publishRealtime,
  type RequestContext,
} from './context/index.js'
export { database, inTransaction } from './db/index.js'
/** Background jobs (spec 11): `enqueue('app.tasks.fn', { queue: 'long', ...kwargs })`, progress from a job. */
export { enqueue, publishJobProgress, RetryBackgroundJobError, type EnqueueOptions, type JobFunction, type JobHandle } from './jobs/index.js'
export {
  CancelledLinkError,
  DoesNotExistError,
  DuplicateEntryError,
  FrameworkError,
  LinkValidationError,
  MandatoryError,
  PermissionError,
  TimestampMismatchError,
  ValidationError,
} from './errors/index.js'
export { getMeta, type DocField, type DocTypeMeta } from './meta/index.js'
export {
  Document,
  cancelDocument,
  deleteDocument,
  getDocument,
  insertDocument,
  newDocument,
  renameDocument,
  saveDocument,
  submitDocument,
  type DocEventHandler,
  type DocValues,
  type MethodCall,
  type WhitelistedMethod,
  whitelistDocMethods,
  type DocMethod,
  type DocMethods,
  type HttpVerb,
} from './model/index.js'
