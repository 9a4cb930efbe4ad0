import { sql } from 'kysely'
import type { Executor } from '../../db/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import { buildSelections, type Selection } from './fields.js'
import { buildWhere, fromScope, type QueryOptions } from './list-query.js'
import { buildGroupBy, buildOrder, defaultOrder, type OrderTerm } from './order.js'
import { parseCount, parseFields, parseFlag, parseText } from './parse-args.js'
import { createScope, type QueryScope } from './scope.js'

/**
 * The arguments of the list API (spec 1.2, 3), each as a native JSON value or as a string
 * from a query string. Unknown or malformed values are a ValidationError or DataError (417).
 */
export interface ListArgs {
  readonly fields?: unknown
  readonly filters?: unknown
  readonly or_filters?: unknown
  readonly order_by?: unknown
  readonly group_by?: unknown
  readonly limit_start?: unknown
  readonly limit_page_length?: unknown
  /** Used only when `limit_page_length` is absent. */
  readonly limit?: unknown
  readonly distinct?: unknown
  readonly as_list?: unknown
  /** `/api/resource` sends `as_dict`; false means the same as `as_list`. */
  readonly as_dict?: unknown
  readonly pluck?: unknown
}

export interface ListOptions extends QueryOptions {
  /** Rows per page when the client sends no page length; Frappe's is 20. */
  readonly defaultPageLength?: number
}

/** Rows as objects, as arrays (`as_list`), or one field's values (`pluck`). */
export type ListRows = Array<Record<string, unknown>> | unknown[][] | unknown[]

// A page length of 0 means all rows; an offset still needs a LIMIT on SQLite and MariaDB.
const NO_LIMIT = Number.MAX_SAFE_INTEGER

function pageLength(args: ListArgs, fallback: number): number {
  if (args.limit_page_length !== undefined) {
    return parseCount('limit_page_length', args.limit_page_length, fallback)
  }
  if (args.limit !== undefined && args.limit !== null) {
    return parseCount('limit', args.limit, fallback)
  }
  return fallback
}

function ordering(
  scope: QueryScope,
  selections: readonly Selection[],
  args: ListArgs,
  grouped: boolean,
): OrderTerm[] {
  const orderBy = parseText('order_by', args.order_by)
  if (orderBy !== undefined) return buildOrder(scope, selections, orderBy)
  // An aggregate or grouped list has no row to take the DocType's sort field from.
  if (grouped || selections.some((selection) => selection.isAggregate)) return []
  return defaultOrder(scope)
}

/**
 * Frappe's `frappe.get_list` / `GET /api/resource/{doctype}`: the rows of a DocType that match
 * `filters` and `or_filters`, with the chosen `fields`, ordered and paged. Every identifier is
 * checked against metadata and every value is a bound parameter.
 *
 * @example
 * const rows = await getList(db, (doctype) => registry.get(doctype), 'ToDo', {
 *   fields: '["name","status"]',
 *   filters: { status: 'Open' },
 *   limit_page_length: '5',
 * })
 */
export async function getList(
  db: Executor,
  metaOf: (doctype: string) => DocTypeMeta,
  doctype: string,
  args: ListArgs,
  options: ListOptions = {},
): Promise<ListRows> {
  const scope = createScope(metaOf, doctype, options.restrict?.canRead)
  const pluck = parseText('pluck', args.pluck)
  const selections = buildSelections(
    scope,
    pluck === undefined ? parseFields(args.fields) : [pluck],
  )
  const conditions = await buildWhere(db, scope, args, options)
  const groupByText = parseText('group_by', args.group_by)
  const groupBy = groupByText === undefined ? [] : buildGroupBy(scope, selections, groupByText)
  const order = ordering(scope, selections, args, groupBy.length > 0)
  const offset = parseCount('limit_start', args.limit_start, 0)
  const limit = pageLength(args, options.defaultPageLength ?? 20)
  const asList =
    parseFlag('as_list', args.as_list, false) || !parseFlag('as_dict', args.as_dict, true)

  // Every field dropped as unreadable still leaves a valid query: rows with no keys.
  const columns = selections.map((selection, index) => selection.sql.as(`c${index}`))
  let query = fromScope(db, scope, conditions, options).select(
    columns.length > 0 ? columns : [sql<number>`1`.as('c-1')],
  )
  if (parseFlag('distinct', args.distinct, false)) query = query.distinct()
  if (groupBy.length > 0) query = query.groupBy(groupBy)
  for (const term of order) query = query.orderBy(term.sql, term.direction)
  if (limit > 0 || offset > 0) query = query.limit(limit > 0 ? limit : NO_LIMIT)
  if (offset > 0) query = query.offset(offset)

  const rows = (await query.execute()) as Array<Record<string, unknown>>
  const values = (row: Record<string, unknown>): unknown[] =>
    selections.map((_, index) => row[`c${index}`])
  if (pluck !== undefined) return rows.map((row) => row.c0)
  if (asList) return rows.map(values)
  // fromEntries defines own keys, so an alias such as `__proto__` stays plain data.
  return rows.map((row) =>
    Object.fromEntries(selections.map((selection, index) => [selection.key, row[`c${index}`]])),
  )
}
