import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { RequestContext } from '../../context/index.js'
import { PermissionError } from '../../errors/index.js'
import { STANDARD_COLUMNS, tableName, type DocTypeMeta } from '../../meta/index.js'
import type { ListQuery, ListScope, RestrictHook } from '../query/index.js'
import { isPermlevelPermitted } from './field-permissions.js'
import { hasRolePermission, isAdministrator, onlyHasSelect, permlevelAccess, requiresOwnerConstraint, rolePermissions } from './role-permissions.js'
import { sharedCondition } from './shares.js'
import { userPermissionCondition } from './user-permissions.js'

/**
 * Frappe's `build_match_conditions` (spec 9.3) for a non-child DocType, on the table aliased
 * `alias`: without a role that reads (or selects) it, only shared rows; with only `if_owner`
 * reads, the user's own rows; otherwise rows that pass the User Permissions. Shared rows are
 * ORed back in whenever something restricted the rest. Undefined when every row is readable.
 */
function rowCondition(ctx: RequestContext, meta: DocTypeMeta, alias: string): RawBuilder<SqlBool> | undefined {
  if (isAdministrator(ctx)) return undefined
  const role = rolePermissions(ctx, meta)
  const shared = sharedCondition(ctx, meta.name, alias)
  if (!role.rights.read && !role.rights.select) return shared
  const restricted = requiresOwnerConstraint(role)
    ? sql<SqlBool>`${sql.id(alias, 'owner')} = ${ctx.user}`
    : userPermissionCondition(ctx, meta, alias)
  return restricted && sql<SqlBool>`(${restricted} or ${shared})`
}

/** The DocTypes holding `child` in a table field, each with that field's permlevel. */
function parentsOf(ctx: RequestContext, child: string): Array<{ meta: DocTypeMeta; permlevels: number[] }> {
  return ctx.site.services.meta
    .all()
    .filter((meta) => !meta.istable && !meta.issingle && !meta.isVirtual)
    .map((meta) => ({ meta, permlevels: meta.tableFields.filter((field) => field.options === child).map((field) => Number(field.permlevel ?? 0)) }))
    .filter((entry) => entry.permlevels.length > 0)
}

/**
 * A child DocType queried directly (spec 9.4): a row is readable when its parent is, so each
 * row must belong (through `parenttype` and `parent`) to a parent DocType whose table of it the
 * user may read, and to a parent row the user may read. Beyond Frappe, which lists every row.
 */
function childRowCondition(ctx: RequestContext, meta: DocTypeMeta, alias: string, parent: string | undefined): RawBuilder<SqlBool> | undefined {
  if (isAdministrator(ctx)) return undefined
  const branches = parentsOf(ctx, meta.name)
    .filter(({ meta: parentMeta }) => parent === undefined || parentMeta.name === parent)
    .filter(({ meta: parentMeta, permlevels }) => {
      const access = permlevelAccess(ctx, parentMeta, 'read')
      return permlevels.some((level) => isPermlevelPermitted(access, level))
    })
    .map(({ meta: parentMeta }) => {
      const ownedBy = sql<SqlBool>`${sql.id(alias, 'parenttype')} = ${parentMeta.name}`
      const condition = rowCondition(ctx, parentMeta, 'parent_row')
      if (!condition) return ownedBy
      const readable = sql`select ${sql.id('parent_row', 'name')} from ${sql.table(tableName(parentMeta.name))} as ${sql.id('parent_row')} where ${condition}`
      return sql<SqlBool>`(${ownedBy} and ${sql.id(alias, 'parent')} in (${readable}))`
    })
  if (branches.length === 0) return sql<SqlBool>`1 = 0`
  return sql<SqlBool>`(${sql.join(branches, sql` or `)})`
}

/** The search fields a `select`-only user may see (Frappe's `get_search_fields`). */
function searchFields(meta: DocTypeMeta): Set<string> {
  const text = typeof meta.definition.search_fields === 'string' ? meta.definition.search_fields : ''
  const fields = new Set(text.split(',').map((field) => field.trim()).filter(Boolean))
  fields.add('name')
  return fields
}

/**
 * Which columns of which DocType the user may read in a query of `main` (spec 9.1, 3.4):
 * standard columns and level-0 fields, and higher levels the roles read. A child table's
 * columns follow the parent's DocPerms; a Link target's its own. A `select`-only user sees only
 * the search fields (Frappe's `get_permitted_fields` with `select`).
 */
function columnReader(ctx: RequestContext, main: DocTypeMeta, parent: string | undefined): (doctype: string, fieldname: string) => boolean {
  const cache = new Map<string, (fieldname: string) => boolean>()
  const build = (doctype: string): ((fieldname: string) => boolean) => {
    const meta = ctx.site.services.meta.get(doctype)
    const isOwnChild = meta.istable && (doctype === main.name || main.tableFields.some((field) => field.options === doctype))
    const rules = isOwnChild ? (main.istable ? ctx.site.services.meta.find(parent ?? '') ?? parentsOf(ctx, main.name)[0]?.meta : main) : meta
    if (!rules) return (fieldname) => (STANDARD_COLUMNS as readonly string[]).includes(fieldname)
    if (onlyHasSelect(ctx, rules)) {
      const allowed = searchFields(meta)
      return (fieldname) => allowed.has(fieldname)
    }
    const access = permlevelAccess(ctx, rules, 'read')
    return (fieldname) => isPermlevelPermitted(access, meta.fieldsByName.get(fieldname)?.permlevel)
  }
  return (doctype, fieldname) => {
    let reader = cache.get(doctype)
    if (!reader) {
      reader = build(doctype)
      cache.set(doctype, reader)
    }
    return reader(fieldname)
  }
}

/** Every Link target the query joins needs read (or select) permission (spec 3.4). */
function assertJoinsReadable(ctx: RequestContext, main: DocTypeMeta, scope: ListScope): void {
  for (const join of scope.joins) {
    const meta = ctx.site.services.meta.get(join.doctype)
    if (meta.istable && main.tableFields.some((field) => field.options === meta.name)) continue
    if (!hasRolePermission(ctx, meta, 'read') && !hasRolePermission(ctx, meta, 'select')) {
      throw new PermissionError(`No permission to read ${join.doctype}`)
    }
  }
}

/**
 * The row- and column-level restriction of a list, count or report query of `doctype` for the
 * context's user, as the query layer's `restrict` hook (spec 9.3): it ANDs one condition onto
 * the query (so `filters` and `or_filters` can only narrow it), checks read permission on
 * joined Link targets, and through `canRead` drops unreadable fields from `fields` and refuses
 * them in filters and ordering. For a child DocType, `parent` names the parent DocType the
 * client gave (spec 9.4); rows are limited to readable parents either way. The caller checks
 * the DocType-level right first (`hasPermission(ctx, meta, 'read')`, 403 when missing).
 *
 * @example
 * const rows = await getList(database(), metaOf, 'ToDo', args, { restrict: listRestriction(ctx, 'ToDo') })
 */
export function listRestriction(ctx: RequestContext, doctype: string, parent?: string): RestrictHook {
  const main = ctx.site.services.meta.get(doctype)
  const restrict = (query: ListQuery, scope: ListScope): ListQuery => {
    assertJoinsReadable(ctx, main, scope)
    const condition = main.istable ? childRowCondition(ctx, main, scope.alias, parent) : rowCondition(ctx, main, scope.alias)
    return condition ? query.where(condition) : query
  }
  if (isAdministrator(ctx)) return restrict
  return Object.assign(restrict, { canRead: columnReader(ctx, main, parent) })
}
