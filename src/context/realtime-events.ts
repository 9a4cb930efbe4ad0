import { currentContext, type ServerMessage } from './context.js'
import { publishRealtime } from './realtime.js'

/** Frappe's `msgprint(..., realtime=True)`: the message object (spec 4.1) as a `msgprint` event to a user. */
export function msgprintRealtime(message: string, options: Omit<ServerMessage, 'message'> & { readonly user?: string } = {}): void {
  const { user, ...fields } = options
  publishRealtime('msgprint', { message, title: 'Message', ...fields }, { user: user ?? currentContext().user })
}

export interface ProgressOptions {
  readonly title?: string
  readonly description?: string
  /** With `docname`, the progress goes to the document's room instead of the user's. */
  readonly doctype?: string
  readonly docname?: string
  readonly taskId?: string
}

/**
 * Frappe's `publish_progress`: `{percent, title, description}` as a `progress` event, to the
 * document's room when one is named, else to the session user (or the task's room).
 */
export function publishProgress(percent: number, options: ProgressOptions = {}): void {
  const toDocument = Boolean(options.doctype && options.docname)
  publishRealtime(
    'progress',
    { percent, title: options.title ?? null, description: options.description ?? null },
    { doctype: options.doctype, docname: options.docname, taskId: options.taskId, user: toDocument ? undefined : currentContext().user },
  )
}

/** A `task_progress` event to `task_progress:<taskId>`, sent at once; the message gains `task_id`. */
export function publishTaskProgress(taskId: string, message: Record<string, unknown>): void {
  publishRealtime('task_progress', message, { taskId })
}
