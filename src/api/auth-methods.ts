import { bootInfo, endSession, generateKeys } from '../auth/index.js'
import { FrappeTypeError } from '../errors/index.js'
import type { WhitelistedMethod } from '../model/index.js'

/** Sessions and API keys (spec 5). Login itself is a route of its own: it runs before any session. */
export const AUTH_METHODS: Readonly<Record<string, WhitelistedMethod>> = {
  /** Any verb, as Frappe's; clients ignore the (empty) reply. */
  logout: { handler: () => endSession(), allowGuest: true },
  /** The desk's boot info, which hands the session its CSRF token (spec 5.4). */
  'frappe.sessions.get': { handler: () => bootInfo() },
  'frappe.core.doctype.user.user.generate_keys': {
    handler: (args) => {
      const user = args.user
      if (typeof user !== 'string' || !user) throw new FrappeTypeError('Missing argument: user')
      return generateKeys(user)
    },
    methods: ['POST'],
  },
}
