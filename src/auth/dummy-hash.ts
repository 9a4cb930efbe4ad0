import { hashPassword, verifyPassword } from '../model/index.js'

let dummy: Promise<string> | undefined

/**
 * Runs the slow KDF against a throwaway hash, so that a login for a user who does not exist
 * (or has no password) costs as much as a wrong password and does not reveal which it was.
 */
export async function spendVerification(secret: string): Promise<void> {
  dummy ??= hashPassword('cortado-dummy-password')
  await verifyPassword(secret, await dummy)
}
