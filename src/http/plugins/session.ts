import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  GUEST_INFO,
  GUEST_SID,
  assertCsrfToken,
  assertSameSite,
  authenticateHeader,
  deleteSession,
  findSession,
  cachedUserInfo,
  needsRefresh,
  principalOf,
  refreshSession,
  sessionExpirySeconds,
  type BrowserContext,
  type Principal,
  type SessionState,
} from '../../auth/index.js'
import { newContext, type RequestContext, type Site, type SiteConfig } from '../../context/index.js'
import { inTransaction, runUnitOfWork, type Executor } from '../../db/index.js'
import { TooManyRequestsError } from '../../errors/index.js'
import { isPlainObject } from '../../utils/index.js'
import { buildFormDict } from '../request-args.js'

/** What a request's response does with the auth cookies. */
export interface RequestAuth {
  readonly state: SessionState
  /** The `sid` cookie's Max-Age: the site's session expiry. */
  readonly maxAge: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's login session, once authentication has run. */
    cortadoAuth: RequestAuth | undefined
  }
}

/** The cookies Frappe sets on login and on every resumed request, and clears on logout (spec 5.1). */
const AUTH_COOKIES = ['sid', 'system_user', 'full_name', 'user_id', 'user_image'] as const

/** Python's `quote()`, which Frappe applies to cookie values: `/` stays as it is. */
function encodeCookie(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/')
}

/** Serialised `Set-Cookie` lines by their inputs: nearly every response repeats one of a few sets. */
const cookieLines = new Map<string, readonly string[]>()

function authCookieLines(request: FastifyRequest, auth: RequestAuth): readonly string[] {
  const { state } = auth
  const secure = request.protocol === 'https'
  const values = [state.session?.sid ?? GUEST_SID, state.info.userType === 'Website User' ? 'no' : 'yes', state.info.fullName, state.info.name, state.info.userImage]
  const key = JSON.stringify([values, auth.maxAge, secure])
  let lines = cookieLines.get(key)
  if (!lines) {
    const base = { path: '/', sameSite: 'lax', secure, encode: encodeCookie } as const
    lines = AUTH_COOKIES.map((name, at) =>
      request.server.serializeCookie(name, values[at] ?? '', name === 'sid' ? { ...base, httpOnly: true, maxAge: auth.maxAge } : base),
    )
    if (cookieLines.size >= 1000) cookieLines.clear() // logged-in users' own sets: keep it bounded
    cookieLines.set(key, lines)
  }
  return lines
}

function writeAuthCookies(request: FastifyRequest, reply: FastifyReply): void {
  const auth = request.cortadoAuth
  // An AuthenticationError (the only 401) clears the cookies too (spec 4.2).
  if (reply.statusCode === 401 || auth?.state.clearCookies) {
    for (const name of AUTH_COOKIES) void reply.clearCookie(name, { path: '/' })
    return
  }
  if (!auth) return
  const earlier = reply.getHeader('set-cookie')
  const lines = authCookieLines(request, auth)
  void reply.header('set-cookie', earlier === undefined ? lines : [...(Array.isArray(earlier) ? earlier : [String(earlier)]), ...lines])
}

/** Cookie parsing, the auth cookies on every response, `Retry-After` on throttled requests. */
export async function registerSessionPlugin(app: FastifyInstance): Promise<void> {
  if (!app.hasReplyDecorator('setCookie')) await app.register(cookie)
  app.decorateRequest('cortadoAuth', undefined)
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof TooManyRequestsError) void reply.header('retry-after', String(error.retryAfter))
  })
  // Frappe v15 answers a request whose `sid` names no live session as Guest, with `session_expired: 1`
  // in the body whatever the status; the desk takes it as "log in again".
  // Callback hooks, not async ones: they run on every response and need no promise.
  app.addHook('preSerialization', (request, _reply, payload: unknown, done) => {
    if (!request.cortadoAuth?.state.expired || !isPlainObject(payload)) return done(null, payload)
    done(null, { ...payload, session_expired: 1 })
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    writeAuthCookies(request, reply)
    done(null, payload)
  })
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

/** Whether the socket's peer is a proxy that site config `trusted_proxies` names (or `true`: any). */
function isTrustedProxy(request: FastifyRequest, config: SiteConfig): boolean {
  const setting = config.trusted_proxies
  if (setting === true || setting === 1) return true
  return Array.isArray(setting) && setting.map(String).includes(normalizeAddress(request.socket.remoteAddress ?? ''))
}

