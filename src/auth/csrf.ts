import { timingSafeEqual } from 'node:crypto'
import type { SiteConfig } from '../context/index.js'
import { CSRFTokenError } from '../errors/index.js'
import type { Session } from './sessions.js'

/** Verbs that change state: the only ones checked (Frappe's `UNSAFE_HTTP_METHODS`). */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'DELETE', 'PATCH'])

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * Frappe's `validate_csrf_token` (spec 5.4): once a session has been handed its token, an unsafe
 * request must carry it in `X-Frappe-CSRF-Token` (or a `csrf_token` form field). Site config
 * `ignore_csrf` turns the check off.
 */
export function assertCsrfToken(session: Session, method: string, supplied: unknown, config: SiteConfig): void {
  if (!UNSAFE_METHODS.has(method) || config.ignore_csrf) return
  const saved = session.data.csrf_token
  if (typeof saved !== 'string' || !saved) return
  if (typeof supplied === 'string' && sameToken(supplied, saved)) return
  throw new CSRFTokenError('Invalid Request')
}

export interface BrowserContext {
  readonly method: string
  /** `Sec-Fetch-Site`, which browsers send and pages cannot forge. */
  readonly fetchSite: string | undefined
  readonly origin: string | undefined
  /** The host the client addressed (`Host`), with its port. */
  readonly host: string | undefined
}

/** Origins allowed to send credentialed requests: site config `allow_cors` when it lists them. */
function trustedOrigins(config: SiteConfig): string[] {
  const value = config.allow_cors
  if (typeof value === 'string' && value !== '*') return [value]
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string' && entry !== '*') : []
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * Beyond Frappe: an unsafe request that a browser sends on behalf of another site is refused even
 * with the right token, so a page elsewhere cannot act with the user's cookies. Non-browser
 * clients send neither header and pass. Origins listed in `allow_cors` are trusted.
 */
export function assertSameSite(request: BrowserContext, config: SiteConfig): void {
  if (!UNSAFE_METHODS.has(request.method)) return
  const origin = request.origin
  if (origin !== undefined && trustedOrigins(config).some((trusted) => trusted.replace(/\/$/, '') === origin)) return
  const crossSite = request.fetchSite?.toLowerCase() === 'cross-site'
  const host = request.host?.toLowerCase().replace(/:(80|443)$/, '') // URL.host omits default ports
  const foreignOrigin = origin !== undefined && (hostOf(origin) === undefined || hostOf(origin) !== host)
  if (crossSite || foreignOrigin) throw new CSRFTokenError('Invalid Request: cross-site requests are not allowed')
}
