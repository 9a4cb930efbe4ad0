import { describe, expect, it } from 'vitest'
import { TooManyRequestsError } from '../errors/index.js'
import { createLoginThrottle } from './login-throttle.js'

describe('createLoginThrottle', () => {
  it('allows N failures, then refuses until the lock interval from the first failure has passed', () => {
    const throttle = createLoginThrottle(3, 60_000)
    const keys = ['user:jane@example.com']
    for (const now of [0, 10_000, 20_000]) {
      throttle.assertAllowed(keys, now)
      throttle.recordFailure(keys, now)
    }
    expect(() => throttle.assertAllowed(keys, 30_000)).toThrow(TooManyRequestsError)
    try {
      throttle.assertAllowed(keys, 30_000)
    } catch (error) {
      expect((error as TooManyRequestsError).retryAfter).toBe(30)
    }
    expect(() => throttle.assertAllowed(keys, 60_000)).not.toThrow()
  })

  it('keeps keys apart and forgets a key on success', () => {
    const throttle = createLoginThrottle(1, 60_000)
    throttle.recordFailure(['address:192.0.2.1'], 0)
    expect(() => throttle.assertAllowed(['address:192.0.2.2'], 1)).not.toThrow()
    expect(() => throttle.assertAllowed(['user:x', 'address:192.0.2.1'], 1)).toThrow(TooManyRequestsError)
    throttle.recordSuccess(['address:192.0.2.1'])
    expect(() => throttle.assertAllowed(['address:192.0.2.1'], 2)).not.toThrow()
  })
})
