import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { DialectName } from '../../db/index.js'
import { DataError, FrappeTypeError, ValidationError } from '../../errors/index.js'
import { FALLBACK, coerceList, coerceScalar, dateBounds, isTruthy, valueKind } from './coerce.js'
import type { ResolvedColumn } from './scope.js'
import { timespanRange } from './timespan.js'

/** The v15 list engine's operators (spec 3.2). `<>` is deliberately absent, as in Frappe. */
export const OPERATORS = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'like',
  'not like',
  'in',
  'not in',
  'is',
  'between',
  'timespan',
  'previous',
  'next',
  'descendants of',
  'not descendants of',
  'descendants of (inclusive)',
  'ancestors of',
  'not ancestors of',
] as const

export type Operator = (typeof OPERATORS)[number]

export const TREE_OPERATORS: ReadonlySet<Operator> = new Set([
  'descendants of',
  'not descendants of',
  'descendants of (inclusive)',
  'ancestors of',
  'not ancestors of',
])

export type SimpleOperator = Exclude<
  Operator,
  | 'descendants of'
  | 'not descendants of'
  | 'descendants of (inclusive)'
  | 'ancestors of'
  | 'not ancestors of'
>

/** Case-insensitive; a missing or empty operator means `=`. */
export function normalizeOperator(raw: unknown): Operator {
  const text =
    raw === null || raw === undefined
      ? ''
      : typeof raw === 'string'
        ? raw.trim().toLowerCase().replace(/\s+/g, ' ')
        : undefined
  const operator = text === '' ? '=' : text
  const known = OPERATORS.find((candidate) => candidate === operator)
  if (known === undefined) {
    throw new ValidationError(`Operator must be one of ${OPERATORS.join(', ')}`)
  }
  return known
}

/** SQL text for each comparison, from this table only: client text never becomes SQL. */
const SQL_OPERATORS = {
  '=': '=',
  '!=': '!=',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '<=': '<=',
  // PostgreSQL needs `ilike` (and backslashes doubled) to match MariaDB's case-insensitive LIKE.
  like: 'like',
  'not like': 'not like',
  in: 'in',
  'not in': 'not in',
} as const

/** These columns are never NULL, so Frappe never wraps them. */
const NEVER_NULL: ReadonlySet<string> = new Set(['name', 'creation', 'modified'])

export interface DateSettings {
  readonly today: string
  readonly firstDayOfWeek: number
  /** PostgreSQL's LIKE is case-sensitive: there `like` becomes `ilike`, as Frappe's PostgreSQL layer does. */
  readonly dialect?: DialectName
}

function lhs(
  column: ResolvedColumn,
  wrap: boolean,
  fallback = FALLBACK[valueKind(column)],
): RawBuilder<unknown> {
  return wrap ? sql`coalesce(${column.sql}, ${fallback})` : column.sql
}

function isCondition(column: ResolvedColumn, value: unknown): RawBuilder<SqlBool> {
  const wanted = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (wanted !== 'set' && wanted !== 'not set') {
    throw new ValidationError(`Value for is must be set or not set: ${column.fieldname}`)
  }
  const kind = valueKind(column)
  // Dates have no empty string to compare with on every dialect; an empty date is stored as NULL.
  if (kind === 'date' || kind === 'datetime' || kind === 'time') {
    return wanted === 'set'
      ? sql<SqlBool>`${column.sql} is not null`
      : sql<SqlBool>`${column.sql} is null`
  }
  const empty = FALLBACK[kind]
  return wanted === 'set'
    ? sql<SqlBool>`${column.sql} != ${empty}`
    : sql<SqlBool>`${lhs(column, !NEVER_NULL.has(column.fieldname))} = ${empty}`
}

function betweenCondition(
  column: ResolvedColumn,
  operator: SimpleOperator,
  value: unknown,
  dates: DateSettings,
): RawBuilder<SqlBool> {
  const kind = valueKind(column)
  if (kind !== 'date' && kind !== 'datetime') {
    throw new DataError(
      `Operator ${operator} is only allowed on Date and Datetime fields: ${column.fieldname}`,
    )
  }
  const range =
    operator === 'between'
      ? value
      : timespanRange(operator as 'timespan', value, dates.today, dates.firstDayOfWeek)
  const [from, to] = dateBounds(column, range, dates.today)
  return sql<SqlBool>`${lhs(column, !NEVER_NULL.has(column.fieldname))} between ${from} and ${to}`
}

export function inCondition(
  column: ResolvedColumn,
  operator: 'in' | 'not in',
  value: unknown,
): RawBuilder<SqlBool> {
  const { values, hasEmpty } = coerceList(column, value)
  // `in` needs the fallback only when it asks for empty values; `not in` must keep NULL rows.
  const wrap = !NEVER_NULL.has(column.fieldname) && (operator === 'not in' || hasEmpty)
  const fallback = valueKind(column) === 'numeric' ? 0 : '' // Frappe: IFNULL(col, '') for lists
  const list = sql.join(values)
  return sql<SqlBool>`${lhs(column, wrap, fallback)} ${sql.raw(SQL_OPERATORS[operator])} (${list})`
}

function comparison(
  column: ResolvedColumn,
  operator: keyof typeof SQL_OPERATORS,
  value: unknown,
  dialect: DialectName | undefined,
): RawBuilder<SqlBool> {
  const kind = valueKind(column)
  let bound: string | number
  if (operator === 'like' || operator === 'not like') {
    if (typeof value === 'object' && value !== null) {
      throw new FrappeTypeError(`Filter value for ${column.fieldname} must be a single value`)
    }
    bound = value === null || value === undefined ? '' : String(value) // the client's own `%`
  } else {
    bound = coerceScalar(column, value)
  }
  const isDate = kind === 'date' || kind === 'datetime'
  const wrap =
    !NEVER_NULL.has(column.fieldname) &&
    kind !== 'numeric' &&
    !(isDate && (operator === '>' || operator === '>=')) &&
    !(isTruthy(value) && (operator === '=' || operator === 'like'))
  const sqlOperator = dialect === 'postgres' && (operator === 'like' || operator === 'not like') ? `${operator.slice(0, -4)}ilike` : SQL_OPERATORS[operator]
  return sql<SqlBool>`${lhs(column, wrap)} ${sql.raw(sqlOperator)} ${bound}`
}

/**
 * One filter as SQL, with Frappe's NULL handling (spec 3.2): NULL is compared as the
 * fieldtype's empty value through `coalesce` unless the column cannot be NULL, is numeric,
 * is a date compared with `>`/`>=`, or the value is truthy with `=` or `like`.
 */
export function buildCondition(
  column: ResolvedColumn,
  operator: SimpleOperator,
  value: unknown,
  dates: DateSettings,
): RawBuilder<SqlBool> {
  switch (operator) {
    case 'is':
      return isCondition(column, value)
    case 'between':
    case 'timespan':
    case 'previous':
    case 'next':
      return betweenCondition(column, operator, value, dates)
    case 'in':
    case 'not in':
      return inCondition(column, operator, value)
    default:
      return comparison(column, operator, value, dates.dialect)
  }
}
