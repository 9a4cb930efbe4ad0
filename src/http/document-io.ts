import { FrappeTypeError } from '../errors/index.js'
import type { DocValues, Document } from '../model/index.js'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

/** Standard fields a client never sets: the framework owns them (spec 1.3, issue #3 point 6). */
const OWNED_FIELDS = new Set([
  'doctype', 'owner', 'creation', 'modified_by', 'idx', 'parent', 'parentfield', 'parenttype',
  '_user_tags', '_comments', '_assign', '_liked_by', '_seen',
])

/** The document values in a request: the `data` argument (JSON text or object), else the args. */
export function documentInput(args: Readonly<Record<string, unknown>>, purpose: 'insert' | 'update'): DocValues {
  let data: unknown = args.data ?? args
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data)
    } catch {
      throw new FrappeTypeError('data must be a JSON object')
    }
  }
  if (!isPlainObject(data)) throw new FrappeTypeError('The document must be a JSON object')
  return cleanValues(data, purpose === 'update' ? ['name'] : [])
}

function cleanValues(values: Record<string, unknown>, alsoDrop: readonly string[]): DocValues {
  const result: DocValues = {}
  for (const [key, value] of Object.entries(values)) {
    if (FORBIDDEN_KEYS.has(key) || OWNED_FIELDS.has(key) || alsoDrop.includes(key)) continue
    result[key] = Array.isArray(value) ? value.map((row) => (isPlainObject(row) ? cleanValues(row, ['docstatus', 'modified']) : row)) : value
  }
  return result
}

/** A document as Frappe sends it: no nulls, and the private `_` columns only when they say something. */
export function documentOutput(doc: Document): DocValues {
  const values = doc.asDict({ noNulls: true })
  for (const key of ['_comments', '_assign', '_seen']) delete values[key]
  for (const key of ['_user_tags', '_liked_by']) if (!values[key]) delete values[key]
  return values
}
