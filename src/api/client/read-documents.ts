import { sql } from 'kysely'
import { currentContext, hasRole, msgprint, type RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { DoesNotExistError, FrappeTypeError, PermissionError, ValidationError } from '../../errors/index.js'
import { tableName, type DocTypeMeta } from '../../meta/index.js'
import {
  RIGHTS,
  assertPermitted,
  filterReadableValues,
  getDocPermissions,
  getDocument,
  getList,
  hasPermission,
  listRestriction,
  type Document,
  type PermissionType,
  type WhitelistedMethod,
} from '../../model/index.js'
import { jsonArg, optionalText, textArg, type Args } from '../args.js'
import { docAsDict } from '../document-dict.js'
import { assertCanQuery } from './list-access.js'
import { getValueMethod } from './read-values.js'


/** The first document matching `filters`, by the DocType's order, or DoesNotExistError. */
async function firstMatch(ctx: RequestContext, doctype: string, filters: unknown): Promise<Document> {
  const metaOf = (name: string): DocTypeMeta => ctx.site.services.meta.get(name)
  // Only rows the user may read (spec 9.3): a refusal must not name a document they cannot see.
  const names = await getList(database(), metaOf, doctype, { filters, pluck: 'name', limit_page_length: 1 }, { restrict: listRestriction(ctx, doctype) })
  const name = names[0]
  if (typeof name !== 'string') throw new DoesNotExistError(doctype, JSON.stringify(filters ?? {}))
  return getDocument(doctype, name)
}

/** `frappe.client.get`: a document by name, by filters (the first match), or a Single; nulls included. */
export const getMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const doctype = textArg(args, 'doctype')
    const governing = await assertCanQueryIfChild(ctx, doctype, args.parent)
    const name = optionalText(args, 'name')
    const filters = jsonArg(args, 'filters')
    let doc: Document
    if (name) doc = await getDocument(doctype, name)
    else if (filters !== undefined && filters !== null && filters !== '') {
      if (typeof filters !== 'object') throw new FrappeTypeError('filters must be a list or an object')
      doc = await firstMatch(ctx, doctype, filters)
    } else doc = await getDocument(doctype, doctype)
    await assertPermitted(ctx, doc, 'read', governing)
    return docAsDict(filterReadableValues(ctx, doc))
  },
}

async function assertCanQueryIfChild(ctx: RequestContext, doctype: string, parent: unknown): Promise<DocTypeMeta | undefined> {
  return ctx.site.services.meta.get(doctype).istable ? assertCanQuery(ctx, doctype, parent) : undefined
}

function permissionType(args: Args): PermissionType {
  const ptype = (optionalText(args, 'perm_type') ?? 'read').toLowerCase()
  const known = RIGHTS.find((candidate) => candidate === ptype)
  if (!known) throw new FrappeTypeError(`Unknown permission type: ${ptype}`)
  return known
}

/** `frappe.client.has_permission`: `{has_permission: bool}` for one document. */
export const hasPermissionMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const ptype = permissionType(args)
    const doc = await getDocument(textArg(args, 'doctype'), textArg(args, 'docname'))
    return { has_permission: await hasPermission(ctx, doc.meta, ptype, doc) }
  },
}

/** `frappe.client.get_doc_permissions`: `{permissions: {read: 1, …}}` for one document. */
export const getDocPermissionsMethod: WhitelistedMethod = {
  async handler(args) {
    const doc = await getDocument(textArg(args, 'doctype'), textArg(args, 'docname'))
    return { permissions: await getDocPermissions(currentContext(), doc) }
  },
}

/**
 * `frappe.client.get_password`, for System Managers only. Cortado keeps passwords and secrets
 * only as slow hashes and no API returns them (issue #3), so the answer is always a refusal.
 */
