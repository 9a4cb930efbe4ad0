import { currentContext, publishRealtime } from '../context/index.js'
import { inTransaction, noteCachedWrite } from '../db/index.js'
import { DuplicateEntryError, ValidationError } from '../errors/index.js'
import { tableName } from '../meta/index.js'
import type { Document } from './document.js'
import { linkFieldsTo } from './linked-documents.js'
import { notifyUpdate } from './notify-update.js'
import { validateName } from './naming/index.js'
import { assertPermitted } from './permissions/index.js'
import { deleteRow, loadDocument } from './persist.js'
import { runHook } from './run-hooks.js'
import { documentFactory } from './site-model.js'

export interface RenameOptions {
  /** Merge into an existing document of the new name. */
  readonly merge?: boolean
  readonly ignorePermissions?: boolean
}

/**
 * Frappe's `rename_doc` (spec 6.3): `before_rename`, the row and its children take the new
 * name, every Link pointing at the old name is rewritten, then `after_rename`.
 */
export function renameDocument(doctype: string, oldName: string, requestedName: string, options: RenameOptions = {}): Promise<Document> {
  return inTransaction(async (tx) => {
    const ctx = currentContext()
    const factory = documentFactory(ctx.site)
    const meta = factory.metaOf(doctype)
    if (!meta.allowRename) throw new ValidationError(`${doctype} not allowed to be renamed`)
    if (meta.issingle || meta.istable) throw new ValidationError(`${doctype} cannot be renamed`)
    const doc = await loadDocument(tx, factory, doctype, oldName)
    if (options.ignorePermissions) doc.flags.ignorePermissions = true
    await assertPermitted(ctx, doc, 'write')
    const newName = validateName(doctype, requestedName, false)
    if (newName === oldName) return doc
    const existing = await tx.selectFrom(tableName(doctype)).select('name').where('name', '=', newName).executeTakeFirst()
    const merge = Boolean(options.merge)
    if (existing && !merge) throw new DuplicateEntryError(doctype, newName)
    if (!existing && merge) throw new ValidationError(`${doctype} ${newName} does not exist, select a new target to merge`)

    await runHook(doc, 'beforeRename', oldName, newName, merge)
    await noteCachedWrite(tx, doctype)
    if (merge) await deleteRow(tx, doc)
    else await tx.updateTable(tableName(doctype)).set({ name: newName }).where('name', '=', oldName).execute()
    // Frappe's `update_autoname_field`: a name taken from a field keeps that field in step.
    const autonameField = /^field:(.+)$/.exec(meta.autoname)?.[1]?.trim()
    if (autonameField && meta.fields.some((field) => field.fieldname === autonameField)) {
      await tx.updateTable(tableName(doctype)).set({ [autonameField]: newName }).where('name', '=', newName).execute()
    }
    for (const field of meta.tableFields) {
      await noteCachedWrite(tx, field.options ?? '')
      await tx
        .updateTable(tableName(field.options ?? ''))
        .set({ parent: newName })
        .where('parent', '=', oldName)
        .where('parenttype', '=', doctype)
        .execute()
    }
    for (const { meta: linking, fieldname, doctypeField } of linkFieldsTo(ctx.site.services.meta.all(), doctype)) {
      await noteCachedWrite(tx, linking.name)
      let update = tx.updateTable(tableName(linking.name)).set({ [fieldname]: newName }).where(fieldname, '=', oldName)
      if (doctypeField) update = update.where(doctypeField, '=', doctype)
      await update.execute()
    }
    const renamed = await loadDocument(tx, factory, doctype, newName)
    await runHook(renamed, 'afterRename', oldName, newName, merge)
    notifyUpdate(renamed, ctx.user)
    // Frappe v15: whoever watches the old form learns the new name once the rename commits.
    publishRealtime('doc_rename', { doctype, old: oldName, new: newName }, { doctype, docname: oldName, afterCommit: true })
    return renamed
  })
}
