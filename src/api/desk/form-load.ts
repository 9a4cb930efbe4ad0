import { currentContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { DoesNotExistError, PermissionError } from '../../errors/index.js'
import { TABLE_FIELD_TYPES, type DocTypeMeta } from '../../meta/index.js'
import { documentValuesFromMeta } from '../../doctypes/index.js'
import { filterReadableValues, getDocPermissions, getDocument, hasPermission, type DocValues, type Document, type WhitelistedMethod } from '../../model/index.js'
import { flagArg, textArg } from '../args.js'
import { docNoNulls } from '../document-dict.js'
import { methodReply } from '../method-reply.js'
import { commentLogs, documentAssignments, documentShares, documentTags, userInfoOf } from './timeline.js'

/**
 * A DocType's meta as the desk and v2 receive it: the DocType document, its fields as DocField
 * rows and its permissions as DocPerm rows.
 */
export function metaAsDict(meta: DocTypeMeta): DocValues {
  const values = documentValuesFromMeta(meta)
  const rows = (key: 'fields' | 'permissions', doctype: string): DocValues[] =>
    (values[key] as DocValues[]).map((row, index) => ({ ...row, doctype, parent: meta.name, parentfield: key, parenttype: 'DocType', idx: index + 1 }))
  return { ...values, doctype: 'DocType', fields: rows('fields', 'DocField'), permissions: rows('permissions', 'DocPerm') }
}

const existingTable = (meta: DocTypeMeta | undefined): boolean => meta !== undefined && !meta.issingle && !meta.isVirtual

/** Files attached to a document, as the form sidebar lists them. */
async function attachments(doc: Document): Promise<DocValues[]> {
  if (!existingTable(currentContext().site.services.meta.find('File'))) return []
  return database()
    .selectFrom('tabFile')
    .select(['name', 'file_name', 'file_url', 'is_private'])
    .where('attached_to_doctype', '=', doc.doctype)
    .where('attached_to_name', '=', String(doc.name))
    .orderBy('creation')
    .execute()
}

/** The last changes recorded for a document (DocTypes with `track_changes`). */
async function versions(doc: Document): Promise<DocValues[]> {
  if (!doc.meta.trackChanges || !existingTable(currentContext().site.services.meta.find('Version'))) return []
  return database()
    .selectFrom('tabVersion')
    .select(['name', 'owner', 'creation', 'data'])
    .where('ref_doctype', '=', doc.doctype)
    .where('docname', '=', String(doc.name))
    .orderBy('creation', 'desc')
    .limit(10)
    .execute()
}

/**
 * Frappe v15's `get_docinfo`: what the form shows beside the document. Comments and the logs
 * come from Comment rows, `shared` from DocShare, `assignments` from open ToDos, `tags` from
 * `_user_tags`. Parts Cortado does not keep (communications, views, milestones) are empty.
 */
export async function docinfo(doc: Document): Promise<DocValues> {
  const ctx = currentContext()
  const logs = await commentLogs(ctx, doc)
  const shared = await documentShares(ctx, doc)
  const assignments = await documentAssignments(ctx, doc)
  const named = [...Object.values(logs).flat(), ...assignments].map((row) => String(row.owner ?? ''))
  const users = new Set([...named, ...shared.map((row) => String(row.user ?? ''))])
  return {
    user_info: await userInfoOf(ctx, users),
    comments: logs.comments,
    shared,
    assignment_logs: logs.assignment_logs,
    attachment_logs: logs.attachment_logs,
    info_logs: logs.info_logs,
    like_logs: logs.like_logs,
    workflow_logs: logs.workflow_logs,
    doctype: doc.doctype,
    name: doc.name,
    attachments: await attachments(doc),
    communications: [],
    automated_messages: [],
    total_comments: logs.comments.length,
    versions: await versions(doc),
    assignments,
    permissions: await getDocPermissions(ctx, doc),
    views: [],
    energy_point_logs: [],
    additional_timeline_content: [],
    milestones: [],
    is_document_followed: false,
    tags: documentTags(doc),
    document_email: null,
  }
}

/**
 * `frappe.desk.form.load.getdoc`: `{docs: [doc], docinfo}`; a missing document is a 200 with
 * `message: []`, as Frappe answers it (appendix A).
 */
export const getdoc: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    let doc: Document
    try {
      doc = await getDocument(textArg(args, 'doctype'), textArg(args, 'name'))
    } catch (error) {
      if (error instanceof DoesNotExistError && error.doctype !== 'DocType') return []
      throw error
    }
    if (doc.meta.istable || !(await hasPermission(ctx, doc.meta, 'read', doc))) {
      throw new PermissionError(`Insufficient Permission for ${doc.doctype} ${String(doc.name)}`)
    }
    const info = await docinfo(doc)
    return methodReply(undefined, { docs: [docNoNulls(filterReadableValues(ctx, doc))], docinfo: info })
  },
}

/**
 * `frappe.desk.form.load.getdoctype`: the meta of a DocType and of its child tables in `docs`
 * (with `with_parent`, of the parent of a child table), and `user_settings`.
 */
export const getdoctype: WhitelistedMethod = {
  handler(args) {
    const registry = currentContext().site.services.meta
    let meta = registry.get(textArg(args, 'doctype'))
    const extras: Record<string, unknown> = {}
    if (flagArg(args, 'with_parent', false) && meta.istable) {
      const parent = registry.all().find((candidate) => candidate.tableFields.some((field) => field.options === meta.name))
      if (parent) {
        meta = parent
        extras.parent_dt = parent.name
      }
    }
    const children = meta.fields.filter((field) => TABLE_FIELD_TYPES.has(field.fieldtype)).map((field) => registry.find(field.options ?? ''))
    const docs = [meta, ...children.filter((child): child is DocTypeMeta => child !== undefined)].map(metaAsDict)
    return methodReply(undefined, { ...extras, user_settings: '{}', docs })
  },
}
