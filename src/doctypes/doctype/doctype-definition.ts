import type { DocTypeMeta } from '../../meta/index.js'
import type { DocValues, Document } from '../../model/index.js'

/** Columns a DocType document's rows carry that are not part of Frappe's JSON format. */
const ROW_ONLY_KEYS = new Set(['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx', 'parent', 'parentfield', 'parenttype', 'doctype'])

/** Drops falsy values, as Frappe's exporter does (spec 7.1). */
function compact(values: DocValues, skip: ReadonlySet<string>): DocValues {
  const result: DocValues = {}
  for (const [key, value] of Object.entries(values)) {
    if (skip.has(key) || value === null || value === undefined || value === '' || value === 0) continue
    result[key] = value
  }
  return result
}

/** The Frappe-format JSON definition that a document of DocType "DocType" describes. */
export function definitionFromDocument(doc: Document): DocValues {
  const { fields: _fields, permissions: _permissions, ...top } = doc.asDict({ noNulls: true })
  const fields = doc.getTable('fields').map((row) => compact(row.asDict({ noNulls: true }), ROW_ONLY_KEYS))
  return {
    ...compact(top, new Set(['owner', 'creation', 'modified_by', 'docstatus', 'idx', 'doctype'])),
    doctype: 'DocType',
    name: doc.name,
    fields,
    field_order: fields.map((field) => field.fieldname),
    permissions: doc.getTable('permissions').map((row) => compact(row.asDict({ noNulls: true }), ROW_ONLY_KEYS)),
  }
}

/** The values of a DocType document for a loaded definition (for `tabDocType` and the wire). */
export function documentValuesFromMeta(meta: DocTypeMeta): DocValues {
  const { fields: _fields, permissions: _permissions, field_order: _order, doctype: _doctype, ...top } = meta.definition
  return {
    ...top,
    name: meta.name,
    fields: meta.fields.map((field) => ({ ...field })),
    permissions: meta.permissions.map((perm) => ({ ...perm })),
  }
}
