export { Document, type DocValues, type DocumentClass, type DocumentFactory } from './document.js'
export {
  cancelDocument,
  deleteDocument,
  getDocument,
  insertDocument,
  saveDocument,
  submitDocument,
  type ActionOptions,
  type DeleteOptions,
} from './lifecycle.js'
export { findLinkedDocuments, type LinkedDocument } from './linked-documents.js'
export { checkPassword, hashPassword, setPassword, verifyPassword, PASSWORD_MASK } from './passwords.js'
export {
  RIGHTS,
  assertPermitted,
  canExport,
  canImport,
  filterReadableValues,
  getDocPermissions,
  hasPermission,
  hasRolePermission,
  isShared,
  listRestriction,
  loadCustomDocPerms,
  permittedFieldnames,
  type PermissionType,
  type Rights,
} from './permissions/index.js'
export { loadDocument } from './persist.js'
export { renameDocument, type RenameOptions } from './rename.js'
export { runHook, runHooks, type HookName } from './run-hooks.js'
export {
  documentFactory,
  newDocument,
  type DeleteStep,
  type DocEventHandler,
  type DocEventRegistration,
  type ModelHooks,
} from './site-model.js'
export type { MethodCall, WhitelistedMethod } from './whitelist.js'
export { listFromRecords, type VirtualDocTypeProvider } from './virtual-doctypes.js'
export {
  DEFAULT_HTTP_VERBS,
  callDocMethod,
  findDocMethod,
  whitelistDocMethods,
  type DocMethod,
  type DocMethods,
  type HttpVerb,
} from './doc-methods.js'
export { getCount, getList, type CountArgs, type ListArgs, type ListOptions, type ListRows } from './query/index.js'
