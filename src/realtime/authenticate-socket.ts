import type { IncomingHttpHeaders } from 'node:http'
import { GUEST_SID, assertSameSite, authenticateHeader, findSession, cachedUserInfo } from '../auth/index.js'
import type { Site } from '../context/index.js'
import { FrameworkError } from '../errors/index.js'
import { corsAllows } from './cors.js'

/** Who a socket is: Frappe stores `user` and `user_type` on the socket at the handshake. */
export interface SocketUser {
  readonly user: string
  readonly userType: string
}

/** A refused handshake; socket.io gives the client `err.message` as its `connect_error`. */
export class SocketAuthError extends Error {
  constructor(reason: string) {
    super(`Unauthorized: ${reason}`)
    this.name = 'SocketAuthError'
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

/** The `sid` cookie of a `Cookie` header. */
export function sidCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at !== -1 && part.slice(0, at).trim() === 'sid') {
      const raw = part.slice(at + 1).trim()
      try {
        return decodeURIComponent(raw)
      } catch {
        return raw
      }
    }
  }
  return undefined
}

/** The user of a live `sid`, else Guest: Frappe resumes an unknown or expired session as Guest. */
async function sessionUser(site: Site, sid: string): Promise<SocketUser> {
  const guest = { user: 'Guest', userType: 'Website User' }
  if (sid === GUEST_SID) return guest
  const reader = site.services.database.reader
  const found = await findSession(reader, sid, site.config)
  if (found.status !== 'active') return guest
  const info = await cachedUserInfo(site, found.session.user)
  return info?.enabled ? { user: info.name, userType: info.userType } : guest
}

/**
 * Frappe's socket handshake (spec 10.2, `realtime/middlewares/authenticate.js`), done in process
 * with the HTTP layer's rules instead of an HTTP call back into the server: a browser's Origin
 * must match its Host, then the `sid` cookie is resumed and the `Authorization` header (token or
 * Basic) is checked, the header counting only when the session is Guest, as for HTTP. With
 * neither, the handshake is refused, as Frappe refuses it. Unlike Frappe v15, a `Cookie` header is
 * not required when an `Authorization` header is sent (non-browser clients have no cookies).
 */
export async function authenticateSocket(site: Site, headers: IncomingHttpHeaders, clientAddress: string | undefined): Promise<SocketUser> {
  const origin = headerValue(headers, 'origin')
  try {
    // An origin the site's `allow_cors` names may connect, as it may read over HTTP.
    if (!corsAllows(site.config, origin)) assertSameSite({ method: 'POST', origin, host: headerValue(headers, 'host'), fetchSite: undefined }, site.config)
  } catch {
    throw new SocketAuthError('Invalid origin')
  }
  const sid = sidCookie(headerValue(headers, 'cookie'))
  const authorization = headerValue(headers, 'authorization')
  if (!sid && !authorization) throw new SocketAuthError('No authentication method used.')
  const fromSession = sid ? await sessionUser(site, sid) : undefined
  if (fromSession && fromSession.user !== 'Guest') return fromSession
  let user: string | undefined
  try {
    user = await authenticateHeader(site, authorization, { clientAddress })
  } catch (error) {
    if (error instanceof FrameworkError) throw new SocketAuthError(error.message)
    throw error
  }
  if (!user) return fromSession ?? { user: 'Guest', userType: 'Website User' }
  const info = await cachedUserInfo(site, user)
  return { user, userType: info?.userType ?? 'System User' }
}
