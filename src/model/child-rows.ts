import type { RequestContext } from '../context/index.js'
import type { Document } from './document.js'

/** Names new rows and fills `parent`, `parenttype`, `parentfield`, `idx`, owner and timestamps. */
export function prepareChildren(ctx: RequestContext, doc: Document, now: string): Document[] {
  const fresh: Document[] = []
  for (const field of doc.meta.tableFields) {
    for (const [index, row] of doc.getTable(field.fieldname).entries()) {
      row.set('parent', doc.name)
      row.set('parenttype', doc.doctype)
      row.set('parentfield', field.fieldname)
      row.set('idx', index + 1)
      row.set('docstatus', doc.docstatus)
      row.set('modified', now)
      row.set('modified_by', ctx.user)
      if (row.isNew) {
        row.set('owner', row.get('owner') ?? ctx.user)
        row.set('creation', now)
        fresh.push(row)
      }
    }
  }
  return fresh
}

/** Rows sent back with the name of a stored row are that row, not new ones (spec 1.5). */
export function adoptStoredRows(doc: Document, stored: Document): void {
  for (const field of doc.meta.tableFields) {
    const before = new Map(stored.getTable(field.fieldname).map((row) => [row.name, row]))
    for (const row of doc.getTable(field.fieldname)) {
      const old = row.name === undefined ? undefined : before.get(row.name)
      if (!old || !row.isNew) continue
      row.markStored()
      row.set('owner', old.get('owner'))
      row.set('creation', old.get('creation'))
    }
  }
}
