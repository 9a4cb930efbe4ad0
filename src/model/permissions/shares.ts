import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { RequestContext } from '../../context/index.js'
import { database, type Executor } from '../../db/index.js'
import type { PermissionType } from './rights.js'

/** The DocShare column a right is shared by: `email` and `print` follow `read` (spec 9.2). */
export function shareColumn(ptype: PermissionType): 'read' | 'write' | 'share' | 'submit' | undefined {
  if (ptype === 'email' || ptype === 'print' || ptype === 'read') return 'read'
  if (ptype === 'write' || ptype === 'share' || ptype === 'submit') return ptype
  return undefined
}

/**
 * Whether a document of `doctype` (this one, or any when `name` is undefined) is shared with
 * the user, or with everyone, for `right` (Frappe's `get_shared`). Guest gets only shares
 * made to Guest by name.
 */
export async function isShared(ctx: RequestContext, doctype: string, name: string | undefined, right: 'read' | 'write' | 'share' | 'submit'): Promise<boolean> {
  let query = database(ctx)
    .selectFrom('tabDocShare')
    .select('name')
    .where('share_doctype', '=', doctype)
    .where(right, '=', 1)
    .where((where) => (ctx.user === 'Guest' ? where('user', '=', ctx.user) : where.or([where('user', '=', ctx.user), where('everyone', '=', 1)])))
  if (name !== undefined) query = query.where('share_name', '=', name)
  return (await query.limit(1).executeTakeFirst()) !== undefined
}

/** SQL: the row of the table aliased `alias` is shared with the user for `read`. */
export function sharedCondition(ctx: RequestContext, doctype: string, alias: string): RawBuilder<SqlBool> {
  const column = (name: string): RawBuilder<unknown> => sql.id('share', name)
  const who = ctx.user === 'Guest' ? sql`${column('user')} = ${ctx.user}` : sql`(${column('user')} = ${ctx.user} or ${column('everyone')} = 1)`
  return sql<SqlBool>`${sql.id(alias, 'name')} in (select ${column('share_name')} from ${sql.table('tabDocShare')} as ${sql.id('share')}
    where ${column('share_doctype')} = ${doctype} and ${column('read')} = 1 and ${who})`
}

/** Removes the shares of a deleted document, so a later one of the same name inherits none (Frappe's `delete_dynamic_links`). */
export async function deleteShares(db: Executor, doctype: string, name: string): Promise<void> {
  await db.deleteFrom('tabDocShare').where('share_doctype', '=', doctype).where('share_name', '=', name).execute()
}
