import type { RawBuilder } from 'kysely'
import { DataError } from '../../errors/index.js'
import { parseValueExpression } from './field-expression.js'
import { valueSql, type Selection } from './fields.js'
import { hasColumn, type QueryScope } from './scope.js'

export interface OrderTerm {
  readonly sql: RawBuilder<unknown>
  readonly direction: 'asc' | 'desc'
}

interface Term {
  readonly sql: RawBuilder<unknown>
  readonly isAggregate: boolean
}

const DIRECTION = /^(.*?)(?:\s+(asc|desc))?$/is

function parts(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

/**
 * One `order_by`/`group_by` term: a `fields` alias, a column of the main table, a result key
 * of `fields` (`item_code` for `items.item_code`), a qualified column of a table already in
 * the query, or an aggregate. Never a new join: that would change which rows come back.
 */
function resolveTerm(
  scope: QueryScope,
  selections: readonly Selection[],
  text: string,
  what: string,
): Term {
  const expr = parseValueExpression(text, `Invalid ${what}`)
  if (expr.kind === 'column' && expr.ref.qualifier === undefined) {
    const name = expr.ref.fieldname
    const aliased = selections.find((selection) => selection.alias === name)
    if (aliased) return aliased
    if (!hasColumn(scope.meta, name)) {
      const keyed = selections.find((selection) => selection.key === name)
      if (keyed) return keyed
    }
  }
  return valueSql(scope, expr, false)
}

/** `order_by`: a comma list of `field [asc|desc]` (spec 3.5); unknown names are a DataError. */
export function buildOrder(
  scope: QueryScope,
  selections: readonly Selection[],
  text: string,
): OrderTerm[] {
  return parts(text).map((part) => {
    const match = DIRECTION.exec(part)
    const expression = match?.[1]?.trim() ?? ''
    if (expression === '') throw new DataError(`Invalid order_by: ${part}`)
    const direction = match?.[2]?.toLowerCase() === 'desc' ? 'desc' : 'asc'
    return { sql: resolveTerm(scope, selections, expression, 'order_by').sql, direction }
  })
}

/** `group_by`: a comma list of columns; grouping by an aggregate is a DataError. */
export function buildGroupBy(
  scope: QueryScope,
  selections: readonly Selection[],
  text: string,
): RawBuilder<unknown>[] {
  return parts(text).map((part) => {
    const term = resolveTerm(scope, selections, part, 'group_by')
    if (term.isAggregate) throw new DataError(`Invalid group_by: ${part}`)
    return term.sql
  })
}

/**
 * The DocType's own order when the client gives none: `sort_field sort_order`, or the raw
 * `sort_field` when it is a list (`idx desc, modified desc`). Metadata that names no column
 * falls back to `modified desc` rather than failing every list of the DocType.
 */
export function defaultOrder(scope: QueryScope): OrderTerm[] {
  const { sortField, sortOrder } = scope.meta
  const text = sortField.includes(',') ? sortField : `${sortField} ${sortOrder.toLowerCase()}`
  // The server's own order, not the client's: it may use columns the user cannot read.
  const unrestricted: QueryScope = { ...scope, canRead: undefined }
  try {
    return buildOrder(unrestricted, [], text)
  } catch (error) {
    if (!(error instanceof DataError)) throw error
    return buildOrder(unrestricted, [], 'modified desc')
  }
}
