import type { WhitelistedMethod } from '../../model/index.js'
import { getdoc, getdoctype } from './form-load.js'
import { cancel, savedocs } from './form-save.js'
import { reportviewGet, reportviewGetCount, reportviewGetList } from './reportview.js'
import { searchLink } from './search.js'

export { metaAsDict } from './form-load.js'

/** The desk's endpoints that clients outside the desk call too (appendix A). */
export const DESK_METHODS: Readonly<Record<string, WhitelistedMethod>> = {
  'frappe.desk.reportview.get': reportviewGet,
  'frappe.desk.reportview.get_list': reportviewGetList,
  'frappe.desk.reportview.get_count': reportviewGetCount,
  'frappe.desk.search.search_link': searchLink,
  'frappe.desk.form.load.getdoc': getdoc,
  'frappe.desk.form.load.getdoctype': getdoctype,
  'frappe.desk.form.save.savedocs': savedocs,
  'frappe.desk.form.save.cancel': cancel,
}
