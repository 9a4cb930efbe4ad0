import type { Site } from '../context/index.js'
import { TooManyRequestsError } from '../errors/index.js'

/** Frappe's System Settings defaults: 10 consecutive failures, then a 60-second wait. */
const DEFAULT_ATTEMPTS = 10
const DEFAULT_LOCK_SECONDS = 60
const MAX_TRACKED = 10_000

interface Failures {
  count: number
  /** When the first failure of this run happened (ms since the epoch). */
  since: number
}

/**
 * Consecutive failed logins per key (`user:<name>`, `address:<ip>`), as Frappe's
 * `LoginAttemptTracker`: a run of failures counts from its first one and lasts the lock
 * interval; a success ends it. Process-wide and per site, holding no request state.
 */
export interface LoginThrottle {
  /** Throws TooManyRequestsError while any of the keys has used up its attempts. */
  assertAllowed(keys: readonly string[], now?: number): void
  recordFailure(keys: readonly string[], now?: number): void
  recordSuccess(keys: readonly string[]): void
}

const throttles = new WeakMap<Site, LoginThrottle>()

function positiveNumber(value: unknown, fallback: number): number {
  const number = Number(value)
  return Number.isFinite(number) && number > 0 ? number : fallback
}

/** The site's throttle. Site config `allow_consecutive_login_attempts` and `allow_login_after_fail` (seconds) tune it. */
export function loginThrottle(site: Site): LoginThrottle {
  let throttle = throttles.get(site)
  if (!throttle) {
    throttle = createLoginThrottle(
      positiveNumber(site.config.allow_consecutive_login_attempts, DEFAULT_ATTEMPTS),
      positiveNumber(site.config.allow_login_after_fail, DEFAULT_LOCK_SECONDS) * 1000,
    )
    throttles.set(site, throttle)
  }
  return throttle
}

export function createLoginThrottle(attempts: number, lockMs: number): LoginThrottle {
  const failures = new Map<string, Failures>()

  function current(key: string, now: number): Failures | undefined {
    const entry = failures.get(key)
    if (entry && entry.since + lockMs <= now) {
      failures.delete(key)
      return undefined
    }
    return entry
  }

  function prune(now: number): void {
    for (const [key, entry] of failures) if (entry.since + lockMs <= now) failures.delete(key)
    // Still full: forget the oldest runs rather than grow without bound.
    for (const key of failures.keys()) {
      if (failures.size < MAX_TRACKED) break
      failures.delete(key)
    }
  }

  return {
    assertAllowed(keys, now = Date.now()) {
      for (const key of keys) {
        const entry = current(key, now)
        if (entry && entry.count >= attempts) {
          const wait = Math.max(1, Math.ceil((entry.since + lockMs - now) / 1000))
          throw new TooManyRequestsError(`Too many failed login attempts. Try again in ${wait} seconds.`, wait)
        }
      }
    },
    recordFailure(keys, now = Date.now()) {
      if (failures.size >= MAX_TRACKED) prune(now)
      for (const key of keys) {
        const entry = current(key, now)
        if (entry) entry.count += 1
        else failures.set(key, { count: 1, since: now })
      }
    },
    recordSuccess(keys) {
      for (const key of keys) failures.delete(key)
    },
  }
}
