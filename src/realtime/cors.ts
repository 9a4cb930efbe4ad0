import type { SiteConfig } from '../context/index.js'

/**
 * Frappe's `set_cors_headers` rule: site config `allow_cors` is one origin or a list of origins,
 * compared exactly with the request's `Origin`. Beyond Frappe, `"*"` does not admit sockets:
 * a socket carries the user's session cookie, and any site could otherwise read their events.
 */
export function corsAllows(config: SiteConfig, origin: string | undefined): boolean {
  const allowed = config.allow_cors
  if (!origin || !allowed || allowed === '*') return false
  const list = Array.isArray(allowed) ? allowed : [allowed]
  return list.some((entry) => typeof entry === 'string' && entry.replace(/\/$/, '') === origin)
}

/** Whether `origin` names the host the request addressed (`Host`, port included). */
export function sameHost(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase().replace(/:(80|443)$/, '')
  } catch {
    return false
  }
}
