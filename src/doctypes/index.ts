export { loadCustomDocTypes, loadCustomizations } from './doctype/custom-doctypes.js'
export { definitionFromDocument, documentValuesFromMeta } from './doctype/doctype-definition.js'
export { STANDARD_MODULES, STANDARD_ROLES } from './standard-records.js'
export type { AppHooksShape } from './app-hooks-shape.js'
