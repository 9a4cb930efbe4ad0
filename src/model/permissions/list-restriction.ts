import type { RequestContext } from '../../context/index.js'
import type { QueryOptions } from '../query/index.js'

/**
 * The row-level conditions a list or count query of `doctype` needs for the context's user
 * (spec 9.3: if_owner rules, User Permissions, shares), as the query layer's `restrict` hook.
 * Undefined when the user may read every row.
 */
export function listRestriction(ctx: RequestContext, doctype: string): QueryOptions['restrict'] {
  void ctx
  void doctype
  return undefined // row-level rules arrive with the permission engine (issue #3)
}
