import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { RequestContext } from '../../context/index.js'
import { cached, database, registerCachedTableRule, registerCachedTables } from '../../db/index.js'
import { tableName, type DocField, type DocTypeMeta } from '../../meta/index.js'
import type { Document } from '../document.js'
import { isAdministrator } from './role-permissions.js'

/** One value a User Permission allows (Frappe's `get_user_permissions` entry). */
export interface AllowedValue {
  readonly doc: string
  /** The only DocType the rule applies to; undefined when it applies to all. */
  readonly applicableFor: string | undefined
  readonly isDefault: boolean
}

/** The user's allowed values, by the DocType they restrict (`allow`). */
export type UserPermissionMap = ReadonlyMap<string, readonly AllowedValue[]>

/** Administrator and Guest are never restricted by User Permissions (spec 9.2). */
function isExempt(ctx: RequestContext): boolean {
  return isAdministrator(ctx) || ctx.user === 'Guest'
}

/** Strict mode also refuses empty Link values (Frappe's System Setting, here a site config key). */
export function isStrict(ctx: RequestContext, meta: DocTypeMeta): boolean {
  return Boolean(ctx.site.config.apply_strict_user_permissions) && !meta.issingle
}

/** The Link fields User Permissions apply to: not `ignore_user_permissions` (Frappe's `get_link_fields`). */
export function restrictedLinkFields(meta: DocTypeMeta): DocField[] {
  return meta.fields.filter((field) => field.fieldtype === 'Link' && field.options && !field.ignore_user_permissions)
}

async function descendantsOf(ctx: RequestContext, doctype: string, name: string): Promise<string[]> {
  const table = sql.table(tableName(doctype))
  const rows = await sql<{ name: string }>`select ${sql.id('node', 'name')} as ${sql.id('name')}
    from ${table} as ${sql.id('node')}, ${table} as ${sql.id('root')}
    where ${sql.id('root', 'name')} = ${name}
      and ${sql.id('node', 'lft')} > ${sql.id('root', 'lft')} and ${sql.id('node', 'rgt')} < ${sql.id('root', 'rgt')}`.execute(database(ctx))
  return rows.rows.map((row) => String(row.name))
}

// A user's rules are cached per site; they change with User Permission rows and with the shape
// of any tree whose descendants they include.
registerCachedTables('User Permission')
registerCachedTableRule((table, site) => Boolean(site.services.meta.find(table)?.isTree))

/**
 * The context's User Permissions (Frappe's `get_user_permissions`): each rule's value, plus the
 * descendants of a tree value unless the rule hides them. A request that has written reads them
 * through its own transaction, so a rule it added counts at once; others share a cached copy.
 */
export async function loadUserPermissions(ctx: RequestContext): Promise<UserPermissionMap> {
  if (isExempt(ctx)) return new Map()
  if (ctx.work.transaction) return readUserPermissions(ctx)
  return cached(ctx.site, `user-permissions\0${ctx.user}`, () => readUserPermissions(ctx))
}

async function readUserPermissions(ctx: RequestContext): Promise<UserPermissionMap> {
  const result = new Map<string, AllowedValue[]>()
  const rows = await database(ctx)
    .selectFrom('tabUser Permission')
    .select(['allow', 'for_value', 'applicable_for', 'apply_to_all_doctypes', 'is_default', 'hide_descendants'])
    .where('user', '=', ctx.user)
    .orderBy('creation')
    .execute()
  for (const row of rows) {
    const allow = String(row.allow ?? '')
    if (!allow || row.for_value === null || row.for_value === undefined) continue
    const applicableFor = Number(row.apply_to_all_doctypes) || !row.applicable_for ? undefined : String(row.applicable_for)
    const list = result.get(allow) ?? []
    list.push({ doc: String(row.for_value), applicableFor, isDefault: Boolean(Number(row.is_default)) })
    const target = ctx.site.services.meta.find(allow)
    if (target?.isTree && !Number(row.hide_descendants)) {
      for (const doc of await descendantsOf(ctx, allow, String(row.for_value))) list.push({ doc, applicableFor, isDefault: false })
    }
    result.set(allow, list)
  }
  return result
}

/** Frappe's `get_allowed_docs_for_doctype`: the values of the rules that apply in `doctype`. */
export function allowedValues(values: readonly AllowedValue[] | undefined, doctype: string): Set<string> {
  return new Set((values ?? []).filter((value) => !value.applicableFor || value.applicableFor === doctype).map((value) => value.doc))
}

/**
 * The value a new document's Link field to `target` takes from User Permissions (Frappe's
 * `filter_allowed_docs_for_doctype` default): the `is_default` rule, or the only rule there is.
 */
export function defaultAllowedValue(permissions: UserPermissionMap, target: string, doctype: string): string | undefined {
  const values = permissions.get(target) ?? []
  let fallback: string | undefined
  for (const value of values) {
    if (value.applicableFor && value.applicableFor !== doctype) continue
    if (value.isDefault || values.length === 1) fallback = value.doc
  }
  return fallback
}

