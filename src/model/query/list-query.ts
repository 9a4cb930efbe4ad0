import { sql, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely'
import { dialectOf, type DynamicDB, type Executor } from '../../db/index.js'
import { tableName } from '../../meta/index.js'
import { today } from '../../utils/index.js'
import { normalizeFilters } from './filter-forms.js'
import { buildFilters, combine } from './filters.js'
import type { Join, QueryScope } from './scope.js'

/** The list query before its columns are chosen: tables, joins and conditions. */
export type ListQuery = SelectQueryBuilder<DynamicDB, string, object>

/** What a `restrict` hook may need to know: which tables the query reads, under which names. */
export interface ListScope {
  readonly doctype: string
  /** The main table's name in the query: `tab<DocType>`. */
  readonly alias: string
  /** Child tables and Link targets joined in, each needing read permission (spec 3.4). */
  readonly joins: ReadonlyArray<{ readonly alias: string; readonly doctype: string }>
}

/**
 * Adds conditions to every list and count query, e.g. a permission layer's match conditions
 * (spec 9.3). Runs after all joins are known; it must only narrow the rows. `canRead`, when
 * present, says which columns the user may read (permlevels, spec 9.1): others are dropped
 * from `fields` (and from `*`) and refused in filters, `order_by` and `group_by`.
 */
export interface RestrictHook {
  (query: ListQuery, scope: ListScope): ListQuery
  readonly canRead?: (doctype: string, fieldname: string) => boolean
}

export interface QueryOptions {
  readonly restrict?: RestrictHook
  /** `YYYY-MM-DD` for `timespan` and `between`; defaults to the local date. */
  readonly today?: string
  /** 0 (Sunday, Frappe's default) to 6, for `this week` and friends. */
  readonly firstDayOfWeek?: number
}

/** The conditions of `filters` (ANDed) and `or_filters` (ORed, then ANDed with the rest). */
export async function buildWhere(
  db: Executor,
  scope: QueryScope,
  args: { readonly filters?: unknown; readonly or_filters?: unknown },
  options: QueryOptions,
): Promise<RawBuilder<SqlBool>[]> {
  const context = {
    db,
    scope,
    dates: { today: options.today ?? today(), firstDayOfWeek: options.firstDayOfWeek ?? 0, dialect: dialectOf(db) },
  }
  const conditions = await buildFilters(context, normalizeFilters('filters', args.filters))
  const anyOf = combine(
    await buildFilters(context, normalizeFilters('or_filters', args.or_filters)),
    'or',
  )
  return anyOf ? [...conditions, anyOf] : conditions
}

/**
 * Child rows belong to the main row through `parent` and `parenttype` (Frappe's join), and
 * to one table field through `parentfield` when the client named it (`items.item_code`).
 */
function joinCondition(scope: QueryScope, join: Join): RawBuilder<SqlBool> {
  if (join.kind === 'link') {
    return sql<SqlBool>`${sql.id(join.alias, 'name')} = ${sql.id(scope.alias, join.linkField ?? '')}`
  }
  const isChild = sql<SqlBool>`${sql.id(join.alias, 'parent')} = ${sql.id(scope.alias, 'name')}`
  const owned = sql<SqlBool>`${isChild} and ${sql.id(join.alias, 'parenttype')} = ${scope.meta.name}`
  return join.parentfield === undefined
    ? owned
    : sql<SqlBool>`${owned} and ${sql.id(join.alias, 'parentfield')} = ${join.parentfield}`
}

/** `from … left join … where …`, narrowed by `restrict`. */
export function fromScope(
  db: Executor,
  scope: QueryScope,
  conditions: readonly RawBuilder<SqlBool>[],
  options: QueryOptions,
): ListQuery {
  let query: ListQuery = db.selectFrom(sql.table(scope.alias).as(scope.alias))
  for (const join of scope.joins) {
    const table = sql.table(tableName(join.meta.name)).as(join.alias)
    query = query.leftJoin(table, (on) => on.on(joinCondition(scope, join)))
  }
  for (const condition of conditions) query = query.where(condition)
  if (!options.restrict) return query
  const joins = scope.joins.map((join) => ({ alias: join.alias, doctype: join.meta.name }))
  return options.restrict(query, { doctype: scope.meta.name, alias: scope.alias, joins })
}