/**
 * The client's address: the socket's peer. `X-Forwarded-For` counts only when the peer is a
 * proxy that site config `trusted_proxies` names (a list of addresses, or `true` for any peer);
 * then the hops are read from the right, skipping listed proxies, so a client-set value is
 * never believed. (Frappe always takes the header's first entry.)
 */
export function clientAddress(request: FastifyRequest, config: SiteConfig): string {
  const peer = normalizeAddress(request.socket.remoteAddress ?? '')
  const listed = Array.isArray(config.trusted_proxies) ? config.trusted_proxies.map(String) : []
  const header = request.headers['x-forwarded-for']
  if (!isTrustedProxy(request, config) || typeof header !== 'string') return peer
  const hops = header.split(',').map((hop) => normalizeAddress(hop.trim())).filter(Boolean)
  let address = peer
  for (const hop of hops.toReversed()) {
    address = hop
    if (!listed.includes(hop)) break
  }
  return address
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

/** The headers that tell a browser's cross-site request; behind a trusted proxy, its `X-Forwarded-Host` is the host. */
export function browserContext(request: FastifyRequest, config: SiteConfig): BrowserContext {
  const forwardedHost = isTrustedProxy(request, config) ? header(request, 'x-forwarded-host')?.split(',')[0]?.trim() : undefined
  return {
    method: request.method,
    fetchSite: header(request, 'sec-fetch-site'),
    origin: header(request, 'origin'),
    host: forwardedHost || header(request, 'host'),
  }
}

/** Session bookkeeping outside the request's unit of work, committed at once (as Frappe's session code commits). */
export async function commitNow<T>(site: Site, request: FastifyRequest, user: string, write: (tx: Executor) => Promise<T>): Promise<T> {
  const ctx = newContext({ site, user, roles: [], logger: request.log, requestId: String(request.id) })
  return runUnitOfWork(ctx, () => inTransaction(write))
}

const guest = (): SessionState => ({ session: undefined, info: GUEST_INFO, clearCookies: false })
/** An unknown or expired `sid`: Guest, with the cookies cleared and `session_expired: 1` in the reply. */
const expiredGuest = (): SessionState => ({ session: undefined, info: GUEST_INFO, clearCookies: true, expired: true })

/** Frappe's `Session.resume`: the `sid` argument, else the `sid` cookie; unknown or expired is Guest. */
async function resumeSession(site: Site, request: FastifyRequest, args: Record<string, unknown>): Promise<SessionState> {
  const sid = typeof args.sid === 'string' && args.sid ? args.sid : request.cookies?.sid
  if (!sid || sid === GUEST_SID) return guest()
  const reader = site.services.database.reader
  const found = await findSession(reader, sid, site.config)
  if (found.status === 'missing') return expiredGuest()
  const session = found.status === 'active' ? found.session : undefined
  const info = session ? await cachedUserInfo(site, session.user) : undefined
  if (!session || !info?.enabled) {
    await commitNow(site, request, 'Guest', (tx) => deleteSession(tx, sid)) // expired, or its user disabled
    return expiredGuest()
  }
  if (needsRefresh(session)) await commitNow(site, request, info.name, (tx) => refreshSession(tx, session))
  return { session, info, clearCookies: false }
}

/**
 * Frappe's `HTTPRequest` and `validate_auth` (spec 12.2 step 2): resumes the cookie session,
 * checks CSRF for it, then the `Authorization` header, which sets the user only when the
 * session is Guest (but is checked either way).
 */
export async function authenticateRequest(site: Site, request: FastifyRequest): Promise<Principal> {
  const args = buildFormDict(request)
  const state = await resumeSession(site, request, args)
  request.cortadoAuth = { state, maxAge: sessionExpirySeconds(site.config) }
  if (state.session) {
    assertSameSite(browserContext(request, site.config), site.config)
    assertCsrfToken(state.session, request.method, header(request, 'x-frappe-csrf-token') ?? args.csrf_token, site.config)
  }
  const headerUser = await authenticateHeader(site, header(request, 'authorization'), { clientAddress: clientAddress(request, site.config) })
  return principalOf(site, state.session?.user ?? headerUser ?? 'Guest')
}

/** Gives the unit of work the request's session, for logout and the CSRF token. */
export function attachSession(ctx: RequestContext, request: FastifyRequest): void {
  if (request.cortadoAuth) ctx.work.session = request.cortadoAuth.state
}
