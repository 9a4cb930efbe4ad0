import { currentContext, type RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { PermissionError } from '../../errors/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import { getCount, getList, hasPermission, listRestriction, type CountArgs, type ListArgs, type ListRows } from '../../model/index.js'

/**
 * The DocType whose permissions govern a query of `doctype`: itself, or for a child table the
 * parent DocType named by `parent`, which must have a table of that child and be readable
 * (spec 9.4, Frappe's `check_parent_permission`). Otherwise a PermissionError (403).
 */
export async function assertCanQuery(ctx: RequestContext, doctype: string, parent: unknown): Promise<DocTypeMeta> {
  const meta = ctx.site.services.meta.get(doctype)
  if (!meta.istable) {
    if (!(await canList(ctx, meta))) throw new PermissionError(`No permission to read ${doctype}`)
    return meta
  }
  const parentMeta = typeof parent === 'string' && parent !== '' ? ctx.site.services.meta.find(parent) : undefined
  const holdsChild = parentMeta?.tableFields.some((field) => field.options === doctype) ?? false
  if (!parentMeta || !holdsChild || !(await canList(ctx, parentMeta))) {
    throw new PermissionError(`No permission to read ${doctype}`)
  }
  return parentMeta
}

/** Frappe's list check: `read`, or `select` (which lists names only). */
async function canList(ctx: RequestContext, meta: DocTypeMeta): Promise<boolean> {
  return (await hasPermission(ctx, meta, 'read')) || hasPermission(ctx, meta, 'select')
}

/**
 * `frappe.get_list` for a request: the permission check on the DocType (or its parent), then
 * the query with the user's row-level restriction (spec 9.3), so rows the user may not read
 * are simply absent.
 */
export async function readList(doctype: string, args: ListArgs, parent?: unknown): Promise<ListRows> {
  const ctx = currentContext()
  await assertCanQuery(ctx, doctype, parent)
  const provider = ctx.site.services.virtualDocTypes?.get(doctype)
  if (provider) return provider.getList(args)
  const metaOf = (name: string): DocTypeMeta => ctx.site.services.meta.get(name)
  return getList(database(), metaOf, doctype, args, { restrict: listRestriction(ctx, doctype, parentName(parent)) })
}

/** How many rows `readList` would show the user, without paging. */
export async function readCount(doctype: string, args: CountArgs, parent?: unknown): Promise<number> {
  const ctx = currentContext()
  await assertCanQuery(ctx, doctype, parent)
  const metaOf = (name: string): DocTypeMeta => ctx.site.services.meta.get(name)
  return getCount(database(), metaOf, doctype, args, { restrict: listRestriction(ctx, doctype, parentName(parent)) })
}

const parentName = (parent: unknown): string | undefined => (typeof parent === 'string' && parent !== '' ? parent : undefined)

const LIST_KEYS = ['fields', 'filters', 'or_filters', 'order_by', 'group_by', 'limit_start', 'limit_page_length', 'as_dict'] as const

/** Only the parameters `frappe.client.get_list` declares: `start`, `limit`, `page_length` and the rest are dropped (spec 2.1). */
export function pickListArgs(args: Readonly<Record<string, unknown>>, extra: readonly string[] = []): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of [...LIST_KEYS, ...extra]) if (Object.hasOwn(args, key)) picked[key] = args[key]
  return picked
}

/** Python's truthiness, for Frappe's `a or b` defaults: `"0"` is truthy, `0` and `""` are not. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  return value !== undefined && value !== null && value !== '' && value !== 0 && value !== false
}

/**
 * The v1 list's arguments (spec 1.2): `limit_page_length` defaults to `limit or 20` when the
 * client did not send it, so `limit=0` (the string) means all rows. `limit` itself goes no further.
 */
export function resourceListArgs(formDict: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const args = pickListArgs(formDict)
  if (!Object.hasOwn(formDict, 'limit_page_length')) args.limit_page_length = isTruthy(formDict.limit) ? formDict.limit : 20
  return args
}
