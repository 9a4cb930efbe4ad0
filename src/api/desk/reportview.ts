import type { WhitelistedMethod } from '../../model/index.js'
import { countArg, textArg, type Args } from '../args.js'
import { isTruthy, pickListArgs, readCount, readList } from '../client/index.js'

/**
 * The arguments of `frappe.desk.reportview.*` as Frappe's `DatabaseQuery.execute` reads them:
 * `start` overrides `limit_start`; `limit`, else `page_length`, else `limit_page_length` is the
 * page length; no page length means every row.
 */
export function reportviewArgs(args: Args): Record<string, unknown> {
  const picked = pickListArgs(args, ['distinct'])
  if (isTruthy(args.start)) picked.limit_start = args.start
  const length = [args.limit, args.page_length, args.limit_page_length].find(isTruthy)
  picked.limit_page_length = length ?? 0
  return picked
}

/** The parent DocType a child table is read through: `parent_doctype` (desk) or `parent`. */
const parentOf = (args: Args): unknown => args.parent_doctype ?? args.parent

/**
 * Frappe's `compress`: `{keys, values, user_info}` with one array per row; no rows at all is
 * sent as an empty list, as Frappe sends it.
 */
function compress(rows: ReadonlyArray<Record<string, unknown>>): unknown {
  const first = rows[0]
  if (!first) return []
  const keys = Object.keys(first)
  return { keys, values: rows.map((row) => keys.map((key) => row[key] ?? null)), user_info: {} }
}

/** `frappe.desk.reportview.get`: the list view's query. */
export const reportviewGet: WhitelistedMethod = {
  async handler(args) {
    const rows = await readList(textArg(args, 'doctype'), { ...reportviewArgs(args), as_dict: true }, parentOf(args))
    return compress(rows as Array<Record<string, unknown>>)
  },
}

/** `frappe.desk.reportview.get_list`: rows as objects. */
export const reportviewGetList: WhitelistedMethod = {
  handler: (args) => readList(textArg(args, 'doctype'), reportviewArgs(args), parentOf(args)),
}

/** `frappe.desk.reportview.get_count`: readable rows matching the filters, at most `limit` when given. */
export const reportviewGetCount: WhitelistedMethod = {
  async handler(args) {
    const limit = countArg(args, 'limit', 0)
    const count = await readCount(textArg(args, 'doctype'), { filters: args.filters, or_filters: args.or_filters, distinct: args.distinct }, parentOf(args))
    return limit > 0 ? Math.min(count, limit) : count
  },
}
