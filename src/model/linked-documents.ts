import type { Executor } from '../db/index.js'
import { tableName, type DocTypeMeta } from '../meta/index.js'
import type { Document } from './document.js'

export interface LinkedDocument {
  readonly doctype: string
  readonly name: string
  readonly docstatus: number
}

/** Every stored field that can point at documents of `doctype`: Links to it, and Dynamic Links. */
export function linkFieldsTo(metas: readonly DocTypeMeta[], doctype: string) {
  const result: Array<{ meta: DocTypeMeta; fieldname: string; doctypeField: string | undefined }> = []
  for (const meta of metas) {
    if (meta.issingle || meta.isVirtual) continue
    for (const { field } of meta.columns) {
      if (field.fieldtype === 'Link' && field.options === doctype) result.push({ meta, fieldname: field.fieldname, doctypeField: undefined })
      if (field.fieldtype === 'Dynamic Link' && field.options) result.push({ meta, fieldname: field.fieldname, doctypeField: field.options })
    }
  }
  return result
}

/**
 * Documents that link to `doc` (Frappe's `check_if_doc_is_linked`): for a delete, any that is
 * not cancelled; for a cancel (`submittedOnly`), submitted ones. A row of a child table counts
 * as its parent. The document's own rows and `amended_from` links do not count.
 */
export async function findLinkedDocuments(
  db: Executor,
  metas: readonly DocTypeMeta[],
  doc: Document,
  options: { submittedOnly: boolean },
): Promise<LinkedDocument[]> {
  const found: LinkedDocument[] = []
  for (const { meta, fieldname, doctypeField } of linkFieldsTo(metas, doc.doctype)) {
    // Shares belong to the document and go with it (Frappe skips DocShare, then deletes them).
    if (fieldname === 'amended_from' || meta.name === 'DocShare') continue
    let query = db
      .selectFrom(tableName(meta.name))
      .select(['name', 'docstatus', ...(meta.istable ? ['parent', 'parenttype'] : [])])
      .where(fieldname, '=', String(doc.name))
    if (doctypeField) query = query.where(doctypeField, '=', doc.doctype)
    for (const row of await query.limit(50).execute()) {
      const owner = meta.istable
        ? { doctype: String(row.parenttype), name: String(row.parent) }
        : { doctype: meta.name, name: String(row.name) }
      if (owner.doctype === doc.doctype && owner.name === doc.name) continue
      const docstatus = Number(row.docstatus)
      if (options.submittedOnly ? docstatus !== 1 : docstatus === 2) continue
      found.push({ ...owner, docstatus })
    }
  }
  return found
}
