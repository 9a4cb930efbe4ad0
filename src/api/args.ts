import { FrappeTypeError } from '../errors/index.js'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

/**
 * A whitelisted function's arguments arrive as Frappe's form_dict: native JSON values from a
 * JSON body, strings from a query string or a form (spec 0.1). These read one argument each,
 * accept both forms, and answer a wrong type with FrappeTypeError (417), never a crash.
 */
export type Args = Readonly<Record<string, unknown>>

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === ''

/** A required text argument such as `doctype` or `name`; numbers are accepted as text. */
export function textArg(args: Args, key: string): string {
  const value = optionalText(args, key)
  if (value === undefined || value === '') throw new FrappeTypeError(`Missing argument: ${key}`)
  return value
}

/** An optional text argument: undefined when absent or null. */
export function optionalText(args: Args, key: string): string | undefined {
  const value = args[key]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw new FrappeTypeError(`${key} must be text, not ${describe(value)}`)
}

/** A value that may be sent as JSON text: a list, an object, or a JSON-encoded one. */
export function jsonArg(args: Args, key: string): unknown {
  const value = args[key]
  if (typeof value !== 'string') return value ?? undefined
  const text = value.trim()
  if (text === '') return undefined
  if (!/^[[{"]/.test(text)) return value
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new FrappeTypeError(`${key} must be valid JSON`)
  }
}

/** A required object argument (`doc`), native or JSON text; its dangerous keys are dropped. */
export function objectArg(args: Args, key: string): Record<string, unknown> {
  const value = jsonArg(args, key)
  if (isBlank(value)) throw new FrappeTypeError(`Missing argument: ${key}`)
  if (!isPlainObject(value)) throw new FrappeTypeError(`${key} must be an object, not ${describe(value)}`)
  return safeCopy(value)
}

/** A required list argument (`docs`), native or JSON text. */
export function listArg(args: Args, key: string): unknown[] {
  const value = jsonArg(args, key)
  if (isBlank(value)) throw new FrappeTypeError(`Missing argument: ${key}`)
  if (!Array.isArray(value)) throw new FrappeTypeError(`${key} must be a list, not ${describe(value)}`)
  return value
}

/** Frappe's `sbool` then truthiness, for flags such as `merge` and `as_dict`. */
export function flagArg(args: Args, key: string, fallback: boolean): boolean {
  const value = args[key]
  if (value === undefined || value === null) return fallback
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'string') return !['', '0', 'false', 'no', 'off'].includes(value.trim().toLowerCase())
  throw new FrappeTypeError(`${key} must be true or false, not ${describe(value)}`)
}

/** Frappe's `cint` for an optional count such as `limit`: junk is refused, not guessed. */
export function countArg(args: Args, key: string, fallback: number): number {
  const value = args[key]
  if (isBlank(value)) return fallback
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number < 0) throw new FrappeTypeError(`${key} must be a non-negative integer`)
  return number
}

/** A plain copy of a client object without `__proto__`, `constructor` or `prototype`, at any depth. */
export function safeCopy(value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const [key, entry] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue
    result[key] = Array.isArray(entry) ? entry.map((item) => (isPlainObject(item) ? safeCopy(item) : item)) : isPlainObject(entry) ? safeCopy(entry) : entry
  }
  return result
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
