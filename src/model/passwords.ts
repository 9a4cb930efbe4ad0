import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { noteCachedWrite, type Executor } from '../db/index.js'

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>
const KEY_LENGTH = 64

/** What a Password field reads as: the real value never leaves the `__Auth` table. */
export const PASSWORD_MASK = '*****'

/** `scrypt$<salt>$<key>`, a slow KDF so that a leaked table does not give away passwords. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEY_LENGTH)
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(actual, expected)
}

/** Stores the hash of a Password field's value, replacing any earlier one. */
export async function setPassword(db: Executor, doctype: string, name: string, fieldname: string, password: string): Promise<void> {
  const hashed = await hashPassword(password)
  await noteCachedWrite(db, '__Auth')
  await db.deleteFrom('__Auth').where('doctype', '=', doctype).where('name', '=', name).where('fieldname', '=', fieldname).execute()
  await db.insertInto('__Auth').values({ doctype, name, fieldname, password: hashed }).execute()
}

export async function checkPassword(db: Executor, doctype: string, name: string, fieldname: string, password: string): Promise<boolean> {
  const row = await db
    .selectFrom('__Auth')
    .select('password')
    .where('doctype', '=', doctype)
    .where('name', '=', name)
    .where('fieldname', '=', fieldname)
    .executeTakeFirst()
  return row ? verifyPassword(password, String(row.password)) : false
}
