import { database } from '../../db/index.js'
import { DuplicateEntryError, ValidationError } from '../../errors/index.js'
import { Document } from '../../model/index.js'

/**
 * A row-level restriction (spec 9.2): `user` may only see documents of `allow` named
 * `for_value`, and documents linking to it. A rule applies to every DocType
 * (`apply_to_all_doctypes`) or to `applicable_for` only.
 */
export class UserPermission extends Document {
  override async validate(): Promise<void> {
    if (Number(this.get('apply_to_all_doctypes'))) this.set('applicable_for', null)
    else if (!this.get('applicable_for')) throw new ValidationError('User Permission: Applicable For is required unless it applies to all DocTypes')
    await assertUnique(this)
    if (Number(this.get('is_default'))) await assertOneDefault(this)
  }
}

function others(rule: Document) {
  return database()
    .selectFrom('tabUser Permission')
    .select('name')
    .where('user', '=', String(rule.get('user')))
    .where('allow', '=', String(rule.get('allow')))
    .where('name', '!=', String(rule.name ?? ''))
}

/** Frappe's `validate_user_permission`: the same rule twice is a DuplicateEntryError. */
async function assertUnique(rule: Document): Promise<void> {
  const applicableFor = rule.get('applicable_for')
  let query = others(rule)
    .where('for_value', '=', String(rule.get('for_value')))
    .where('apply_to_all_doctypes', '=', Number(rule.get('apply_to_all_doctypes')) ? 1 : 0)
  if (applicableFor) query = query.where('applicable_for', '=', String(applicableFor))
  if (await query.limit(1).executeTakeFirst()) throw new DuplicateEntryError('User Permission', String(rule.get('for_value')))
}

/** Frappe's `validate_default_permission`: one default per user, `allow` and applicability. */
async function assertOneDefault(rule: Document): Promise<void> {
  const applicableFor = rule.get('applicable_for')
  const existing = await others(rule)
    .where('is_default', '=', 1)
    .where((where) => where.or([where('apply_to_all_doctypes', '=', 1), ...(applicableFor ? [where('applicable_for', '=', String(applicableFor))] : [])]))
    .limit(1)
    .executeTakeFirst()
  if (existing) throw new ValidationError(`User Permission ${String(existing.name)} already sets the default for ${String(rule.get('allow'))}`)
}
