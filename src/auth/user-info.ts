import type { Site } from '../context/index.js'
import { cached, registerCachedTables, type Executor } from '../db/index.js'

// What authentication reads of users, their roles and secrets is cached per site.
registerCachedTables('User', 'Has Role', 'Role', '__Auth')

/** What sessions and their cookies need to know of a user (Frappe's `LoginManager.info`). */
export interface UserInfo {
  readonly name: string
  readonly enabled: boolean
  /** `System User` (desk access) or `Website User`. */
  readonly userType: string
  /** First and last name, as Frappe's `full_name` cookie and login reply give it. */
  readonly fullName: string
  readonly userImage: string
}

/** Guest as cookies describe it: Frappe's Guest is a Website User. */
export const GUEST_INFO: UserInfo = { name: 'Guest', enabled: true, userType: 'Website User', fullName: 'Guest', userImage: '' }

export async function loadUserInfo(db: Executor, user: string): Promise<UserInfo | undefined> {
  const row = await db
    .selectFrom('tabUser')
    .select(['name', 'enabled', 'user_type', 'first_name', 'last_name', 'user_image'])
    .where('name', '=', user)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    name: String(row.name),
    enabled: Boolean(Number(row.enabled)) || row.name === 'Administrator', // Administrator is never locked out
    userType: String(row.user_type || 'System User'),
    fullName: [row.first_name, row.last_name].filter(Boolean).map(String).join(' '),
    userImage: typeof row.user_image === 'string' ? row.user_image : '',
  }
}

/**
 * Roles nobody holds through a Has Role row: they follow from who the user is (Frappe v15's
 * `AUTOMATIC_ROLES`). A Has Role row naming one of them is ignored.
 */
export const AUTOMATIC_ROLES: ReadonlySet<string> = new Set(['Guest', 'All', 'Desk User', 'Administrator'])

/**
 * A user's roles as Frappe v15's `frappe.get_roles` gives them: Guest has only `Guest`;
 * Administrator has every Role there is; anyone else has the roles of their Has Role rows plus
 * `All` and `Guest`, and `Desk User` when they are a System User (spec 5.5).
 */
export async function rolesOf(db: Executor, user: string): Promise<string[]> {
  if (user === 'Guest' || !user) return ['Guest']
  if (user === 'Administrator') {
    const rows = await db.selectFrom('tabRole').select('name').execute()
    return rows.map((row) => String(row.name))
  }
  const rows = await db
    .selectFrom('tabHas Role')
    .select('role')
    .where('parent', '=', user)
    .where('parenttype', '=', 'User')
    .execute()
  const roles = new Set(rows.map((row) => String(row.role)).filter((role) => !AUTOMATIC_ROLES.has(role)))
  roles.add('All')
  roles.add('Guest')
  const info = await db.selectFrom('tabUser').select('user_type').where('name', '=', user).executeTakeFirst()
  if (String(info?.user_type || 'System User') === 'System User') roles.add('Desk User') // blank reads as System User, as loadUserInfo
  return [...roles]
}

/** `loadUserInfo` from committed data, cached until a user, role or secret changes. */
export function cachedUserInfo(site: Site, user: string): Promise<UserInfo | undefined> {
  return cached(site, `user-info\0${user}`, () => loadUserInfo(site.services.database.reader, user))
}

/** `rolesOf` from committed data, cached until a user, role or Has Role row changes. The list is frozen. */
export function cachedRolesOf(site: Site, user: string): Promise<readonly string[]> {
  return cached(site, `roles\0${user}`, async () => Object.freeze(await rolesOf(site.services.database.reader, user)))
}
