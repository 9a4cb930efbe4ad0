import { sql } from 'kysely'
import type { Executor } from '../../db/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import { buildWhere, fromScope, type QueryOptions } from './list-query.js'
import { buildGroupBy } from './order.js'
import { parseFlag, parseText } from './parse-args.js'
import { createScope } from './scope.js'

export interface CountArgs {
  readonly filters?: unknown
  readonly or_filters?: unknown
  readonly distinct?: unknown
  readonly group_by?: unknown
}

/**
 * How many rows `getList` would return without paging (Frappe's `frappe.client.get_count`,
 * reportview's `get_count`). When a filter joins a child table, documents are counted once
 * each (`count(distinct name)`), not once per matching child row. With `group_by`, the
 * number of groups.
 */
export async function getCount(
  db: Executor,
  metaOf: (doctype: string) => DocTypeMeta,
  doctype: string,
  args: CountArgs,
  options: QueryOptions = {},
): Promise<number> {
  const scope = createScope(metaOf, doctype, options.restrict?.canRead)
  const conditions = await buildWhere(db, scope, args, options)
  const groupByText = parseText('group_by', args.group_by)
  const groupBy = groupByText === undefined ? [] : buildGroupBy(scope, [], groupByText)
  const base = fromScope(db, scope, conditions, options)
  const name = sql.id(scope.alias, 'name')

  if (groupBy.length > 0) {
    const groups = base.select(sql`1`.as('one')).groupBy(groupBy)
    const row = await db
      .selectFrom(groups.as('groups'))
      .select(sql<number | string>`count(*)`.as('count'))
      .executeTakeFirst()
    return Number(row?.count ?? 0)
  }
  const distinct = parseFlag('distinct', args.distinct, false) || scope.joins.length > 0
  const counted = distinct
    ? sql<number | string>`count(distinct ${name})`
    : sql<number | string>`count(*)`
  const row = await base.select(counted.as('count')).executeTakeFirst()
  return Number(row?.count ?? 0)
}
