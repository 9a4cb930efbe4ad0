import type { WhitelistedMethod } from '../../model/index.js'
import {
  getDocPermissionsMethod,
  getMethod,
  getPasswordMethod,
  getTimeZoneMethod,
  hasPermissionMethod,
  isDocumentAmendedMethod,
  validateLinkMethod,
} from './read-documents.js'
import { getCountMethod, getListMethod, getSingleValueMethod, getValueMethod } from './read-values.js'
import { runDocMethod } from './run-doc-method.js'
import {
  bulkUpdateMethod,
  cancelMethod,
  deleteMethod,
  insertManyMethod,
  insertMethod,
  renameDocMethod,
  saveMethod,
  setValueMethod,
  submitMethod,
} from './write-documents.js'

export { assertCanQuery, isTruthy, pickListArgs, readCount, readList, resourceListArgs } from './list-access.js'
export { documentFromClient, methodArgs, runOnDocument, runResourceMethod, verbOf } from './run-doc-method.js'

/** `frappe.client.*` (spec 2.1) and `run_doc_method` (spec 2.2), by the paths clients call. */
export const CLIENT_METHODS: Readonly<Record<string, WhitelistedMethod>> = {
  'frappe.client.get_list': getListMethod,
  'frappe.client.get_count': getCountMethod,
  'frappe.client.get': getMethod,
  'frappe.client.get_value': getValueMethod,
  'frappe.client.get_single_value': getSingleValueMethod,
  'frappe.client.set_value': setValueMethod,
  'frappe.client.insert': insertMethod,
  'frappe.client.insert_many': insertManyMethod,
  'frappe.client.save': saveMethod,
  'frappe.client.submit': submitMethod,
  'frappe.client.cancel': cancelMethod,
  'frappe.client.delete': deleteMethod,
  'frappe.client.rename_doc': renameDocMethod,
  'frappe.client.bulk_update': bulkUpdateMethod,
  'frappe.client.has_permission': hasPermissionMethod,
  'frappe.client.get_doc_permissions': getDocPermissionsMethod,
  'frappe.client.get_password': getPasswordMethod,
  'frappe.client.get_time_zone': getTimeZoneMethod,
  'frappe.client.is_document_amended': isDocumentAmendedMethod,
  'frappe.client.validate_link': validateLinkMethod,
  run_doc_method: runDocMethod,
  runserverobj: runDocMethod,
  'frappe.handler.run_doc_method': runDocMethod,
  'frappe.desk.form.run_method.runserverobj': runDocMethod,
}
