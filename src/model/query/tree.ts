import { sql } from 'kysely'
import type { Executor } from '../../db/index.js'
import { DataError, FrappeTypeError } from '../../errors/index.js'
import { tableName, type DocTypeMeta } from '../../meta/index.js'
import type { Operator } from './operators.js'
import { hasColumn, type ResolvedColumn } from './scope.js'

export type TreeOperator = Extract<
  Operator,
  | 'descendants of'
  | 'not descendants of'
  | 'descendants of (inclusive)'
  | 'ancestors of'
  | 'not ancestors of'
>

/** The tree a filter walks: the Link field's target, or the column's own DocType. */
function treeOf(column: ResolvedColumn, metaOf: (doctype: string) => DocTypeMeta): DocTypeMeta {
  const field = column.meta.fieldsByName.get(column.fieldname)
  const meta = field?.fieldtype === 'Link' && field.options ? metaOf(field.options) : column.meta
  if (!hasColumn(meta, 'lft') || !hasColumn(meta, 'rgt') || meta.issingle || meta.isVirtual) {
    throw new DataError(`${meta.name} is not a tree DocType: ${column.fieldname}`)
  }
  return meta
}

/**
 * Expands a tree operator into the node names it stands for, through the nested-set numbers
 * (Frappe's `prepare_filter_condition`, spec 3.2), and the list operator to use with them.
 */
export async function expandTreeFilter(
  db: Executor,
  metaOf: (doctype: string) => DocTypeMeta,
  column: ResolvedColumn,
  operator: TreeOperator,
  value: unknown,
): Promise<{ operator: 'in' | 'not in'; names: string[] }> {
  if (typeof value === 'object' && value !== null) {
    throw new FrappeTypeError(`Filter value for ${column.fieldname} must be a single value`)
  }
  const listOperator = operator.startsWith('not ') ? 'not in' : 'in'
  const meta = treeOf(column, metaOf)
  const node = value === null || value === undefined ? '' : String(value).trim()
  if (node === '') return { operator: listOperator, names: [] }
  const table = tableName(meta.name)
  const bounds = await db
    .selectFrom(sql.table(table).as('node'))
    .select([
      sql<number>`${sql.id('node', 'lft')}`.as('lft'),
      sql<number>`${sql.id('node', 'rgt')}`.as('rgt'),
    ])
    .where(sql<boolean>`${sql.id('node', 'name')} = ${node}`)
    .executeTakeFirst()
  const inclusive = operator === 'descendants of (inclusive)' ? [node] : []
  if (!bounds) return { operator: listOperator, names: inclusive }

  const isDescendants = operator.includes('descendants')
  const [lft, rgt] = [sql.id('tree', 'lft'), sql.id('tree', 'rgt')]
  const range = isDescendants
    ? sql<boolean>`${lft} > ${bounds.lft} and ${rgt} < ${bounds.rgt}`
    : sql<boolean>`${lft} < ${bounds.lft} and ${rgt} > ${bounds.rgt}`
  const rows = await db
    .selectFrom(sql.table(table).as('tree'))
    .select(sql<string>`${sql.id('tree', 'name')}`.as('name'))
    .where(range)
    .orderBy(sql`${sql.id('tree', 'lft')}`, isDescendants ? 'asc' : 'desc')
    .execute()
  return { operator: listOperator, names: [...rows.map((row) => String(row.name)), ...inclusive] }
}
