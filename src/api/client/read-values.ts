import { currentContext } from '../../context/index.js'
import { FrappeTypeError, PermissionError } from '../../errors/index.js'
import { getDocument, hasPermission, type WhitelistedMethod } from '../../model/index.js'
import { flagArg, jsonArg, optionalText, textArg, type Args } from '../args.js'
import { pickListArgs, readCount, readList } from './list-access.js'

/** `frappe.client.get_list`: rows by filters, fields, order and page (spec 2.1). */
export const getListMethod: WhitelistedMethod = {
  handler: (args) => readList(textArg(args, 'doctype'), { limit_page_length: 20, ...pickListArgs(args) }, args.parent),
}

/**
 * `frappe.client.get_count`: the rows `get_list` would show, 403 for a DocType the user may not
 * list (as Frappe since #35657 counts through reportview's `get_count`; older v15 releases did not check).
 */
export const getCountMethod: WhitelistedMethod = {
  handler: (args) => readCount(textArg(args, 'doctype'), { filters: args.filters }, args.parent),
}

/** Frappe's `get_safe_filters` then `{name: filters}` for a plain name. */
function valueFilters(args: Args): unknown {
  const filters = jsonArg(args, 'filters')
  if (typeof filters === 'number') return { name: String(filters) }
  if (typeof filters === 'string') return filters === '' ? undefined : { name: filters }
  if (filters !== undefined && filters !== null && typeof filters !== 'object') throw new FrappeTypeError('filters must be a name, a list or an object')
  const empty = filters === null || (Array.isArray(filters) ? filters.length === 0 : typeof filters === 'object' && Object.keys(filters ?? {}).length === 0)
  return empty ? undefined : filters
}

/** `fieldname`: one name, or a list of names as JSON or native. */
function valueFields(args: Args): string[] {
  const fieldname = jsonArg(args, 'fieldname')
  if (fieldname === undefined || fieldname === null) return ['name']
  const fields = Array.isArray(fieldname) ? fieldname : [fieldname]
  if (!fields.every((field) => typeof field === 'string')) throw new FrappeTypeError('fieldname must be a field name or a list of them')
  return fields.length === 0 ? ['name'] : (fields as string[])
}

/**
 * `frappe.client.get_value`: the first matching row's fields, as an object (`{}` when nothing
 * matches) or, with `as_dict=false`, a value or a list (nothing when nothing matches).
 */
export const getValueMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const doctype = textArg(args, 'doctype')
    const fields = valueFields(args)
    const asDict = flagArg(args, 'as_dict', true)
    const meta = ctx.site.services.meta.get(doctype)
    let first: unknown
    if (meta.issingle) {
      if (!(await hasPermission(ctx, meta, 'read'))) throw new PermissionError(`No permission for ${doctype}`)
      const doc = await getDocument(doctype, doctype)
      first = asDict ? Object.fromEntries(fields.map((field) => [field, doc.get(field) ?? null])) : fields.map((field) => doc.get(field) ?? null)
    } else {
      const rows = await readList(doctype, { fields, filters: valueFilters(args), limit_page_length: 1, as_dict: asDict }, args.parent)
      first = rows[0]
    }
    if (asDict) return first ?? {}
    if (!Array.isArray(first)) return undefined
    return fields.length > 1 ? first : first[0]
  },
}

/** `frappe.client.get_single_value`: one field of a Single DocType, typed; needs read. */
export const getSingleValueMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const doctype = textArg(args, 'doctype')
    const field = optionalText(args, 'field') ?? textArg(args, 'fieldname')
    const meta = ctx.site.services.meta.get(doctype)
    if (!(await hasPermission(ctx, meta, 'read'))) throw new PermissionError(`No permission for ${doctype}`)
    if (!meta.issingle) throw new FrappeTypeError(`${doctype} is not a Single DocType`)
    if (!meta.fieldsByName.has(field)) throw new FrappeTypeError(`${doctype} has no field ${field}`)
    const doc = await getDocument(doctype, doctype)
    return doc.get(field) ?? null
  },
}
