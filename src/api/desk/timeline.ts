import type { RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import type { DocValues, Document } from '../../model/index.js'

/** The form timeline's lists that Frappe v15's `add_comments` fills from Comment rows, by comment_type. */
export interface CommentLogs {
  readonly comments: DocValues[]
  readonly assignment_logs: DocValues[]
  readonly attachment_logs: DocValues[]
  readonly info_logs: DocValues[]
  readonly like_logs: DocValues[]
  readonly workflow_logs: DocValues[]
}

const LOG_BY_COMMENT_TYPE: Readonly<Record<string, Exclude<keyof CommentLogs, 'comments'>>> = {
  Assigned: 'assignment_logs',
  'Assignment Completed': 'assignment_logs',
  Attachment: 'attachment_logs',
  'Attachment Removed': 'attachment_logs',
  Info: 'info_logs',
  Edit: 'info_logs',
  Label: 'info_logs',
  Like: 'like_logs',
  Workflow: 'workflow_logs',
}

function hasTable(ctx: RequestContext, doctype: string): boolean {
  const meta: DocTypeMeta | undefined = ctx.site.services.meta.find(doctype)
  return meta !== undefined && !meta.issingle && !meta.isVirtual
}

/** The document's Comment rows, sorted into v15's lists (`Shared`/`Unshared` rows are dropped, as v15's `shared` is the DocShares). */
export async function commentLogs(ctx: RequestContext, doc: Document): Promise<CommentLogs> {
  const logs: CommentLogs = { comments: [], assignment_logs: [], attachment_logs: [], info_logs: [], like_logs: [], workflow_logs: [] }
  if (!hasTable(ctx, 'Comment')) return logs
  const rows = await database(ctx)
    .selectFrom('tabComment')
    .select(['name', 'creation', 'content', 'owner', 'comment_type'])
    .where('reference_doctype', '=', doc.doctype)
    .where('reference_name', '=', String(doc.name))
    .orderBy('modified', 'desc') // Comment's sort_field
    .execute()
  for (const row of rows) {
    const type = String(row.comment_type ?? '')
    const list = type === 'Comment' ? 'comments' : LOG_BY_COMMENT_TYPE[type]
    if (list) logs[list].push(row)
  }
  return logs
}

/** Frappe v15's `share._get_users`: the DocShare rows of the document. */
export async function documentShares(ctx: RequestContext, doc: Document): Promise<DocValues[]> {
  if (!hasTable(ctx, 'DocShare')) return []
  return database(ctx)
    .selectFrom('tabDocShare')
    .select(['name', 'user', 'read', 'write', 'submit', 'share', 'everyone', 'owner', 'creation'])
    .where('share_doctype', '=', doc.doctype)
    .where('share_name', '=', String(doc.name))
    .orderBy('modified', 'desc')
    .execute()
}

/** Frappe v15's `get_assignments`: ToDos on the document that are neither Closed nor Cancelled, `owner` being the assignee. */
export async function documentAssignments(ctx: RequestContext, doc: Document): Promise<DocValues[]> {
  if (!hasTable(ctx, 'ToDo')) return []
  const rows = await database(ctx)
    .selectFrom('tabToDo')
    .select(['name', 'allocated_to', 'description', 'status'])
    .where('reference_type', '=', doc.doctype)
    .where('reference_name', '=', String(doc.name))
    .where('status', 'not in', ['Cancelled', 'Closed'])
    .where('allocated_to', 'is not', null)
    .where('allocated_to', '!=', '')
    .orderBy('modified', 'desc')
    .execute()
  return rows.map((row) => ({ name: row.name, owner: row.allocated_to, description: row.description, status: row.status }))
}

/** The document's tags as v15's `get_tags` joins them (`a,b`), read from its `_user_tags` (`,a,b`). */
export function documentTags(doc: Document): string {
  const stored = doc.get('_user_tags')
  if (typeof stored !== 'string') return ''
  return stored.split(',').map((tag) => tag.trim()).filter(Boolean).join(',')
}

/** Frappe's `add_user_info`: who the timeline names, by user: fullname, image, name, email, time_zone. */
export async function userInfoOf(ctx: RequestContext, users: ReadonlySet<string>): Promise<Record<string, DocValues>> {
  const names = [...users].filter(Boolean)
  if (names.length === 0) return {}
  const rows = await database(ctx)
    .selectFrom('tabUser')
    .select(['name', 'full_name', 'user_image', 'email', 'time_zone'])
    .where('name', 'in', names)
    .execute()
  const info = Object.create(null) as Record<string, DocValues> // user names are data: no prototype keys
  for (const row of rows) {
    const name = String(row.name)
    info[name] = { fullname: row.full_name || name, image: row.user_image ?? null, name, email: row.email ?? null, time_zone: row.time_zone ?? null }
  }
  return info
}
