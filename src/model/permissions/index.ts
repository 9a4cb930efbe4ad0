export { assertPermitted, hasPermission, type PermissionType } from './doc-permissions.js'
export { listRestriction } from './list-restriction.js'
