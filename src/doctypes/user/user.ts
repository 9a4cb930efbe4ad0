import { deleteUserSessions } from '../../auth/index.js'
import { currentContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { Document, setPassword } from '../../model/index.js'

/** Users whose name is not their email address, as in Frappe. */
export const STANDARD_USERS: ReadonlySet<string> = new Set(['Administrator', 'Guest'])

/** A user: named by email (Administrator and Guest by name); passwords go hashed to `__Auth`. */
export class User extends Document {
  override async autoname(): Promise<void> {
    if (this.flags.isStandardUser) {
      this.name = String(this.get('first_name'))
      return
    }
    const email = String(this.get('email') ?? '').trim().toLowerCase()
    this.set('email', email)
    this.name = email
  }

  override async validate(): Promise<void> {
    const email = this.get('email')
    if (typeof email === 'string') this.set('email', email.trim().toLowerCase())
    const parts = [this.get('first_name'), this.get('middle_name'), this.get('last_name')].filter(Boolean)
    this.set('full_name', parts.map(String).join(' '))
    const password = this.get('new_password')
    if (typeof password === 'string' && password !== '' && password !== '*****') this.flags.newPassword = password
    this.set('new_password', null) // never stored in the row, not even masked
  }

  override async onUpdate(): Promise<void> {
    // A disabled user is logged out everywhere (Administrator can never be disabled).
    if (!Number(this.get('enabled')) && this.name !== 'Administrator') await deleteUserSessions(database(), String(this.name))
    const password = this.flags.newPassword
    if (typeof password !== 'string') return
    delete this.flags.newPassword
    await setPassword(database(), 'User', String(this.name), 'password', password)
    // As Frappe: a new password ends the user's other sessions unless `logout_all_sessions` is off.
    if (this.previous && Number(this.get('logout_all_sessions') ?? 1)) {
      await deleteUserSessions(database(), String(this.name), { keepSid: currentContext().work.session?.session?.sid })
    }
  }
}