/** A field of `row` holding a value the user's rules for its target do not allow, if any. */
function forbiddenLink(ctx: RequestContext, permissions: UserPermissionMap, row: Document, doctype: string): DocField | undefined {
  const strict = isStrict(ctx, row.meta)
  for (const field of restrictedLinkFields(row.meta)) {
    const value = row.get(field.fieldname)
    const empty = value === undefined || value === null || value === ''
    if (empty && !strict) continue
    const rules = permissions.get(field.options ?? '')
    if (!rules) continue
    const allowed = allowedValues(rules, doctype)
    if (allowed.size > 0 && (empty || !allowed.has(String(value)))) return field
  }
  return undefined
}

/**
 * Frappe's `has_user_permission`: a document of a restricted DocType must be one of its allowed
 * names, and every Link field (in the document and in its child rows) must hold an allowed
 * value of its target, unless the field ignores User Permissions. Child rows are judged by
 * the rules that apply in the parent's DocType.
 */
export async function hasUserPermission(ctx: RequestContext, doc: Document, permissions?: UserPermissionMap): Promise<boolean> {
  if (isExempt(ctx)) return true
  const rules = permissions ?? (await loadUserPermissions(ctx))
  if (rules.size === 0) return true
  const own = rules.get(doc.doctype)
  if (own) {
    const allowed = allowedValues(own, doc.doctype)
    if (allowed.size > 0 && doc.name !== undefined && !allowed.has(doc.name)) return false
  }
  if (forbiddenLink(ctx, rules, doc, doc.doctype)) return false
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) {
      if (forbiddenLink(ctx, rules, row, doc.doctype)) return false
    }
  }
  return true
}

const UP_TABLE = sql.table('tabUser Permission')

/** The rules of `user` for `allow` that apply in `doctype`, over `tabUser Permission` as `up`. */
function applicableRules(user: string, allow: string, doctype: string): RawBuilder<SqlBool> {
  const column = (name: string): RawBuilder<unknown> => sql.id('up', name)
  return sql<SqlBool>`${column('user')} = ${user} and ${column('allow')} = ${allow}
    and (${column('apply_to_all_doctypes')} = 1 or ${column('applicable_for')} is null
      or ${column('applicable_for')} = '' or ${column('applicable_for')} = ${doctype})`
}

/** `column` holds an allowed value of `target`, or the user has no rule for `target` in `doctype`. */
function allowedValueCondition(ctx: RequestContext, column: RawBuilder<unknown>, target: DocTypeMeta, doctype: string, allowEmpty: boolean): RawBuilder<SqlBool> {
  const rules = applicableRules(ctx.user, target.name, doctype)
  const values = sql`select ${sql.id('up', 'for_value')} from ${UP_TABLE} as ${sql.id('up')} where ${rules}`
  const parts: RawBuilder<unknown>[] = [
    sql`not exists (select 1 from ${UP_TABLE} as ${sql.id('up')} where ${rules})`,
    sql`${column} in (${values})`,
  ]
  if (allowEmpty) parts.push(sql`${column} is null or ${column} = ''`)
  if (target.isTree) {
    const table = sql.table(tableName(target.name))
    const roots = sql`select ${sql.id('up', 'for_value')} from ${UP_TABLE} as ${sql.id('up')} where ${rules} and ${sql.id('up', 'hide_descendants')} = 0`
    parts.push(sql`${column} in (select ${sql.id('node', 'name')} from ${table} as ${sql.id('node')}, ${table} as ${sql.id('root')}
      where ${sql.id('root', 'name')} in (${roots})
        and ${sql.id('node', 'lft')} > ${sql.id('root', 'lft')} and ${sql.id('node', 'rgt')} < ${sql.id('root', 'rgt')})`)
  }
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
}

/**
 * Frappe's `add_user_permissions` as one SQL condition on the table aliased `alias`: its own
 * name, and each restricted Link field, must hold an allowed value (empty Links pass unless
 * strict). Rules are read by sub-queries, so the condition needs no data up front and sees
 * the rules as the query's transaction does. Undefined for users Frappe never restricts.
 */
export function userPermissionCondition(ctx: RequestContext, meta: DocTypeMeta, alias: string): RawBuilder<SqlBool> | undefined {
  if (isExempt(ctx)) return undefined
  const allowEmpty = !isStrict(ctx, meta)
  const parts = [allowedValueCondition(ctx, sql.id(alias, 'name'), meta, meta.name, false)]
  for (const field of restrictedLinkFields(meta)) {
    const target = ctx.site.services.meta.find(field.options ?? '')
    if (!target || meta.columns.every((column) => column.field.fieldname !== field.fieldname)) continue
    parts.push(allowedValueCondition(ctx, sql.id(alias, field.fieldname), target, meta.name, allowEmpty))
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`
}

/**
 * Fills the empty Link fields of a new document from the user's User Permissions (Frappe's
 * `get_user_default_value`): the `is_default` rule, or the only one, for the field's target.
 * Links to User and fields that ignore User Permissions are left alone.
 */
export async function applyUserPermissionDefaults(ctx: RequestContext, doc: Document): Promise<void> {
  if (isExempt(ctx)) return
  const fields = restrictedLinkFields(doc.meta).filter((field) => field.options !== 'User')
  if (fields.every((field) => !isEmptyValue(doc.get(field.fieldname)))) return
  const permissions = await loadUserPermissions(ctx)
  if (permissions.size === 0) return
  for (const field of fields) {
    if (!isEmptyValue(doc.get(field.fieldname))) continue
    const value = defaultAllowedValue(permissions, field.options ?? '', doc.doctype)
    if (value !== undefined) doc.set(field.fieldname, value)
  }
}

function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}
