import { randomBytes } from 'node:crypto'

const HASH_ALPHABET = '0123456789abcdefghijklmnopqrstuv' // Frappe's hash names use [0-9a-v]

/** A random name of `length` characters from `[0-9a-v]`, as Frappe v15's `autoname: hash`. */
export function randomHashName(length = 10): string {
  const bytes = randomBytes(length)
  let name = ''
  for (const byte of bytes) name += HASH_ALPHABET[byte % 32]
  return name
}

/** A random hex id for requests and error messages. */
export function randomId(bytes = 8): string {
  return randomBytes(bytes).toString('hex')
}
