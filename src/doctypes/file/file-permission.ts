import type { RequestContext } from '../../context/index.js'
import { DoesNotExistError } from '../../errors/index.js'
import { getDocument, hasPermission, type Document } from '../../model/index.js'
import { toInt } from '../../utils/index.js'

/** The File values the rule looks at: a row of `tabFile` or a File's `asDict()`. */
export type FileAccessValues = Readonly<Record<string, unknown>>

/**
 * Frappe v15's `has_permission` for File (core/doctype/file/file.py), which decides downloads
 * (`is_downloadable`): Administrator always; anyone may read a public file; the owner (not
 * Guest) may do anything; otherwise the document the file is attached to decides: reading the
 * file needs read on it, changing the file needs write. An unattached private file belongs to
 * its owner alone, as in Frappe, where System Manager gets no exception here.
 */
export async function canAccessFile(ctx: RequestContext, file: FileAccessValues, ptype: 'read' | 'write'): Promise<boolean> {
  if (ctx.user === 'Administrator') return true
  if (!toInt(file.is_private) && ptype === 'read') return true
  if (ctx.user !== 'Guest' && file.owner === ctx.user) return true
  const doctype = file.attached_to_doctype
  const name = file.attached_to_name
  if (typeof doctype !== 'string' || !doctype || name === null || name === undefined || name === '') return false
  if (!ctx.site.services.meta.find(doctype)) return false
  let attachedTo: Document
  try {
    attachedTo = await getDocument(doctype, String(name))
  } catch (error) {
    if (error instanceof DoesNotExistError) return false
    throw error
  }
  return await hasPermission(ctx, attachedTo.meta, ptype, attachedTo)
}
