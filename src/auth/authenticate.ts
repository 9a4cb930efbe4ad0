import { createHash } from 'node:crypto'
import type { Site } from '../context/index.js'
import { cached } from '../db/index.js'
import { AuthenticationError, InvalidAuthorizationHeader, InvalidAuthorizationToken } from '../errors/index.js'
import { verifyPassword } from '../model/index.js'
import { spendVerification } from './dummy-hash.js'
import { loginThrottle } from './login-throttle.js'
import { cachedRolesOf } from './user-info.js'

/** Who a request acts as. */
export interface Principal {
  readonly user: string
  readonly roles: readonly string[]
}

export const GUEST: Principal = { user: 'Guest', roles: ['Guest'] }

const VERIFIED_MAX = 10_000
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Credentials already checked against their scrypt hash, so that a client sending the same
 * token on every request pays the slow KDF once, not every time. Keyed by site and a SHA-256 of
 * the credentials; process-wide, holding no request state. An entry holds the hash it was
 * checked against, so a changed password or secret (even from another process, such as
 * `cortado set-admin-password`) stops matching at once; that is what keeps an entry valid, so
 * entries do not expire (the oldest goes when the map is full).
 */
const verified = new Map<string, { user: string; hash: string }>()

/**
 * Checks in progress, by credentials and hash: requests that arrive together with the same
 * token (a client opening 1,000 connections at once) share one scrypt run instead of starting
 * one each, which would hold every core for seconds.
 */
const verifying = new Map<string, Promise<boolean>>()

function cacheKey(site: Site, scheme: string, credentials: string): string {
  return `${site.name}\0${scheme}\0${createHash('sha256').update(credentials).digest('hex')}`
}

/** The user an API key (or a name) belongs to; cached, so a client sending its token on every request costs no query. */
function findUser(site: Site, column: 'name' | 'api_key', value: string): Promise<{ name: string; enabled: boolean } | undefined> {
  return cached(site, `user-by-${column}\0${value}`, async () => {
    const row = await site.services.database.reader
      .selectFrom('tabUser')
      .select(['name', 'enabled'])
      .where(column, '=', value)
      .executeTakeFirst()
    return row ? Object.freeze({ name: String(row.name), enabled: Boolean(Number(row.enabled)) || row.name === 'Administrator' }) : undefined
  })
}

function storedHash(site: Site, user: string, fieldname: string): Promise<string | undefined> {
  return cached(site, `hash\0${user}\0${fieldname}`, async () => {
    const row = await site.services.database.reader
      .selectFrom('__Auth')
      .select('password')
      .where('doctype', '=', 'User')
      .where('name', '=', user)
      .where('fieldname', '=', fieldname)
      .executeTakeFirst()
    return row ? String(row.password) : undefined
  })
}

function verifyShared(key: string, secret: string, hash: string): Promise<boolean> {
  const flight = `${key}\0${hash}`
  let pending = verifying.get(flight)
  if (!pending) {
    pending = verifyPassword(secret, hash).finally(() => verifying.delete(flight))
    verifying.set(flight, pending)
  }
  return pending
}

/** The user whose secret (`api_secret`, or `password` for Basic user:password) matches, else undefined. */
async function verify(site: Site, scheme: string, user: { name: string } | undefined, fieldname: string, login: string, secret: string): Promise<string | undefined> {
  const hash = user === undefined ? undefined : await storedHash(site, user.name, fieldname)
  const key = cacheKey(site, scheme, `${login}:${secret}`)
  const hit = verified.get(key)
  if (user && hash && hit && hit.user === user.name && hit.hash === hash) return user.name
  if (!user || !hash) {
    await spendVerification(secret) // an unknown user takes as long as a wrong password
    return undefined
  }
  if (!(await verifyShared(key, secret, hash))) return undefined
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string)
  verified.set(key, { user: user.name, hash })
  return user.name
}

function splitOnce(text: string): [string, string] | undefined {
  const at = text.indexOf(':')
  return at === -1 ? undefined : [text.slice(0, at), text.slice(at + 1)]
}

interface Credentials {
  readonly scheme: 'token' | 'basic'
  readonly login: string
  readonly secret: string
}

/**
 * Frappe's `validate_auth` (spec 5.3): the header is split on one space into exactly two parts.
 * Frappe ignores other shapes; we refuse them (400), so a client's typo is not silently Guest.
 */
function parseAuthorization(authorization: string): Credentials {
  const parts = authorization.split(' ')
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new InvalidAuthorizationHeader('Invalid Authorization header: expected "<scheme> <credentials>"')
  const [scheme, value] = parts as [string, string]
  const kind = scheme.toLowerCase()
  if (kind === 'bearer') throw new AuthenticationError('OAuth bearer tokens are not supported')
  if (kind !== 'token' && kind !== 'basic') throw new AuthenticationError(`Unsupported Authorization scheme ${JSON.stringify(scheme)}; use token or Basic`)
  let decoded = value
  if (kind === 'basic') {
    if (!BASE64.test(value)) throw new InvalidAuthorizationToken('Failed to decode token, please provide a valid base64-encoded token.')
    decoded = Buffer.from(value, 'base64').toString('utf8')
  }
  const pair = splitOnce(decoded)
  if (!pair || !pair[0] || !pair[1]) throw new AuthenticationError(kind === 'token' ? 'Invalid API key or secret' : 'Invalid login credentials')
  return { scheme: kind, login: pair[0], secret: pair[1] }
}

export interface HeaderAuthOptions {
  /** The client's address, for throttling repeated failures. */
  readonly clientAddress?: string
}

/**
 * The user an `Authorization` header proves, or undefined when there is none:
 * `token <api_key>:<api_secret>`, or `Basic base64(<api_key>:<api_secret>)` as in Frappe, or
 * (Cortado's addition) `Basic base64(<user>:<password>)`. A header that proves no one is 401.
 * Password failures count against the user name and the client's address, like failed logins.
 */
export async function authenticateHeader(site: Site, authorization: string | undefined, options: HeaderAuthOptions = {}): Promise<string | undefined> {
  if (!authorization) return undefined
  const credentials = parseAuthorization(authorization)
  const byKey = await findUser(site, 'api_key', credentials.login)
  // Passwords can be guessed, so Basic user:password counts like a login; random API secrets cannot.
  const isPassword = !byKey && credentials.scheme === 'basic'
  const throttleKeys = isPassword ? [`user:${credentials.login.toLowerCase()}`, `address:${options.clientAddress ?? 'unknown'}`] : []
  const throttle = loginThrottle(site)
  throttle.assertAllowed(throttleKeys)
  const user = byKey ?? (isPassword ? await findUser(site, 'name', credentials.login) : undefined)
  const fieldname = byKey ? 'api_secret' : 'password'
  const name = await verify(site, credentials.scheme, user, fieldname, credentials.login, credentials.secret)
  if (!name || !user) {
    throttle.recordFailure(throttleKeys)
    throw new AuthenticationError(byKey || credentials.scheme === 'token' ? 'Invalid API key or secret' : 'Invalid login credentials')
  }
  if (!user.enabled) throw new AuthenticationError('User disabled or missing')
  return name
}

/** Header authentication alone: the header's user with roles, or Guest when there is no header. */
export async function authenticate(site: Site, authorization: string | undefined, options: HeaderAuthOptions = {}): Promise<Principal> {
  const user = await authenticateHeader(site, authorization, options)
  return user ? principalOf(site, user) : GUEST
}

export async function principalOf(site: Site, user: string): Promise<Principal> {
  return user === 'Guest' ? GUEST : { user, roles: await cachedRolesOf(site, user) }
}
