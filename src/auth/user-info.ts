import type { Executor } from '../db/index.js'

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

/** A user's roles plus the implicit ones: `All` and `Guest` for everyone logged in (spec 5.5). */
export async function rolesOf(db: Executor, user: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tabHas Role')
    .select('role')
    .where('parent', '=', user)
    .where('parenttype', '=', 'User')
    .execute()
  const roles = new Set(rows.map((row) => String(row.role)))
  roles.add(user === 'Guest' ? 'Guest' : 'All')
  if (user !== 'Guest') roles.add('Guest')
  return [...roles]
}
