import { sql, type RawBuilder } from 'kysely'
import { parseFieldExpression, type Aggregate, type ValueExpression } from './field-expression.js'
import { allColumns, resolveColumn, UnreadableColumnError, type QueryScope } from './scope.js'

/** One selected value and the key it has in a result row. */
export interface Selection {
  readonly key: string
  readonly sql: RawBuilder<unknown>
  readonly isAggregate: boolean
  /** Set when the client wrote `as alias`; `order_by` and `group_by` may name it. */
  readonly alias: string | undefined
}

/** SQL for each aggregate, from this table only. */
const AGGREGATE_SQL: Readonly<Record<Aggregate, RawBuilder<unknown>>> = {
  count: sql.raw('count'),
  sum: sql.raw('sum'),
  avg: sql.raw('avg'),
  min: sql.raw('min'),
  max: sql.raw('max'),
}

export interface ValueSql {
  readonly sql: RawBuilder<unknown>
  readonly isAggregate: boolean
  /** The bare column name, the result key of an unaliased column. */
  readonly fieldname: string | undefined
}

/** A parsed column or aggregate as SQL, every identifier checked against metadata. */
export function valueSql(scope: QueryScope, expr: ValueExpression, canJoin: boolean): ValueSql {
  if (expr.kind === 'column') {
    const column = resolveColumn(scope, expr.ref, canJoin)
    return { sql: column.sql, isAggregate: false, fieldname: column.fieldname }
  }
  const fn = AGGREGATE_SQL[expr.fn]
  if (expr.arg === '*') return { sql: sql`${fn}(*)`, isAggregate: true, fieldname: undefined }
  const column = resolveColumn(scope, expr.arg, canJoin).sql
  return {
    sql: expr.distinct ? sql`${fn}(distinct ${column})` : sql`${fn}(${column})`,
    isAggregate: true,
    fieldname: undefined,
  }
}

/**
 * `fields` as selections (spec 3.4). `*` is every column of the main table; a column's key is
 * its bare name (`items.item_code` → `item_code`); an unaliased aggregate's key is its text.
 * Fields are resolved before filters, so child tables they join are shared with filters.
 */
export function buildSelections(scope: QueryScope, fields: readonly string[]): Selection[] {
  return fields.flatMap((text): Selection[] => {
    const field = parseFieldExpression(text)
    if (field.expr.kind === 'star') {
      return allColumns(scope).map((column) => ({
        key: column.fieldname,
        sql: column.sql,
        isAggregate: false,
        alias: undefined,
      }))
    }
    let value: ValueSql
    try {
      value = valueSql(scope, field.expr, true)
    } catch (error) {
      // Frappe drops fields the user may not read, silently (spec 3.4).
      if (error instanceof UnreadableColumnError) return []
      throw error
    }
    return [
      {
        key: field.alias ?? value.fieldname ?? field.text,
        sql: value.sql,
        isAggregate: value.isAggregate,
        alias: field.alias,
      },
    ]
  })
}
