import type { RequestContext } from '../../context/index.js'
import { TABLE_FIELD_TYPES, type DocField, type DocTypeMeta } from '../../meta/index.js'
import type { Document } from '../document.js'
import { applyDefaults } from '../values.js'
import { permlevelAccess } from './role-permissions.js'

/** Fields that hold a value: a column or a child table (not layout). */
function valueFields(meta: DocTypeMeta): DocField[] {
  const columns = new Set(meta.columns.map(({ field }) => field.fieldname))
  return meta.fields.filter((field) => columns.has(field.fieldname) || TABLE_FIELD_TYPES.has(field.fieldtype))
}

/** The DocType whose DocPerms govern `meta`'s permlevels: the parent for a child table. */
function governing(meta: DocTypeMeta, parentMeta: DocTypeMeta | undefined): DocTypeMeta | undefined {
  return meta.istable ? parentMeta : meta
}

/**
 * Whether a field at `permlevel` is open to the user for `ptype`. Level 0 always is: it comes
 * with the document-level right the caller has checked (a role, an owner rule or a share),
 * as in Frappe, which resets and strips only fields above level 0.
 */
export function isPermlevelPermitted(access: ReadonlySet<number> | undefined, permlevel: number | undefined): boolean {
  const level = Number(permlevel ?? 0)
  return level === 0 || access === undefined || access.has(level)
}

/**
 * The value fields (columns and tables, not standard fields) of `meta` the user may `read` or
 * `write` by permlevel (spec 9.1; Frappe's `get_permitted_fieldnames`). A child DocType is
 * judged by `parentMeta`'s DocPerms; without one, only its level-0 fields. The caller checks
 * the document-level right itself.
 */
export function permittedFieldnames(ctx: RequestContext, meta: DocTypeMeta, ptype: 'read' | 'write', parentMeta?: DocTypeMeta): string[] {
  const rules = governing(meta, parentMeta)
  const access = rules ? permlevelAccess(ctx, rules, ptype) : new Set<number>()
  return valueFields(meta)
    .filter((field) => isPermlevelPermitted(access, field.permlevel))
    .map((field) => field.fieldname)
}

/**
 * Frappe's `apply_fieldlevel_read_permissions`: clears (to null) every field of the document
 * and its child rows at a permlevel the user cannot read; a table field at such a level loses
 * all its rows. Mutates and returns `doc`, for output only: never save it afterwards.
 */
export function filterReadableValues<D extends Document>(ctx: RequestContext, doc: D): D {
  const access = permlevelAccess(ctx, doc.meta, 'read')
  if (access === undefined) return doc
  for (const field of valueFields(doc.meta)) {
    if (!isPermlevelPermitted(access, field.permlevel)) doc.set(field.fieldname, null)
  }
  for (const tableField of doc.meta.tableFields) {
    for (const row of doc.getTable(tableField.fieldname)) {
      for (const field of valueFields(row.meta)) {
        if (!isPermlevelPermitted(access, field.permlevel)) row.set(field.fieldname, null)
      }
    }
  }
  return doc
}

/** Default values of a fresh document of `meta`, as a reference for a new document's reset. */
function freshValues(ctx: RequestContext, doc: Document): Document {
  const fresh = doc.factory.create(doc.meta, {})
  applyDefaults(fresh, ctx.user)
  return fresh
}

function resetFields(row: Document, fields: readonly DocField[], reference: Document | undefined): void {
  for (const field of fields) {
    const value = reference?.get(field.fieldname)
    if (TABLE_FIELD_TYPES.has(field.fieldtype)) {
      const rows = reference ? reference.getTable(field.fieldname).map((child) => child.asDict()) : []
      row.update({ [field.fieldname]: rows })
    } else {
      row.set(field.fieldname, value ?? null)
    }
  }
}

/**
 * Frappe's `validate_higher_perm_levels`: a value sent for a field at a permlevel the user
 * cannot write is silently replaced by the stored one (`stored`), or by the default for a new
 * document; child rows likewise, matched to their stored rows by name. Administrator and
 * `ignorePermissions` documents are left alone.
 */
export function resetUnwritableValues(ctx: RequestContext, doc: Document, stored?: Document): void {
  if (doc.flags.ignorePermissions || ctx.flags.inInstall) return
  const access = permlevelAccess(ctx, doc.meta, 'write')
  if (access === undefined) return
  const locked = (meta: DocTypeMeta): DocField[] => valueFields(meta).filter((field) => !isPermlevelPermitted(access, field.permlevel))
  const own = locked(doc.meta)
  if (own.length > 0) resetFields(doc, own, stored ?? freshValues(ctx, doc))
  if (!stored) return
  for (const tableField of doc.meta.tableFields) {
    if (own.some((field) => field.fieldname === tableField.fieldname)) continue
    const before = new Map(stored.getTable(tableField.fieldname).map((row) => [row.name, row]))
    for (const row of doc.getTable(tableField.fieldname)) {
      const fields = locked(row.meta)
      if (fields.length === 0) continue
      const previous = row.name === undefined ? undefined : before.get(row.name)
      resetFields(row, fields, previous ?? freshValues(ctx, row))
    }
  }
}
