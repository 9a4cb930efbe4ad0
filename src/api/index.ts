import type { AppHooksShape } from '../doctypes/index.js'
import { FRAMEWORK_METHODS } from './framework-methods.js'

export { CORTADO_VERSION } from './framework-methods.js'

/**
 * The hooks of the framework's own app, `frappe`: its whitelisted functions, which the HTTP
 * layer serves under `/api/method/<dotted.path>` like any app's.
 */
export const frappeHooks: AppHooksShape = {
  app_name: 'frappe',
  app_title: 'Frappe Framework',
  whitelisted_methods: {
    ...FRAMEWORK_METHODS,
  },
}
