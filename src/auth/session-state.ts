import { currentContext, type RequestContext } from '../context/index.js'
import { inTransaction } from '../db/index.js'
import { deleteSession, newToken, writeSessionData, type Session } from './sessions.js'
import type { UserInfo } from './user-info.js'

/**
 * The login session a request runs in, shared by the HTTP layer (which writes the cookies)
 * and the unit of work (logout and the CSRF token change it).
 */
export interface SessionState {
  /** The stored session, or undefined for Guest. */
  session: Session | undefined
  /** Whom the `full_name`, `user_id`, `user_image` and `system_user` cookies describe. */
  readonly info: UserInfo
  /** The response deletes the auth cookies: logout, or an unknown or expired `sid`. */
  clearCookies: boolean
  /** The request's `sid` named no live session: the reply says `session_expired: 1` (Frappe's `get_session_record`). */
  readonly expired?: boolean
}

declare module '../context/context.js' {
  interface UnitOfWork {
    /** The request's login session; absent outside HTTP requests. */
    session?: SessionState
  }
}

/** Logout (spec 5.2): deletes the session row and clears the cookies; the request goes on as Guest. */
export async function endSession(ctx: RequestContext = currentContext()): Promise<void> {
  const state = ctx.work.session
  if (!state) return
  const session = state.session
  if (session) {
    await inTransaction((tx) => deleteSession(tx, session.sid))
    ctx.flags.commit = true // logout commits even on GET, as Frappe's does
  }
  state.session = undefined
  state.clearCookies = true
}

/**
 * The session's CSRF token, created and stored on first use (Frappe's `get_csrf_token`). From
 * then on every unsafe request of the session must carry it (spec 5.4). Guest has none.
 */
export async function csrfTokenOf(ctx: RequestContext = currentContext()): Promise<string | undefined> {
  const session = ctx.work.session?.session
  if (!session) return undefined
  const existing = session.data.csrf_token
  if (typeof existing === 'string' && existing) return existing
  const token = newToken()
  const data = { ...session.data, csrf_token: token }
  await inTransaction((tx) => writeSessionData(tx, session.sid, data))
  ctx.flags.commit = true // handed out by GET requests too; it must outlive them
  if (ctx.work.session) ctx.work.session.session = { ...session, data }
  return token
}
