import { randomFillSync } from 'node:crypto'

const HASH_ALPHABET = '0123456789abcdefghijklmnopqrstuv' // Frappe's hash names use [0-9a-v]

/** Random bytes drawn from a pool filled 4 KiB at a time: one request id must not cost a system call. */
const pool = Buffer.alloc(4096)
let poolOffset = pool.length

function takeRandom(count: number): Buffer {
  if (count > pool.length) return randomFillSync(Buffer.alloc(count))
  if (poolOffset + count > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + count)) // copied: the pool is reused
  poolOffset += count
  return bytes
}

/** A random name of `length` characters from `[0-9a-v]`, as Frappe v15's `autoname: hash`. */
export function randomHashName(length = 10): string {
  let name = ''
  for (const byte of takeRandom(length)) name += HASH_ALPHABET[byte % 32]
  return name
}

/** A random hex id for requests and error messages. */
export function randomId(bytes = 8): string {
  return takeRandom(bytes).toString('hex')
}
