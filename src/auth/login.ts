import type { Site } from '../context/index.js'
import { AuthenticationError } from '../errors/index.js'
import { checkPassword } from '../model/index.js'
import { spendVerification } from './dummy-hash.js'
import { loginThrottle } from './login-throttle.js'
import { loadUserInfo, type UserInfo } from './user-info.js'

/** Frappe refuses longer passwords before hashing them (`MAX_PASSWORD_SIZE`). */
const MAX_PASSWORD_SIZE = 512

export interface LoginAttempt {
  readonly usr: unknown
  readonly pwd: unknown
  /** The client's address, for throttling. */
  readonly address: string
}

/** Users are named by their lower-cased email; Administrator keeps its capital. */
async function findLoginUser(site: Site, usr: string): Promise<UserInfo | undefined> {
  const reader = site.services.database.reader
  return (await loadUserInfo(reader, usr)) ?? (usr === usr.toLowerCase() ? undefined : loadUserInfo(reader, usr.toLowerCase()))
}

/**
 * Frappe's `LoginManager.authenticate` (spec 5.2): the user that `usr`/`pwd` log in as. Failures
 * are AuthenticationErrors with Frappe's messages; after too many of them for the user name or
 * the client address, TooManyRequestsError until the lock interval has passed.
 */
export async function checkLogin(site: Site, attempt: LoginAttempt): Promise<UserInfo> {
  const { usr, pwd } = attempt
  if (typeof usr !== 'string' || typeof pwd !== 'string' || !usr.trim() || !pwd) throw new AuthenticationError('Incomplete login details')
  if (pwd.length > MAX_PASSWORD_SIZE) throw new AuthenticationError('Password size exceeded the maximum allowed size')
  const keys = [`user:${usr.trim().toLowerCase()}`, `address:${attempt.address}`]
  const throttle = loginThrottle(site)
  throttle.assertAllowed(keys)
  const user = await findLoginUser(site, usr.trim())
  const authenticated = user ? await checkPassword(site.services.database.reader, 'User', user.name, 'password', pwd) : false
  if (!user) await spendVerification(pwd) // as slow as a wrong password: user names stay private
  if (!user || !authenticated) {
    throttle.recordFailure(keys)
    throw new AuthenticationError('Invalid login credentials')
  }
  if (!user.enabled) {
    throttle.recordFailure(keys)
    throw new AuthenticationError('User disabled or missing')
  }
  throttle.recordSuccess(keys)
  return user
}
