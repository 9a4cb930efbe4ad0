import { publishRealtime } from '../context/index.js'
import type { Document } from './document.js'

/**
 * Frappe's `Document.notify_update`: once the action commits, `doc_update` to the document's
 * room and, except for single, child and `read_only` DocTypes, `list_update` to the DocType's
 * room (spec 10.1). Sent once per document however often it changed in the transaction.
 */
export function notifyUpdate(doc: Document, user: string): void {
  const { doctype } = doc
  const name = String(doc.name)
  publishRealtime('doc_update', { modified: doc.get('modified'), doctype, name }, { doctype, docname: name, afterCommit: true })
  const meta = doc.meta
  if (meta.issingle || meta.istable || Number(meta.definition.read_only ?? 0)) return
  publishRealtime('list_update', { doctype, name, user }, { doctype, afterCommit: true })
}
