import type { RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { DoesNotExistError, PermissionError } from '../../errors/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import type { Document } from '../document.js'
import { loadDocument } from '../persist.js'
import { documentFactory } from '../site-model.js'
import { allRights, noRights, type PermissionType, type Rights } from './rights.js'
import { hasRolePermission, isAdministrator, permlevelAccess, rolePermissions } from './role-permissions.js'
import { isShared, shareColumn } from './shares.js'
import { hasUserPermission } from './user-permissions.js'

function isOwnedBy(doc: Document, user: string): boolean {
  return String(doc.get('owner') ?? '').toLowerCase() === user.toLowerCase()
}

/** The parent document of a child row: the one it was loaded with, else the stored one. */
async function parentOf(ctx: RequestContext, row: Document): Promise<Document | undefined> {
  if (row.parentDoc) return row.parentDoc
  const parenttype = row.get('parenttype')
  const parent = row.get('parent')
  if (!parenttype || !parent || !ctx.site.services.meta.find(String(parenttype))) return undefined
  try {
    return await loadDocument(database(ctx), documentFactory(ctx.site), String(parenttype), String(parent))
  } catch (error) {
    if (error instanceof DoesNotExistError) return undefined
    throw error
  }
}

/**
 * A child row is governed by its parent (spec 9.4, Frappe's `has_child_permission`): the parent
 * must hold this child in a table field, at a permlevel the user has for `ptype`.
 */
function tableFieldPermitted(ctx: RequestContext, parent: Document, row: Document, ptype: PermissionType): boolean {
  const field = parent.meta.tableFields.find(
    (candidate) => candidate.options === row.doctype && (!row.get('parentfield') || candidate.fieldname === row.get('parentfield')),
  )
  if (!field) return false
  const level = Number(field.permlevel ?? 0)
  const access = permlevelAccess(ctx, parent.meta, ptype)
  return level === 0 || access === undefined || access.has(level)
}

/**
 * Frappe's `get_doc_permissions`: the rights the user's roles give on this document, with
 * `if_owner` rights for its owner, all of it void when the document fails the user's User
 * Permissions (an owner then keeps only the `if_owner` rights, and never `create`). Shares
 * are not counted here, as in Frappe; `hasPermission` adds them. A child row answers for its
 * parent.
 */
export async function getDocPermissions(ctx: RequestContext, doc: Document): Promise<Rights> {
  if (isAdministrator(ctx)) return allRights()
  if (doc.meta.istable) {
    const parent = await parentOf(ctx, doc)
    return parent ? getDocPermissions(ctx, parent) : noRights()
  }
  const meta = doc.meta
  const isOwner = isOwnedBy(doc, ctx.user)
  const role = rolePermissions(ctx, meta, isOwner)
  let rights: Rights = { ...role.rights }
  if (role.hasIfOwner) Object.assign(rights, role.ifOwner)
  if (!(await hasUserPermission(ctx, doc))) {
    rights = isOwner ? { ...noRights(), ...role.ifOwner, create: 0 } : noRights()
  }
  if (!meta.isSubmittable) rights.submit = 0
  if (!meta.definition.allow_import) rights.import = 0
  return rights
}

async function sharedFor(ctx: RequestContext, meta: DocTypeMeta, ptype: PermissionType, doc: Document | undefined): Promise<boolean> {
  const column = shareColumn(ptype)
  if (!column) return false
  if (doc) return doc.name !== undefined && !doc.isNew && isShared(ctx, meta.name, doc.name, column)
  return isShared(ctx, meta.name, undefined, column)
}

/**
 * Frappe's `frappe.has_permission` (spec 9.1, 9.2): whether the user holds `ptype` on a DocType
 * or, with `doc`, on that document. Roles and permlevel-0 DocPerms (Custom DocPerm rows
 * replacing the JSON ones), `if_owner`, User Permissions for a document, then shares: a
 * document shared with the user (or everyone) grants the shared right, and any share in a
 * DocType passes the DocType-level check. Administrator holds every right. A child DocType
 * answers through its parent document; without one it grants nothing. Always `await` it.
 *
 * @example
 * if (!(await hasPermission(ctx, doc.meta, 'read', doc))) throw new PermissionError('Not permitted')
 */
export async function hasPermission(ctx: RequestContext, meta: DocTypeMeta, ptype: PermissionType, doc?: Document): Promise<boolean> {
  if (isAdministrator(ctx)) return true
  if (ptype === 'share' && ctx.site.config.disable_document_sharing) return false
  if (meta.istable) {
    const parent = doc ? await parentOf(ctx, doc) : undefined
    return parent !== undefined && tableFieldPermitted(ctx, parent, doc as Document, ptype) && hasPermission(ctx, parent.meta, ptype, parent)
  }
  let granted: boolean
  if (doc) {
    const rights = await getDocPermissions(ctx, doc)
    granted = Boolean(rights[ptype] || (ptype === 'select' && rights.read))
  } else {
    granted = hasRolePermission(ctx, meta, ptype)
  }
  return granted || sharedFor(ctx, meta, ptype, doc)
}

/**
 * Throws PermissionError (403) unless the user holds `ptype` on `doc` (`hasPermission`), unless
 * the document's flags say to ignore permissions. A child row is checked on its parent
 * document, or on `parentMeta` when it has none yet.
 */
export async function assertPermitted(ctx: RequestContext, doc: Document, ptype: PermissionType, parentMeta?: DocTypeMeta): Promise<void> {
  if (doc.flags.ignorePermissions) return
  const permitted =
    doc.meta.istable && parentMeta && !doc.parentDoc && !doc.get('parent')
      ? await hasPermission(ctx, parentMeta, ptype)
      : await hasPermission(ctx, doc.meta, ptype, doc)
  if (!permitted) {
    throw new PermissionError(`No permission to ${ptype} ${doc.doctype}${doc.name && !doc.isNew ? ` ${doc.name}` : ''}`)
  }
}
