import { FrappeTypeError, ValidationError } from '../errors/index.js'
import { NUMERIC_FIELD_TYPES, type DocField } from '../meta/index.js'
import {
  isEmpty,
  isPlainObject,
  nowDatetime,
  nowTime,
  parseDate,
  parseDatetime,
  parseTime,
  toFloat,
  toInt,
  today,
} from '../utils/index.js'
import type { Document } from './document.js'

/** The first `\n`-separated option of a Select field (its implicit default). */
export function selectOptions(field: DocField): string[] {
  return (field.options ?? '').split('\n').map((option) => option.trim())
}

function defaultFor(field: DocField, user: string): unknown {
  const value = field.default
  if (value !== undefined && value !== '') {
    if (value === '__user') return user
    if (value.toLowerCase() === 'today') return today()
    if (value.toLowerCase() === 'now') {
      // A Time field's "Now" is the time of day (Frappe's nowtime), not a datetime.
      return field.fieldtype === 'Date' ? today() : field.fieldtype === 'Time' ? nowTime() : nowDatetime()
    }
    if (value.startsWith(':')) return undefined // derived from a linked record; set by link fetching
    return value
  }
  // Frappe takes the literal first option, so options that start with a blank line give no default.
  if (field.fieldtype === 'Select') return selectOptions(field)[0] || undefined
  if (field.fieldtype === 'Time') return nowTime() // Frappe defaults every Time field to now
  return undefined
}

/** Frappe's `_set_defaults` (spec 6.6): fills missing values of a new document and its rows. */
export function applyDefaults(doc: Document, user: string): void {
  for (const { field } of doc.meta.columns) {
    const current = doc.get(field.fieldname)
    if (current !== undefined && current !== null) continue // Frappe fills only missing values
    const value = defaultFor(field, user) ?? (NUMERIC_FIELD_TYPES.has(field.fieldtype) ? 0 : undefined)
    if (value !== undefined) doc.set(field.fieldname, value)
  }
  if (doc.get('docstatus') === undefined || doc.get('docstatus') === null) doc.set('docstatus', 0)
  if (doc.get('idx') === undefined || doc.get('idx') === null) doc.set('idx', 0) // Frappe's replies carry it
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) {
      if (row.isNew) applyDefaults(row, user)
    }
  }
}

function coerceOne(doc: Document, field: DocField, value: unknown): unknown {
  if (value === undefined) return undefined
  if (field.fieldtype === 'JSON') {
    return value === null || value === '' || typeof value === 'string' ? value || null : JSON.stringify(value)
  }
  if (Array.isArray(value) || isPlainObject(value)) {
    throw new FrappeTypeError(`${doc.doctype}: ${field.label ?? field.fieldname} cannot be a list or an object`)
  }
  if (field.fieldtype === 'Check') return toInt(value) ? 1 : 0
  if (field.fieldtype === 'Int') return toInt(value)
  if (NUMERIC_FIELD_TYPES.has(field.fieldtype)) return toFloat(value)
  if (value === null || value === '') {
    return field.unique || ['Date', 'Datetime', 'Time'].includes(field.fieldtype) ? null : value
  }
  const text = String(value)
  const parse = { Date: parseDate, Datetime: parseDatetime, Time: parseTime }[field.fieldtype as 'Date']
  if (parse) {
    const parsed = parse(text)
    if (parsed === undefined) throw new ValidationError(`${doc.doctype}: ${field.label ?? field.fieldname} has an invalid ${field.fieldtype.toLowerCase()}: ${text}`)
    return parsed
  }
  return text
}

/** Brings every stored value to its fieldtype's form (spec 6.6), for the document and its rows. */
export function coerceValues(doc: Document): void {
  for (const { field } of doc.meta.columns) {
    if (!doc.has(field.fieldname)) continue
    doc.set(field.fieldname, coerceOne(doc, field, doc.get(field.fieldname)))
  }
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) coerceValues(row)
  }
}
