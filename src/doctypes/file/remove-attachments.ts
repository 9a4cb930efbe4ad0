import { currentContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { deleteDocument, type Document } from '../../model/index.js'

/**
 * Frappe's `remove_all(dt, dn, from_delete=True)`: a deleted document takes the Files attached
 * to it along, each deleted as File (permissions ignored), so File's `onTrash` removes the bytes
 * once the delete commits, unless another File still uses them. Installed as a delete step.
 */
export async function removeAttachments(doc: Document): Promise<void> {
  const ctx = currentContext()
  const meta = ctx.site.services.meta.find('File')
  if (!meta || meta.issingle || meta.isVirtual || doc.meta.issingle || doc.meta.istable) return
  const rows = await database(ctx)
    .selectFrom('tabFile')
    .select('name')
    .where('attached_to_doctype', '=', doc.doctype)
    .where('attached_to_name', '=', String(doc.name))
    .execute()
  for (const row of rows) await deleteDocument('File', String(row.name), { ignorePermissions: true, ignoreMissing: true })
}
