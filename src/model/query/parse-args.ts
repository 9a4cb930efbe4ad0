import { DataError, ValidationError } from '../../errors/index.js'

/**
 * List arguments arrive as native JSON values (a JSON body) or as strings (a query string or a
 * form), spec 0.1. These turn either into what the query needs, or throw a ValidationError
 * that names the argument: bad input is never a crash.
 */

const looksLikeJson = (text: string): boolean => /^[[{"]/.test(text)

/** A list or object argument: native, or a JSON string. Blank means absent. */
export function parseJsonArgument(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ValidationError(`${name} must be JSON: ${text.slice(0, 100)}`)
  }
}

/**
 * `fields`: a list of field expressions, a JSON string of one, or a bare name or comma list
 * (`*`, `name,status`). Absent or empty means `["name"]`, as in Frappe.
 */
export function parseFields(value: unknown): string[] {
  let fields: unknown = value
  if (typeof value === 'string') {
    const text = value.trim()
    fields = looksLikeJson(text) ? parseJsonArgument('fields', text) : text
    if (typeof fields === 'string') {
      fields = fields.trim() === '' ? [] : fields.split(',').map((field) => field.trim())
    }
  }
  if (fields === undefined || fields === null || fields === '') return ['name']
  if (!Array.isArray(fields)) throw new ValidationError('fields must be a list of field names')
  const names = fields.map((field) => {
    if (typeof field !== 'string') {
      throw new DataError(`Field not permitted in query: ${JSON.stringify(field)}`)
    }
    return field
  })
  return names.length === 0 ? ['name'] : names
}

/** Frappe's `sbool` then truthiness: `"true"`/`"1"` → true, `"false"`/`"0"`/`""` → false. */
export function parseFlag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase()
    return !(text === '' || text === 'false' || text === '0')
  }
  throw new ValidationError(`${name} must be true or false`)
}

/**
 * A non-negative integer (`limit_start`, `limit_page_length`). Null and the empty string are
 * 0, as Frappe's `cint` makes them; fractions, negatives and junk are rejected.
 */
export function parseCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (value === null) return 0
  let number: number | undefined
  if (typeof value === 'number') number = value
  else if (typeof value === 'string') {
    const text = value.trim()
    number = text === '' ? 0 : /^\+?\d+$/.test(text) ? Number(text) : undefined
  }
  if (number === undefined || !Number.isSafeInteger(number) || number < 0) {
    throw new ValidationError(
      `${name} must be a non-negative integer: ${String(value).slice(0, 50)}`,
    )
  }
  return number
}

/** A text argument (`order_by`, `group_by`, `pluck`); blank means absent. */
export function parseText(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new ValidationError(`${name} must be text`)
  const text = value.trim()
  return text === '' ? undefined : text
}
