import type { AppHooksShape } from './app-hooks-shape.js'
import { FRAMEWORK_METHODS } from './framework-methods.js'

export { loadCustomDocTypes, loadCustomizations } from './doctype/custom-doctypes.js'
export { definitionFromDocument, documentValuesFromMeta } from './doctype/doctype-definition.js'
export { CORTADO_VERSION } from './framework-methods.js'
export { STANDARD_MODULES, STANDARD_ROLES } from './standard-records.js'

/** The hooks of the framework's own app, `frappe`. */
export const frappeHooks: AppHooksShape = {
  app_name: 'frappe',
  app_title: 'Frappe Framework',
  whitelisted_methods: FRAMEWORK_METHODS,
}
export type { AppHooksShape } from './app-hooks-shape.js'
