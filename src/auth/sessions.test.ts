import { describe, expect, it } from 'vitest'
import { sessionExpirySeconds } from './sessions.js'

describe('sessionExpirySeconds', () => {
  it('reads HH:MM and HH:MM:SS, defaulting to Frappe v15\'s 170:00', () => {
    expect(sessionExpirySeconds({ session_expiry: '06:00' })).toBe(6 * 3600)
    expect(sessionExpirySeconds({ session_expiry: '240:00:30' })).toBe(240 * 3600 + 30)
    expect(sessionExpirySeconds({})).toBe(170 * 3600)
    expect(sessionExpirySeconds({ session_expiry: 'soon' })).toBe(170 * 3600)
  })
})
