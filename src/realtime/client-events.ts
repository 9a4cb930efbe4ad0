import { principalOf } from '../auth/index.js'
import { newContext, runInContext, type Logger, type Site } from '../context/index.js'
import { DoesNotExistError } from '../errors/index.js'
import { getDocument, hasPermission } from '../model/index.js'
import type { Namespace, Socket } from 'socket.io'
import { docRoom, doctypeRoom, openDocRoom, taskProgressRoom } from './rooms.js'

/** What the handshake stores on a socket (`socket.data`). */
export interface SocketSession {
  readonly site: Site
  readonly user: string
  readonly userType: string
  /** `''` on a site's namespace; `<site>:` on the `/` namespace, where v14 prefixed its rooms. */
  readonly roomPrefix: string
}

export type SiteSocket = Socket<Record<string, (...args: unknown[]) => void>, Record<string, (...args: unknown[]) => void>, Record<string, never>, SocketSession>

/**
 * Frappe's `can_subscribe_doctype` / `can_subscribe_doc`: read permission on the DocType, or on
 * the stored document, checked with the user's current roles in a context of its own.
 */
async function canRead(session: SocketSession, logger: Logger, doctype: unknown, docname?: unknown): Promise<boolean> {
  if (typeof doctype !== 'string' || (docname !== undefined && typeof docname !== 'string')) return false
  const meta = session.site.services.meta.find(doctype)
  if (!meta) return false
  const principal = await principalOf(session.site, session.user)
  const ctx = newContext({ site: session.site, user: principal.user, roles: principal.roles, logger })
  if (docname === undefined) return hasPermission(ctx, meta, 'read')
  try {
    const doc = await runInContext(ctx, () => getDocument(doctype, docname))
    return await hasPermission(ctx, meta, 'read', doc)
  } catch (error) {
    if (error instanceof DoesNotExistError) return false
    throw error
  }
}

/** Tells everyone viewing a document who views it: `doc_viewers` to its `open_doc:` room. */
async function broadcastViewers(nsp: Namespace, session: SocketSession, doctype: string, docname: string, sender?: string): Promise<void> {
  const room = session.roomPrefix + openDocRoom(doctype, docname)
  const sockets = await nsp.in(room).fetchSockets()
  const users = [...new Set(sockets.map((socket) => String((socket.data as SocketSession).user)))]
  if (users.length === 0 || (users.length === 1 && users[0] === sender)) return // alone: nobody to tell
  nsp.to(room).emit('doc_viewers', { doctype, docname, users })
}

/**
 * The client events of Frappe's `frappe_handlers.js` (spec 10.2). They run one at a time per
 * socket, in the order sent, so `ping` answers only once the subscriptions sent before it are
 * settled. A refused subscription is silent, as in Frappe.
 */
export function registerClientEvents(socket: SiteSocket, logger: Logger): void {
  const session = socket.data
  const prefixed = (room: string): string => session.roomPrefix + room
  let queue = Promise.resolve()
  const handle = (event: string, fn: (...args: unknown[]) => Promise<void> | void): void => {
    socket.on(event, (...args: unknown[]) => {
      queue = queue.then(() => fn(...args)).catch((error: unknown) => logger.error({ err: error, event }, 'realtime client event failed'))
    })
  }
  const docArgs = (doctype: unknown, docname: unknown): [string, string] | undefined =>
    typeof doctype === 'string' && typeof docname === 'string' ? [doctype, docname] : undefined

  handle('ping', () => void socket.emit('pong'))
  handle('doctype_subscribe', async (doctype) => {
    if (await canRead(session, logger, doctype)) await socket.join(prefixed(doctypeRoom(String(doctype))))
  })
  handle('doctype_unsubscribe', async (doctype) => socket.leave(prefixed(doctypeRoom(String(doctype)))))
  handle('doc_subscribe', async (doctype, docname) => {
    const doc = docArgs(doctype, docname)
    if (doc && (await canRead(session, logger, ...doc))) await socket.join(prefixed(docRoom(...doc)))
  })
  handle('doc_unsubscribe', async (doctype, docname) => {
    const doc = docArgs(doctype, docname)
    if (doc) await socket.leave(prefixed(docRoom(...doc)))
  })
  handle('doc_open', async (doctype, docname) => {
    const doc = docArgs(doctype, docname)
    if (!doc || !(await canRead(session, logger, ...doc))) return
    await socket.join(prefixed(openDocRoom(...doc)))
    await broadcastViewers(socket.nsp, session, ...doc, session.user)
  })
  handle('doc_close', async (doctype, docname) => {
    const doc = docArgs(doctype, docname)
    if (!doc) return
    await socket.leave(prefixed(openDocRoom(...doc)))
    await broadcastViewers(socket.nsp, session, ...doc)
  })
  // Task ids are random and unguessable; Frappe checks nothing more for these rooms.
  for (const event of ['task_subscribe', 'progress_subscribe']) {
    handle(event, async (taskId) => {
      if (typeof taskId === 'string' && taskId) await socket.join(prefixed(taskProgressRoom(taskId)))
    })
  }
  handle('task_unsubscribe', async (taskId) => {
    if (typeof taskId === 'string' && taskId) await socket.leave(prefixed(taskProgressRoom(taskId)))
  })

  // The documents a leaving socket had open get their viewer lists again.
  socket.on('disconnecting', () => {
    const openPrefix = prefixed(openDocRoom('', '')).replace(/\/$/, '')
    const open = [...socket.rooms].filter((room) => room.startsWith(openPrefix))
    socket.once('disconnect', () => {
      for (const room of open) {
        const [doctype = '', docname = ''] = splitDocRoom(room.slice(openPrefix.length))
        broadcastViewers(socket.nsp, session, doctype, docname).catch((error: unknown) => logger.error({ err: error }, 'doc_viewers failed'))
      }
    })
  })
}

/** `<doctype>/<docname>`: a DocType name has no `/`, a document name may. */
function splitDocRoom(rest: string): [string, string] {
  const at = rest.indexOf('/')
  return [rest.slice(0, at), rest.slice(at + 1)]
}
