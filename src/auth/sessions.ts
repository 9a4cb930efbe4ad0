import { createHash, randomBytes } from 'node:crypto'
import type { SiteConfig } from '../context/index.js'
import type { Executor } from '../db/index.js'
import { isPlainObject, nowDatetime } from '../utils/index.js'
import type { UserInfo } from './user-info.js'

/** All guests share this session id, as in Frappe (spec 5.1). */
export const GUEST_SID = 'Guest'

/** System Settings' default `session_expiry` in Frappe v15: an idle timeout of 170 hours. */
const DEFAULT_EXPIRY = '170:00'
/** The row's `lastupdate` is rewritten at most this often (Frappe: 10 minutes). */
export const REFRESH_INTERVAL_MS = 10 * 60 * 1000

/** A logged-in session as stored in `tabSessions` (Frappe's `frappe.session`). */
export interface Session {
  /** The session id the client holds (cookie or `sid` argument). */
  readonly sid: string
  readonly user: string
  /** Frappe's session data: `user`, `session_ip`, `full_name`, `user_type`, `csrf_token`… */
  readonly data: Readonly<Record<string, unknown>>
  /** When the row was last written, as a Frappe datetime. */
  readonly lastUpdate: string
}

/** The idle timeout in seconds: site config `session_expiry` as `HH:MM` or `HH:MM:SS`. */
export function sessionExpirySeconds(config: SiteConfig): number {
  const text = typeof config.session_expiry === 'string' && config.session_expiry ? config.session_expiry : DEFAULT_EXPIRY
  const parts = text.split(':').map(Number)
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !Number.isInteger(part) || part < 0)) {
    return sessionExpirySeconds({ session_expiry: DEFAULT_EXPIRY })
  }
  const [hours = 0, minutes = 0, seconds = 0] = parts
  return hours * 3600 + minutes * 60 + seconds
}

/** The stored key of a session id: a leaked table gives away no live session. */
function sidKey(sid: string): string {
  return createHash('sha256').update(sid).digest('hex')
}

/** Frappe datetimes are local wall-clock times. */
function millisOf(datetime: string): number {
  return new Date(datetime.replace(' ', 'T')).getTime()
}

/** 56 random hex characters, like Frappe's `generate_hash()`. */
export function newToken(): string {
  return randomBytes(28).toString('hex')
}

export interface StartSessionOptions {
  readonly address: string
  readonly config: SiteConfig
  readonly device?: string
}

/** Stores a new session for a user who has just logged in; records the login on the User. */
export async function startSession(tx: Executor, user: UserInfo, options: StartSessionOptions): Promise<Session> {
  const sid = newToken()
  const now = nowDatetime()
  const device = options.device === 'mobile' ? 'mobile' : 'desktop'
  const data = {
    user: user.name,
    session_ip: options.address,
    last_updated: now,
    session_expiry: String(options.config.session_expiry ?? DEFAULT_EXPIRY),
    full_name: user.fullName,
    user_type: user.userType,
    device,
  }
  await tx
    .insertInto('tabSessions')
    .values({ sid: sidKey(sid), user: user.name, sessiondata: JSON.stringify(data), ipaddress: options.address, lastupdate: now, status: 'Active', device })
    .execute()
  await tx.updateTable('tabUser').set({ last_login: now, last_ip: options.address, last_active: now }).where('name', '=', user.name).execute()
  return { sid, user: user.name, data, lastUpdate: now }
}

export type FoundSession =
  | { readonly status: 'active'; readonly session: Session }
  | { readonly status: 'expired' | 'missing' }

/** The session with this id, unless it is unknown or idle for longer than the site's expiry. */
export async function findSession(db: Executor, sid: string, config: SiteConfig, now = Date.now()): Promise<FoundSession> {
  const row = await db.selectFrom('tabSessions').select(['user', 'sessiondata', 'lastupdate']).where('sid', '=', sidKey(sid)).executeTakeFirst()
  if (!row) return { status: 'missing' }
  const lastUpdate = String(row.lastupdate)
  const age = now - millisOf(lastUpdate)
  if (!(age < sessionExpirySeconds(config) * 1000)) return { status: 'expired' }
  let data: unknown
  try {
    data = JSON.parse(String(row.sessiondata ?? '{}'))
  } catch {
    data = {}
  }
  return { status: 'active', session: { sid, user: String(row.user), data: isPlainObject(data) ? data : {}, lastUpdate } }
}

/** Whether the row's `lastupdate` is old enough to be rewritten (at most every 10 minutes). */
export function needsRefresh(session: Session, now = Date.now()): boolean {
  return now - millisOf(session.lastUpdate) >= REFRESH_INTERVAL_MS
}

/** Extends the idle timeout: Frappe's `Session.update`. */
export async function refreshSession(tx: Executor, session: Session): Promise<void> {
  const now = nowDatetime()
  const data = { ...session.data, last_updated: now }
  await tx.updateTable('tabSessions').set({ lastupdate: now, sessiondata: JSON.stringify(data) }).where('sid', '=', sidKey(session.sid)).execute()
  await tx.updateTable('tabUser').set({ last_active: now }).where('name', '=', session.user).execute()
}

/** Replaces the session's data (e.g. to add its CSRF token). */
export async function writeSessionData(tx: Executor, sid: string, data: Readonly<Record<string, unknown>>): Promise<void> {
  await tx.updateTable('tabSessions').set({ sessiondata: JSON.stringify(data) }).where('sid', '=', sidKey(sid)).execute()
}

export async function deleteSession(tx: Executor, sid: string): Promise<void> {
  await tx.deleteFrom('tabSessions').where('sid', '=', sidKey(sid)).execute()
}

/** Ends a user's sessions, all or all but one (`deny_multiple_sessions`, disabling a user). */
export async function deleteUserSessions(tx: Executor, user: string, options: { keepSid?: string } = {}): Promise<void> {
  let query = tx.deleteFrom('tabSessions').where('user', '=', user)
  if (options.keepSid) query = query.where('sid', '!=', sidKey(options.keepSid))
  await query.execute()
}