export const getPasswordMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    if (ctx.user !== 'Administrator' && !hasRole(ctx, 'System Manager')) throw new PermissionError('Not permitted')
    const doctype = textArg(args, 'doctype')
    const fieldname = textArg(args, 'fieldname')
    await getDocument(doctype, textArg(args, 'name'))
    const field = ctx.site.services.meta.get(doctype).fieldsByName.get(fieldname)
    if (field?.fieldtype !== 'Password') throw new ValidationError(`${doctype} has no Password field ${fieldname}`)
    throw new ValidationError('Passwords are stored as one-way hashes and cannot be read back')
  },
}

/** `frappe.client.get_time_zone` (guest): the site's `time_zone`, else the server's. */
export const getTimeZoneMethod: WhitelistedMethod = {
  allowGuest: true,
  handler: () => {
    const configured = currentContext().site.config.time_zone
    return { time_zone: typeof configured === 'string' ? configured : Intl.DateTimeFormat().resolvedOptions().timeZone }
  },
}

/**
 * `frappe.client.is_document_amended`: as Frappe's `frappe.db.exists`, the amending document's
 * name, nothing when there is none, and false without read permission.
 */
export const isDocumentAmendedMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const meta = ctx.site.services.meta.get(textArg(args, 'doctype'))
    const docname = textArg(args, 'docname')
    if (!(await hasPermission(ctx, meta, 'read')) || !meta.fieldsByName.has('amended_from')) return false
    const row = await database().selectFrom(tableName(meta.name)).select('name').where('amended_from', '=', docname).executeTakeFirst()
    return row ? String(row.name) : undefined
  },
}

/**
 * `frappe.client.validate_link`: `{name}` with the canonical name (null when missing), plus
 * the requested `fields` when the user may read them.
 */
export const validateLinkMethod: WhitelistedMethod = {
  async handler(args) {
    const ctx = currentContext()
    const doctype = args.doctype
    const docname = args.docname
    if (typeof doctype !== 'string') throw new ValidationError('DocType must be a string')
    if (typeof docname !== 'string') throw new ValidationError('Document Name must be a string')
    if (doctype === 'DocType') return { name: ctx.site.services.meta.find(docname)?.name ?? null }
    const meta = ctx.site.services.meta.get(doctype)
    const governing = meta.istable ? await parentTypeOf(meta, docname) : meta
    if (!governing || !((await hasPermission(ctx, governing, 'read')) || (await hasPermission(ctx, governing, 'select')))) {
      throw new PermissionError(`You do not have Read or Select Permissions for ${doctype}`)
    }
    const name = await canonicalName(meta, docname)
    const fields = jsonArg(args, 'fields')
    if (name === null || fields === undefined || fields === null || (Array.isArray(fields) && fields.length === 0)) return { name }
    try {
      const values = await getValueMethod.handler({ doctype, fieldname: fields, filters: { name }, parent: governing.name })
      return { name, ...(typeof values === 'object' && values !== null ? values : {}) }
    } catch (error) {
      if (!(error instanceof PermissionError)) throw error
      msgprint(`You need Read permission to fetch values from ${doctype} ${name}`, { title: 'Cannot Fetch Values', indicator: 'orange' })
      return { name }
    }
  },
}

async function parentTypeOf(meta: DocTypeMeta, name: string): Promise<DocTypeMeta | undefined> {
  const row = await database().selectFrom(tableName(meta.name)).select('parenttype').where('name', '=', name).executeTakeFirst()
  return row?.parenttype ? currentContext().site.services.meta.find(String(row.parenttype)) : undefined
}

/** The stored name, matched exactly or else ignoring case, as MariaDB matches it (spec 6.7). */
async function canonicalName(meta: DocTypeMeta, name: string): Promise<string | null> {
  if (meta.issingle) return name === meta.name ? name : null
  const query = database().selectFrom(tableName(meta.name)).select('name')
  const row =
    (await query.where('name', '=', name).executeTakeFirst()) ??
    (await query.where(sql`lower(${sql.ref('name')})`, '=', sql`lower(${name})`).limit(1).executeTakeFirst())
  return row ? String(row.name) : null
}
