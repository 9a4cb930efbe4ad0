import { randomBytes } from 'node:crypto'
import { currentContext, hasRole } from '../context/index.js'
import { PermissionError } from '../errors/index.js'
import { getDocument, saveDocument } from '../model/index.js'

/** Frappe's keys and secrets: `generate_hash(length=15)`, 15 hex characters. */
function keyPart(): string {
  return randomBytes(8).toString('hex').slice(0, 15)
}

/**
 * `frappe.core.doctype.user.user.generate_keys`: gives the user an `api_key` (kept if it has one)
 * and a new `api_secret`, returned this once; the secret is stored only as a scrypt hash in
 * `__Auth`, so no API can read it back. Allowed to System Managers and to the user themself;
 * Administrator's keys only to Administrator, and Guest has none.
 */
export async function generateKeys(user: string): Promise<{ api_secret: string }> {
  const ctx = currentContext()
  const allowed = user !== 'Guest' && (ctx.user === user || (hasRole(ctx, 'System Manager') && user !== 'Administrator') || ctx.user === 'Administrator')
  if (!allowed) throw new PermissionError(`Not permitted to generate API keys for ${user}`)
  const doc = await getDocument('User', user)
  const secret = keyPart()
  if (!doc.get('api_key')) doc.set('api_key', keyPart())
  doc.set('api_secret', secret)
  await saveDocument(doc, { ignorePermissions: true })
  return { api_secret: secret }
}
