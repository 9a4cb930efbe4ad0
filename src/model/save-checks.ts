import { currentContext } from '../context/index.js'
import type { WriteTransaction } from '../db/index.js'
import { CannotChangeConstantError, LinkExistsError, UpdateAfterSubmitError, ValidationError } from '../errors/index.js'
import type { Document } from './document.js'
import { findLinkedDocuments } from './linked-documents.js'
import type { SaveAction } from './save-action.js'

/** An amendment must point at a cancelled document (spec 6.2). */
export async function assertAmendable(tx: WriteTransaction, doc: Document): Promise<void> {
  const original = doc.get('amended_from')
  if (!original || !doc.meta.isSubmittable) return
  const row = await tx.selectFrom(`tab${doc.doctype}`).select('docstatus').where('name', '=', String(original)).executeTakeFirst()
  if (!row || Number(row.docstatus) !== 2) {
    throw new ValidationError(`${doc.doctype} ${String(original)} must be cancelled before it can be amended`)
  }
}

export function checkUnchangeable(doc: Document, stored: Document, action: SaveAction): void {
  for (const { field } of doc.meta.columns) {
    if (!doc.hasChanged(field.fieldname)) continue
    if (field.set_only_once && stored.get(field.fieldname) !== null && stored.get(field.fieldname) !== '') {
      throw new CannotChangeConstantError(`${doc.doctype}: ${field.label ?? field.fieldname} cannot be changed once set`)
    }
    if (action === 'update_after_submit' && !field.allow_on_submit) {
      throw new UpdateAfterSubmitError(`${doc.doctype}: not allowed to change ${field.label ?? field.fieldname} after submission`)
    }
  }
  if (action !== 'update_after_submit') return
  for (const field of doc.meta.tableFields) {
    if (field.allow_on_submit) continue
    const before = new Map(stored.getTable(field.fieldname).map((row) => [row.name, row]))
    const rows = doc.getTable(field.fieldname)
    const rowChanged = (row: Document): boolean => {
      const old = before.get(row.name)
      return !old || row.meta.columns.some(({ field: column }) => !column.allow_on_submit && !sameStoredValue(old.get(column.fieldname), row.get(column.fieldname)))
    }
    if (rows.length !== before.size || rows.some(rowChanged)) {
      throw new UpdateAfterSubmitError(`${doc.doctype}: not allowed to change ${field.label ?? field.fieldname} after submission`)
    }
  }
}

function sameStoredValue(a: unknown, b: unknown): boolean {
  return String(a ?? '') === String(b ?? '')
}

/** Frappe's `check_no_back_links_exist`: submitted documents still link to a cancelled one. */
export async function assertNoSubmittedBackLinks(tx: WriteTransaction, doc: Document): Promise<void> {
  const ctx = currentContext()
  const linked = await findLinkedDocuments(tx, ctx.site.services.meta.all(), doc, { submittedOnly: true })
  const first = linked[0]
  if (first) {
    throw new LinkExistsError(`Cannot cancel ${doc.doctype} ${String(doc.name)}: it is linked with submitted ${first.doctype} ${first.name}`)
  }
}
