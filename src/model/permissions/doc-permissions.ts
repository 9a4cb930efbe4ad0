import { PermissionError } from '../../errors/index.js'
import type { RequestContext } from '../../context/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import type { Document } from '../document.js'

/** The rights a DocPerm row grants (spec 9.1). */
export type PermissionType =
  | 'read'
  | 'write'
  | 'create'
  | 'delete'
  | 'submit'
  | 'cancel'
  | 'amend'
  | 'report'
  | 'export'
  | 'import'
  | 'share'
  | 'print'
  | 'email'

/**
 * Whether the context's user holds `ptype` on a DocType (and, for `if_owner` rules, on this
 * document), by role and permlevel 0. Administrator holds every right. This is the check
 * point the document model calls; User Permissions and shares extend it (issue #3).
 */
export function hasPermission(ctx: RequestContext, meta: DocTypeMeta, ptype: PermissionType, doc?: Document): boolean {
  if (ctx.user === 'Administrator') return true
  const roles = new Set(ctx.roles)
  return meta.permissions.some(
    (perm) =>
      roles.has(perm.role) &&
      (perm.permlevel ?? 0) === 0 &&
      Boolean(perm[ptype]) &&
      (!perm.if_owner || !doc || doc.isNew || doc.get('owner') === ctx.user),
  )
}

/** Throws PermissionError unless the user holds `ptype`; child rows are checked on their parent. */
export function assertPermitted(ctx: RequestContext, doc: Document, ptype: PermissionType, parentMeta?: DocTypeMeta): void {
  if (doc.flags.ignorePermissions) return
  const meta = doc.meta.istable && parentMeta ? parentMeta : doc.meta
  if (!hasPermission(ctx, meta, ptype, doc)) {
    throw new PermissionError(`No permission to ${ptype} ${doc.doctype}${doc.name ? ` ${doc.name}` : ''}`)
  }
}
