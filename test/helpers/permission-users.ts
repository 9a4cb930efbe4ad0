import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument, type DocValues } from '../../src/model/index.js'
import { basicAuth, runAs } from './bench.js'

export const PASSWORD = 'perm-pass-1'

let counter = 0

/** A fresh user with these roles (Has Role rows) and the password `PASSWORD`; returns the name. */
export async function createUser(site: Site, roles: readonly string[], prefix = 'user'): Promise<string> {
  const email = `${prefix}${++counter}-${Date.now().toString(36)}@perm.test`
  await runAs(site, async () => {
    await insertDocument(newDocument('User', { email, first_name: prefix, new_password: PASSWORD, roles: roles.map((role) => ({ role })) }))
  })
  return email
}

/** Inserts a document as Administrator (permissions ignored) and returns its name. */
export async function insertAsAdmin(site: Site, doctype: string, values: DocValues): Promise<string> {
  return runAs(site, async () => String((await insertDocument(newDocument(doctype, values))).name))
}

/** A User Permission row: `user` may see only `value` of `allow` (in `applicableFor`, if given). */
export function addUserPermission(
  site: Site,
  user: string,
  allow: string,
  value: string,
  extra: { applicableFor?: string; isDefault?: boolean; hideDescendants?: boolean } = {},
): Promise<string> {
  return insertAsAdmin(site, 'User Permission', {
    user,
    allow,
    for_value: value,
    apply_to_all_doctypes: extra.applicableFor ? 0 : 1,
    applicable_for: extra.applicableFor,
    is_default: extra.isDefault ? 1 : 0,
    hide_descendants: extra.hideDescendants ? 1 : 0,
  })
}

/** A DocShare row giving `user` (or everyone, when `user` is undefined) rights on one document. */
export function share(
  site: Site,
  doctype: string,
  name: string,
  user: string | undefined,
  rights: { read?: 1; write?: 1; share?: 1; submit?: 1 } = { read: 1 },
): Promise<string> {
  return insertAsAdmin(site, 'DocShare', { user, share_doctype: doctype, share_name: name, everyone: user ? 0 : 1, ...rights })
}

/** Request headers for `user` on `site` over Basic auth, with a JSON body. */
export function headersFor(site: Site, user: string, password = PASSWORD): Record<string, string> {
  return { Authorization: basicAuth(user, password), 'X-Frappe-Site-Name': site.name, 'Content-Type': 'application/json' }
}
