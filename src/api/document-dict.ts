import { FrappeTypeError } from '../errors/index.js'
import { CHILD_COLUMNS, STANDARD_COLUMNS } from '../meta/index.js'
import { newDocument, type DocValues, type Document } from '../model/index.js'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

const NEVER_SENT = ['_comments', '_assign', '_seen']
const SENT_WHEN_SET = ['_user_tags', '_liked_by']

/**
 * Only what the DocType defines goes out, as Frappe's `as_dict` walks the valid columns: a key
 * a client sent that is no field of the DocType was ignored on the way in and is not echoed.
 */
function tidy(doc: Document, values: DocValues): DocValues {
  const known = (key: string): boolean =>
    key === 'doctype' ||
    (STANDARD_COLUMNS as readonly string[]).includes(key) ||
    (doc.meta.istable && (CHILD_COLUMNS as readonly string[]).includes(key)) ||
    doc.meta.fieldsByName.has(key) ||
    SENT_WHEN_SET.includes(key)
  for (const key of Object.keys(values)) if (!known(key) || NEVER_SENT.includes(key)) delete values[key]
  for (const key of SENT_WHEN_SET) if (!values[key]) delete values[key]
  return values
}

/**
 * Frappe's `doc.as_dict()`: every standard column and stored field, nulls included, child rows
 * the same way (what `frappe.client.get`, `insert`, `save`… return, spec 2.1).
 */
export function docAsDict(doc: Document): DocValues {
  const values = doc.asDict()
  const standard = doc.meta.istable ? [...STANDARD_COLUMNS, ...CHILD_COLUMNS] : STANDARD_COLUMNS
  for (const column of standard) if (!(column in values)) values[column] = null
  for (const { field } of doc.meta.columns) if (!(field.fieldname in values)) values[field.fieldname] = null
  for (const field of doc.meta.tableFields) values[field.fieldname] = doc.getTable(field.fieldname).map(docAsDict)
  return tidy(doc, values)
}

/** A Document as Frappe serializes one in a response: `as_dict(no_nulls=True)` (spec 0.2). */
export function docNoNulls(doc: Document): DocValues {
  const values = doc.asDict({ noNulls: true })
  for (const field of doc.meta.tableFields) if (field.fieldname in values) values[field.fieldname] = doc.getTable(field.fieldname).map(docNoNulls)
  return tidy(doc, values)
}

/** Keys a client never sets through a document dict: the framework fills them. */
const OWNED_KEYS = new Set(['doctype', 'flags', 'owner', 'creation', 'modified_by', '_user_tags', '_comments', '_assign', '_liked_by', '_seen'])
const OWNED_ROW_KEYS = new Set([...OWNED_KEYS, 'parent', 'parenttype', 'parentfield', 'idx', 'docstatus'])

function cleanValues(values: Record<string, unknown>, owned: ReadonlySet<string>): DocValues {
  const result: DocValues = {}
  for (const [key, value] of Object.entries(values)) {
    // `__islocal`, `__unsaved`, `__onload`… are desk bookkeeping, never fields.
    if (FORBIDDEN_KEYS.has(key) || owned.has(key) || key.startsWith('__')) continue
    result[key] = Array.isArray(value) ? value.map((row) => (isPlainObject(row) ? cleanValues(row, OWNED_ROW_KEYS) : row)) : value
  }
  return result
}

/** The DocType a client's document dict names, required. */
export function doctypeOf(values: Record<string, unknown>): string {
  const doctype = values.doctype
  if (typeof doctype !== 'string' || doctype === '') throw new FrappeTypeError('The document needs a doctype')
  return doctype
}

/**
 * Frappe's `frappe.get_doc(dict)`: a document built from what the client sent, with no merge
 * with the stored row. With a `name` and no `__islocal` it stands for the stored document, so
 * saving it is an update checked against `modified` (spec 2.1 `save`, 2.2 `docs`).
 */
export function documentFromDict(values: Record<string, unknown>): Document {
  const doc = newDocument(doctypeOf(values), cleanValues(values, OWNED_KEYS))
  // Child rows stay new: saving adopts those that carry a stored row's name (spec 1.5).
  if (doc.name !== undefined && !values.__islocal) doc.markStored()
  return doc
}

/** Values for a new document of a known DocType: its own `doctype` key and owned fields dropped. */
export function newDocumentValues(values: Record<string, unknown>): DocValues {
  return cleanValues(values, OWNED_KEYS)
}
