import { FrappeTypeError, ValidationError } from '../../errors/index.js'
import { NUMERIC_FIELD_TYPES } from '../../meta/index.js'
import { parseDate, parseDatetime, parseTime, toFloat } from '../../utils/index.js'
import type { ResolvedColumn } from './scope.js'

/** How a filter value is compared with a column. */
export type ValueKind = 'numeric' | 'date' | 'datetime' | 'time' | 'text'

/** What Frappe's `IFNULL(col, fallback)` substitutes for NULL, by kind (spec 3.2). */
export const FALLBACK: Readonly<Record<ValueKind, string | number>> = {
  numeric: 0,
  date: '0001-01-01',
  datetime: '0001-01-01 00:00:00.000000',
  time: '00:00:00',
  text: '',
}

export function valueKind(column: ResolvedColumn): ValueKind {
  if (NUMERIC_FIELD_TYPES.has(column.fieldtype)) return 'numeric'
  if (column.fieldtype === 'Date') return 'date'
  if (column.fieldtype === 'Datetime') return 'datetime'
  if (column.fieldtype === 'Time') return 'time'
  return 'text'
}

/** Frappe's notion of a truthy filter value, which decides whether NULLs need wrapping. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  return value !== null && value !== undefined && value !== '' && value !== 0 && value !== false
}

const PARSERS = { date: parseDate, datetime: parseDatetime, time: parseTime } as const

/**
 * A scalar filter value in the form the column stores (spec 3.2 "Coercion"): numbers for
 * numeric fields (as Frappe's `flt`, junk is 0), dates, datetimes and times reformatted, text
 * as text. An empty date means the fallback, so `["date", "=", ""]` matches NULL rows.
 */
export function coerceScalar(column: ResolvedColumn, value: unknown): string | number {
  if (typeof value === 'object' && value !== null) {
    throw new FrappeTypeError(`Filter value for ${column.fieldname} must be a single value`)
  }
  const kind = valueKind(column)
  if (kind === 'numeric') return toFloat(value)
  if (value === null || value === undefined || value === '') return FALLBACK[kind]
  const text = String(value)
  if (kind === 'text') return text
  const parsed = PARSERS[kind](text)
  if (parsed === undefined) {
    throw new ValidationError(`Invalid ${kind} for ${column.fieldname}: ${text}`)
  }
  return parsed
}

/**
 * `in` values: stringified and trimmed as Frappe does, numbers for numeric columns.
 * `hasEmpty` tells whether the list asks for empty values (and so for NULLs).
 */
export function coerceList(
  column: ResolvedColumn,
  value: unknown,
): { values: Array<string | number>; hasEmpty: boolean } {
  let items: unknown[]
  if (Array.isArray(value)) items = value
  else if (value === null || value === undefined || value === '') items = []
  else if (typeof value === 'string') items = value.split(',')
  else items = [value]
  const texts = items.map((item) => {
    if (typeof item === 'object' && item !== null) {
      throw new FrappeTypeError(`Filter values for ${column.fieldname} must be single values`)
    }
    return item === null || item === undefined ? '' : String(item).trim()
  })
  // An empty list matches like `IN ('')`, as in Frappe.
  const values = texts.length === 0 ? [''] : texts
  const hasEmpty = values.includes('')
  return {
    values: valueKind(column) === 'numeric' ? values.map((item) => toFloat(item)) : values,
    hasEmpty,
  }
}

const DATE_ONLY = /^\s*\d{4}-\d{2}-\d{2}\s*$/

function bound(column: ResolvedColumn, value: unknown, today: string, endOfDay: boolean): string {
  if (typeof value === 'object' && value !== null) {
    throw new FrappeTypeError(`Filter bounds for ${column.fieldname} must be dates`)
  }
  const text = value === null || value === undefined || value === '' ? today : String(value)
  const kind = valueKind(column)
  let parsed: string | undefined
  if (kind === 'date') parsed = parseDate(text)
  else if (DATE_ONLY.test(text)) {
    const day = parseDate(text)
    parsed = day && `${day} ${endOfDay ? '23:59:59.999999' : '00:00:00'}`
  } else parsed = parseDatetime(text)
  if (parsed === undefined) {
    throw new ValidationError(`Invalid date for ${column.fieldname}: ${text}`)
  }
  return parsed
}

/**
 * `between` bounds (Frappe's `get_between_date_filter`): a missing bound is today, and a
 * date-only bound on a datetime column covers the whole day.
 */
export function dateBounds(
  column: ResolvedColumn,
  value: unknown,
  today: string,
): [string, string] {
  let parts: unknown[]
  if (Array.isArray(value)) parts = value
  else if (typeof value === 'string' && value.trim() !== '') parts = value.split(',')
  else if (value === null || value === undefined || value === '') parts = []
  else throw new FrappeTypeError(`Filter value for ${column.fieldname} must be [from, to]`)
  return [bound(column, parts[0], today, false), bound(column, parts[1], today, true)]
}
