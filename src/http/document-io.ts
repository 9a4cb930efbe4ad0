import { docNoNulls } from '../api/index.js'
import { FrappeTypeError } from '../errors/index.js'
import type { DocTypeMeta } from '../meta/index.js'
import type { DocValues, Document } from '../model/index.js'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

/** Standard fields a client never sets: the framework owns them (spec 1.3, issue #3 point 6). */
const OWNED_FIELDS = new Set([
  'doctype', 'owner', 'creation', 'modified_by', 'idx', 'parent', 'parentfield', 'parenttype',
  '_user_tags', '_comments', '_assign', '_liked_by', '_seen',
])

/**
 * The document values in a request: the `data` argument (JSON text or object), else the args.
 * With `meta`, a DocField named like a standard field stays (Custom DocPerm's `parent`).
 */
export function documentInput(args: Readonly<Record<string, unknown>>, purpose: 'insert' | 'update', meta?: DocTypeMeta): DocValues {
  let data: unknown = args.data ?? args
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data)
    } catch {
      throw new FrappeTypeError('data must be a JSON object')
    }
  }
  if (!isPlainObject(data)) throw new FrappeTypeError('The document must be a JSON object')
  return cleanValues(data, purpose === 'update' ? ['name'] : [], meta?.fieldsByName)
}

function cleanValues(values: Record<string, unknown>, alsoDrop: readonly string[], defined?: ReadonlyMap<string, unknown>): DocValues {
  const result: DocValues = {}
  for (const [key, value] of Object.entries(values)) {
    if (FORBIDDEN_KEYS.has(key) || alsoDrop.includes(key) || (OWNED_FIELDS.has(key) && !defined?.has(key))) continue
    result[key] = Array.isArray(value) ? value.map((row) => (isPlainObject(row) ? cleanValues(row, ['docstatus', 'modified']) : row)) : value
  }
  return result
}

/** A document as Frappe sends it: no nulls, no keys the DocType does not define (api's `docNoNulls`). */
export function documentOutput(doc: Document): DocValues {
  return docNoNulls(doc)
}
