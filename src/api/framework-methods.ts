import { currentContext } from '../context/index.js'
import type { WhitelistedMethod } from '../model/index.js'

/** Cortado's version, reported by `/api/method/version` as Frappe reports its own. */
export const CORTADO_VERSION = '0.1.0'

/** The framework's own whitelisted methods. */
export const FRAMEWORK_METHODS: Readonly<Record<string, WhitelistedMethod>> = {
  ping: { handler: () => 'pong', allowGuest: true },
  version: { handler: () => CORTADO_VERSION, allowGuest: true },
  'frappe.auth.get_logged_user': { handler: () => currentContext().user },
}
