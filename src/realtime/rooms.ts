import type { RealtimeOptions } from '../context/index.js'
import { isPlainObject } from '../utils/index.js'

/** Room names as Frappe's `realtime/utils.js` and `frappe/realtime.py` spell them (spec 10). */
export const ALL_ROOM = 'all'
export const WEBSITE_ROOM = 'website'
export const userRoom = (user: string): string => `user:${user}`
export const doctypeRoom = (doctype: string): string => `doctype:${doctype}`
export const docRoom = (doctype: string, name: string): string => `doc:${doctype}/${name}`
export const openDocRoom = (doctype: string, name: string): string => `open_doc:${doctype}/${name}`
export const taskProgressRoom = (taskId: string): string => `task_progress:${taskId}`

/** One event, addressed: what a publisher emits to one room of a site's namespace. */
export interface RoutedEvent {
  readonly event: string
  readonly room: string
  readonly message: unknown
}

function messageField(message: unknown, key: string): string | undefined {
  return isPlainObject(message) && typeof message[key] === 'string' ? message[key] : undefined
}

/**
 * Frappe's `publish_realtime` room rules (spec 10.1), first match wins: explicit room,
 * `list_update` → the DocType's room, `docinfo_update` → the document's room, a task → its
 * progress room (the message gains `task_id`), a user → the user's room, doctype and docname →
 * the document's room, otherwise `all` (every desk user).
 */
export function routeEvent(event: string | undefined, message: unknown, options: RealtimeOptions): RoutedEvent {
  const name = event || (options.taskId ? 'task_progress' : 'global')
  if (options.room) return { event: name, room: options.room, message }
  if (name === 'list_update') {
    const doctype = options.doctype ?? messageField(message, 'doctype') ?? ''
    return { event: name, room: doctypeRoom(doctype), message }
  }
  if (name === 'docinfo_update') return { event: name, room: docRoom(options.doctype ?? '', options.docname ?? ''), message }
  if (options.taskId) {
    const withTask = isPlainObject(message) && !('task_id' in message) ? { ...message, task_id: options.taskId } : message
    return { event: name, room: taskProgressRoom(options.taskId), message: withTask }
  }
  if (options.user) return { event: name, room: userRoom(options.user), message }
  if (options.doctype && options.docname) return { event: name, room: docRoom(options.doctype, options.docname), message }
  return { event: name, room: ALL_ROOM, message }
}
