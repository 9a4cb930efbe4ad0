export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Keys that must never be copied from client input into our objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Frappe's `cint`: an integer from anything, junk → 0. */
export function toInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  // Like Python's int(float(s)): the whole text must be a number ('12abc' → 0, '3.7' → 3).
  const number = typeof value === 'number' ? value : Number(String(value ?? '').trim())
  return Number.isFinite(number) ? Math.trunc(number) : 0
}

/** Frappe's `flt`: a float from anything, junk → 0. */
export function toFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  const number = typeof value === 'number' ? value : Number(String(value ?? '').replaceAll(',', '').trim())
  return Number.isFinite(number) ? number : 0
}

/** Frappe's notion of empty: null, undefined, '' or an empty list. */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}
