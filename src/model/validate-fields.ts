import {
  CharacterLengthExceededError,
  InvalidEmailAddressError,
  MandatoryError,
  ValidationError,
} from '../errors/index.js'
import { isVarchar, type DocField } from '../meta/index.js'
import { msgprint } from '../context/index.js'
import { isEmpty } from '../utils/index.js'
import type { Document } from './document.js'
import { selectOptions } from './values.js'

const INT_RANGE = { Int: 2 ** 31, bigint: 2 ** 63 }
const EMAIL_PATTERN = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/

function label(field: DocField): string {
  return field.label ?? field.fieldname
}

/** Text with its HTML removed: a Text Editor holding only `<p></p>` is empty (an `<img>` is not). */
function isBlank(field: DocField, value: unknown): boolean {
  if (isEmpty(value)) return true
  if (typeof value !== 'string' || !['Text Editor', 'HTML Editor', 'Markdown Editor'].includes(field.fieldtype)) {
    return typeof value === 'string' && value.trim() === ''
  }
  return !/<img/i.test(value) && value.replace(/<[^>]*>/g, '').replace(/&nbsp;/g, ' ').trim() === ''
}

/** Missing values as Frappe reports them: the fieldname, and a message for the client. */
function missingFields(doc: Document): Array<[string, string]> {
  const missing: Array<[string, string]> = []
  const rowPrefix = doc.get('parentfield') ? `<strong>${doc.doctype}</strong> Row #${String(doc.get('idx'))}: ` : ''
  for (const field of doc.meta.fields) {
    if (!field.reqd) continue
    if (doc.meta.tableFields.includes(field)) {
      if (doc.getTable(field.fieldname).length === 0) missing.push([field.fieldname, `Error: Data missing in table: ${label(field)}`])
    } else if (doc.meta.columns.some((column) => column.field === field) && isBlank(field, doc.get(field.fieldname))) {
      const message = rowPrefix ? `Error: ${rowPrefix}Value missing for: ${label(field)}` : `Error: Value missing for ${doc.doctype}: ${label(field)}`
      missing.push([field.fieldname, message])
    }
  }
  return missing
}

/**
 * Every `reqd` field of the document and its rows is filled in (spec 6.7). As Frappe, each
 * miss is a message for the client, and the error lists the fieldnames.
 */
export function checkMandatory(doc: Document): void {
  const missing = missingFields(doc)
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) missing.push(...missingFields(row))
  }
  if (missing.length === 0) return
  for (const [, message] of missing) msgprint(message)
  throw new MandatoryError(doc.doctype, doc.name, missing.map(([fieldname]) => fieldname))
}

function checkValue(doc: Document, field: DocField, value: unknown, prefix: string): void {
  if (value === null || value === undefined || value === '') return
  if (field.fieldtype === 'Select') {
    const options = selectOptions(field)
    if (options.some((option) => option !== '') && !options.includes(String(value))) {
      throw new ValidationError(`${prefix}${label(field)} cannot be "${String(value)}". It should be one of ${options.filter(Boolean).map((o) => `"${o}"`).join(', ')}`)
    }
  }
  if (isVarchar(field.fieldtype) || field.fieldtype === 'Data') {
    const max = field.length || 140
    if (String(value).length > max) {
      throw new CharacterLengthExceededError(`${prefix}${label(field)} (${field.fieldname}) is too long: ${String(value).length} characters, at most ${max}`)
    }
  }
  if (field.fieldtype === 'Data' && field.options === 'Email') {
    for (const address of String(value).split(',').map((part) => part.trim()).filter(Boolean)) {
      if (!EMAIL_PATTERN.test(address)) throw new InvalidEmailAddressError(`${prefix}${address} is not a valid Email Address`)
    }
  }
  if (field.fieldtype === 'Int') {
    const limit = (field.length ?? 0) > 11 ? INT_RANGE.bigint : INT_RANGE.Int
    if (Math.abs(Number(value)) >= limit) throw new ValidationError(`${prefix}${label(field)} is out of range: ${String(value)}`)
  }
  if (field.non_negative && typeof value === 'number' && value < 0) {
    throw new ValidationError(`${prefix}${label(field)} cannot be negative`)
  }
}

/** Select options, lengths, email addresses, integer ranges and non-negative numbers. */
export function checkValues(doc: Document): void {
  const check = (target: Document, prefix: string): void => {
    for (const { field } of target.meta.columns) checkValue(target, field, target.get(field.fieldname), prefix)
  }
  check(doc, '')
  for (const field of doc.meta.tableFields) {
    for (const [index, row] of doc.getTable(field.fieldname).entries()) check(row, `Row #${index + 1}: `)
  }
}
