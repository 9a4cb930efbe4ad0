import type { Logger } from '../context/index.js'
import type { Site } from '../context/index.js'
import { database, inTransaction, runUnitOfWork } from '../db/index.js'
import { insertDocument, newDocument, setPassword } from '../model/index.js'
import { adminContext, migrateSite } from './migrate.js'

/** The users every site has: Administrator (all rights) and Guest (not logged in). */
const STANDARD_USER_VALUES = [
  { first_name: 'Administrator', email: 'admin@example.com', roles: [{ role: 'Administrator' }, { role: 'System Manager' }] },
  { first_name: 'Guest', email: 'guest@example.com', roles: [{ role: 'Guest' }] },
] as const

/** Migrates a fresh site and creates its standard users; Administrator gets `adminPassword`. */
export async function installSite(site: Site, logger: Logger, adminPassword: string): Promise<void> {
  await migrateSite(site, logger)
  await runUnitOfWork(adminContext(site, logger, { inInstall: true }), () =>
    inTransaction(async (tx) => {
      for (const values of STANDARD_USER_VALUES) {
        const found = await tx.selectFrom('tabUser').select('name').where('name', '=', values.first_name).executeTakeFirst()
        if (found) continue
        const user = newDocument('User', { ...values, user_type: 'System User', roles: values.roles.map((row) => ({ ...row })) })
        user.flags.isStandardUser = true
        await insertDocument(user, { ignorePermissions: true })
      }
    }),
  )
  await setAdminPassword(site, logger, adminPassword)
}

/** `cortado set-admin-password`: replaces Administrator's password hash. */
export async function setAdminPassword(site: Site, logger: Logger, password: string): Promise<void> {
  if (!password) throw new Error('The password must not be empty')
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(() => setPassword(database(), 'User', 'Administrator', 'password', password)),
  )
}
