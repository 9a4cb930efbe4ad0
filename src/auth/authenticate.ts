import { createHash } from 'node:crypto'
import type { Site } from '../context/index.js'
import { AuthenticationError } from '../errors/index.js'
import { verifyPassword } from '../model/index.js'

/** Who a request acts as. */
export interface Principal {
  readonly user: string
  readonly roles: readonly string[]
}

export const GUEST: Principal = { user: 'Guest', roles: ['Guest'] }

const VERIFIED_TTL_MS = 60_000
const VERIFIED_MAX = 10_000

/**
 * Credentials already checked against their scrypt hash, so that a client sending the same
 * token on every request pays the slow KDF once a minute, not every time. Keyed by site and
 * a SHA-256 of the credentials; process-wide, holding no request state. An entry holds the
 * hash it was checked against, so a changed password or secret (even from another process,
 * such as `cortado set-admin-password`) stops matching at once.
 */
const verified = new Map<string, { user: string; hash: string; until: number }>()

function cacheKey(site: Site, scheme: string, credentials: string): string {
  return `${site.name}\0${scheme}\0${createHash('sha256').update(credentials).digest('hex')}`
}

async function rolesOf(site: Site, user: string): Promise<string[]> {
  const rows = await site.services.database.reader
    .selectFrom('tabHas Role')
    .select('role')
    .where('parent', '=', user)
    .where('parenttype', '=', 'User')
    .execute()
  const roles = new Set(rows.map((row) => String(row.role)))
  roles.add(user === 'Guest' ? 'Guest' : 'All')
  if (user !== 'Guest') roles.add('Guest')
  return [...roles]
}

async function enabledUser(site: Site, where: { column: 'name' | 'api_key'; value: string }): Promise<string | undefined> {
  const row = await site.services.database.reader
    .selectFrom('tabUser')
    .select(['name', 'enabled'])
    .where(where.column, '=', where.value)
    .executeTakeFirst()
  if (!row) return undefined
  if (!Number(row.enabled) && row.name !== 'Administrator') throw new AuthenticationError('User disabled or missing')
  return String(row.name)
}

async function storedHash(site: Site, user: string, fieldname: string): Promise<string | undefined> {
  const row = await site.services.database.reader
    .selectFrom('__Auth')
    .select('password')
    .where('doctype', '=', 'User')
    .where('name', '=', user)
    .where('fieldname', '=', fieldname)
    .executeTakeFirst()
  return row ? String(row.password) : undefined
}

async function verify(site: Site, scheme: 'token' | 'basic', login: string, secret: string): Promise<string> {
  const user = await enabledUser(site, { column: scheme === 'token' ? 'api_key' : 'name', value: login })
  const hash = user === undefined ? undefined : await storedHash(site, user, scheme === 'token' ? 'api_secret' : 'password')
  const key = cacheKey(site, scheme, `${login}:${secret}`)
  const hit = verified.get(key)
  if (user && hit && hit.user === user && hit.hash === hash && hit.until > Date.now()) return user
  const ok = hash !== undefined && (await verifyPassword(secret, hash))
  if (!ok || !user || !hash) throw new AuthenticationError(scheme === 'token' ? 'Invalid API key or secret' : 'Invalid login credentials')
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string)
  verified.set(key, { user, hash, until: Date.now() + VERIFIED_TTL_MS })
  return user
}

/**
 * Frappe's header authentication (spec 5.3): `Authorization: token <api_key>:<api_secret>` or
 * `Basic base64(<user>:<password>)`. No header means Guest. Cookie sessions come with issue #3.
 */
export async function authenticate(site: Site, authorization: string | undefined): Promise<Principal> {
  if (!authorization) return GUEST
  const [scheme = '', ...rest] = authorization.trim().split(/\s+/)
  const value = rest.join(' ')
  let login: string | undefined
  let secret: string | undefined
  if (scheme.toLowerCase() === 'token') [login, secret] = splitOnce(value)
  else if (scheme.toLowerCase() === 'basic') [login, secret] = splitOnce(Buffer.from(value, 'base64').toString('utf8'))
  else throw new AuthenticationError('Unsupported Authorization scheme; use token or Basic')
  if (!login || !secret) throw new AuthenticationError('Malformed Authorization header')
  const user = await verify(site, scheme.toLowerCase() === 'token' ? 'token' : 'basic', login, secret)
  return { user, roles: await rolesOf(site, user) }
}

function splitOnce(text: string): [string | undefined, string | undefined] {
  const at = text.indexOf(':')
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)]
}
