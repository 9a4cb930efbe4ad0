import type { RequestContext } from '../../context/index.js'
import type { DocPerm, DocTypeMeta } from '../../meta/index.js'
import { docPermsOf } from './custom-docperms.js'
import { allRights, noRights, RIGHTS, type PermissionType, type Rights } from './rights.js'

/**
 * Frappe's `get_role_permissions`: the OR of the permlevel-0 rows for the user's roles.
 * A right that comes only from `if_owner` rows goes to `ifOwner` (granted to the owner) and,
 * except `select` and `read` (so that lists still work, filtered by owner), is off in `rights`.
 */
export interface RolePermissions {
  readonly rights: Rights
  readonly ifOwner: Partial<Rights>
  readonly hasIfOwner: boolean
}

/** The user Frappe never restricts (spec 9.1); the System Manager role gets no such bypass. */
export function isAdministrator(ctx: RequestContext): boolean {
  return ctx.user === 'Administrator'
}

function isTruthy(value: unknown): boolean {
  return Boolean(Number(value ?? 0))
}

function appliesTo(ctx: RequestContext, perm: DocPerm): boolean {
  return ctx.roles.includes(perm.role)
}

/** The role rules of a DocType for the context's user; `isOwner` says whether they own the document. */
export function rolePermissions(ctx: RequestContext, meta: DocTypeMeta, isOwner = false): RolePermissions {
  if (isAdministrator(ctx)) return { rights: allRights(), ifOwner: {}, hasIfOwner: false }
  const rows = docPermsOf(ctx.site, meta).filter((perm) => appliesTo(ctx, perm) && Number(perm.permlevel ?? 0) === 0)
  const hasIfOwner = rows.some((perm) => isTruthy(perm.if_owner))
  const rights = noRights()
  const ifOwner: Partial<Rights> = {}
  for (const right of RIGHTS) {
    const granted = rows.some((perm) => isTruthy(perm[right]))
    rights[right] = granted ? 1 : 0
    const withoutOwner = rows.some((perm) => isTruthy(perm[right]) && !isTruthy(perm.if_owner))
    if (granted && hasIfOwner && !withoutOwner && right !== 'create') {
      ifOwner[right] = isOwner ? 1 : 0
      rights[right] = right === 'select' || right === 'read' ? 1 : 0
    }
  }
  return { rights, ifOwner, hasIfOwner }
}

/** Frappe's `requires_owner_constraint`: `read`/`select` come only from `if_owner` rows. */
export function requiresOwnerConstraint(role: RolePermissions): boolean {
  if (!role.hasIfOwner || Object.keys(role.ifOwner).length === 0) return false
  return !(['select', 'read'] as const).some((right) => role.rights[right] && !(right in role.ifOwner))
}

/**
 * Whether the user's roles grant `ptype` on the DocType as a whole (Frappe's `has_permission`
 * without a document and without shares): `submit` only if submittable, `import` only if
 * importable; `select` is also granted by `read`, as the list API treats them.
 */
export function hasRolePermission(ctx: RequestContext, meta: DocTypeMeta, ptype: PermissionType): boolean {
  if (isAdministrator(ctx)) return true
  if (ptype === 'submit' && !meta.isSubmittable) return false
  if (ptype === 'import' && !meta.definition.allow_import) return false
  const { rights } = rolePermissions(ctx, meta)
  return Boolean(rights[ptype] || (ptype === 'select' && rights.read))
}

/**
 * The permlevels at which the user's roles grant `ptype` (Frappe's `get_permlevel_access`),
 * `if_owner` or not. Undefined means every level (Administrator).
 */
export function permlevelAccess(ctx: RequestContext, meta: DocTypeMeta, ptype: PermissionType): ReadonlySet<number> | undefined {
  if (isAdministrator(ctx)) return undefined
  const levels = new Set<number>()
  for (const perm of docPermsOf(ctx.site, meta)) {
    if (appliesTo(ctx, perm) && isTruthy(perm[ptype])) levels.add(Number(perm.permlevel ?? 0))
  }
  return levels
}

/** Whether the user may only `select` (search) the DocType, not read it (Frappe's `only_has_select_perm`). */
export function onlyHasSelect(ctx: RequestContext, meta: DocTypeMeta): boolean {
  if (isAdministrator(ctx)) return false
  const { rights } = rolePermissions(ctx, meta)
  return Boolean(rights.select) && !rights.read
}

/** Frappe's `can_import`: a System Manager may import any DocType; others need `import`. */
export function canImport(ctx: RequestContext, meta: DocTypeMeta): boolean {
  return isAdministrator(ctx) || ctx.roles.includes('System Manager') || hasRolePermission(ctx, meta, 'import')
}

/** Frappe's `can_export`: a System Manager may export any DocType; others need `export` (an owner, an `if_owner` one too). */
export function canExport(ctx: RequestContext, meta: DocTypeMeta, isOwner = false): boolean {
  if (isAdministrator(ctx) || ctx.roles.includes('System Manager')) return true
  const role = rolePermissions(ctx, meta, isOwner)
  return Boolean(role.rights.export || role.ifOwner.export)
}
