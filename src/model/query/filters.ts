import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Executor } from '../../db/index.js'
import { DataError } from '../../errors/index.js'
import { parseColumnRef } from './field-expression.js'
import type { FilterTuple } from './filter-forms.js'
import {
  TREE_OPERATORS,
  buildCondition,
  inCondition,
  normalizeOperator,
  type DateSettings,
  type SimpleOperator,
} from './operators.js'
import {
  childJoin,
  hasColumn,
  isChildOf,
  joinedColumn,
  resolveColumn,
  type QueryScope,
  type ResolvedColumn,
} from './scope.js'
import { expandTreeFilter, type TreeOperator } from './tree.js'

export interface FilterContext {
  readonly db: Executor
  readonly scope: QueryScope
  readonly dates: DateSettings
}

const isPlainName = (field: string): boolean => !/[.`"]/.test(field)

/**
 * The column a filter names (spec 3.1): a 4-element filter may name a child DocType, which is
 * joined; a plain field the main DocType lacks goes to the first child table that has it.
 */
function filterColumn(scope: QueryScope, filter: FilterTuple): ResolvedColumn {
  const { meta } = scope
  const field = filter.field.trim()
  if (filter.doctype !== undefined && filter.doctype !== meta.name) {
    if (!isChildOf(scope, filter.doctype)) {
      throw new DataError(
        `${filter.doctype} is not a child table of ${meta.name}: ${filter.doctype}.${field}`,
      )
    }
    if (!isPlainName(field)) throw new DataError(`Field not permitted in query: ${field}`)
    const join = childJoin(scope, filter.doctype, undefined, true, field)
    return joinedColumn(scope, join, field)
  }
  if (!isPlainName(field)) return resolveColumn(scope, parseColumnRef(field), true)
  if (hasColumn(meta, field)) return resolveColumn(scope, { fieldname: field }, true)
  for (const tableField of meta.tableFields) {
    const child = scope.metaOf(tableField.options ?? '')
    // Frappe retargets on DocFields only (`has_field`), not on standard columns.
    if (child.columns.some((column) => column.field.fieldname === field)) {
      return joinedColumn(scope, childJoin(scope, child.name, undefined, true, field), field)
    }
  }
  throw new DataError(`Field not permitted in query: ${field}`)
}

async function buildFilter(
  context: FilterContext,
  filter: FilterTuple,
): Promise<RawBuilder<SqlBool>> {
  const operator = normalizeOperator(filter.operator)
  const column = filterColumn(context.scope, filter)
  if (TREE_OPERATORS.has(operator)) {
    const expanded = await expandTreeFilter(
      context.db,
      context.scope.metaOf,
      column,
      operator as TreeOperator,
      filter.value,
    )
    return inCondition(column, expanded.operator, expanded.names)
  }
  return buildCondition(column, operator as SimpleOperator, filter.value, context.dates)
}

/** Each filter as one SQL condition, in order; joins they need are added to the scope. */
export async function buildFilters(
  context: FilterContext,
  filters: readonly FilterTuple[],
): Promise<RawBuilder<SqlBool>[]> {
  const conditions: RawBuilder<SqlBool>[] = []
  for (const filter of filters) conditions.push(await buildFilter(context, filter))
  return conditions
}

/** `(a) and (b)` or `(a) or (b)`; undefined for an empty list. */
export function combine(
  conditions: readonly RawBuilder<SqlBool>[],
  joiner: 'and' | 'or',
): RawBuilder<SqlBool> | undefined {
  if (conditions.length === 0) return undefined
  const parts = conditions.map((condition) => sql<SqlBool>`(${condition})`)
  return sql<SqlBool>`(${sql.join(parts, joiner === 'and' ? sql` and ` : sql` or `)})`
}
