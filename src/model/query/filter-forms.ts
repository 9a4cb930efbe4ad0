import { DataError, ValidationError } from '../../errors/index.js'
import { isPlainObject } from '../../utils/index.js'
import { normalizeOperator } from './operators.js'
import { parseJsonArgument } from './parse-args.js'

/** One filter in its long form, before its field is checked against metadata. */
export interface FilterTuple {
  /** The DocType the field belongs to: the main one, or one of its child DocTypes. */
  readonly doctype: string | undefined
  readonly field: string
  readonly operator: unknown
  readonly value: unknown
}

const describe = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

function requireText(name: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`${name}: ${what} must be a name: ${describe(value)}`)
  }
  return value.trim()
}

/** `{"status": "Open", "modified": [">", "2025-01-01"]}`: an array value is `[op, value]`. */
function fromObject(name: string, filters: Record<string, unknown>): FilterTuple[] {
  return Object.entries(filters).map(([field, value]) => {
    if (!Array.isArray(value)) return { doctype: undefined, field, operator: '=', value }
    if (value.length < 2) {
      throw new ValidationError(`${name}: ${field} needs [operator, value]: ${describe(value)}`)
    }
    return { doctype: undefined, field, operator: value[0], value: value[1] }
  })
}

/** `[field, op, value]` or `[doctype, field, op, value]`; extras are ignored, as in Frappe. */
function fromList(name: string, filter: readonly unknown[]): FilterTuple {
  if (filter.length === 3) {
    return {
      doctype: undefined,
      field: requireText(name, 'field', filter[0]),
      operator: filter[1],
      value: filter[2],
    }
  }
  if (filter.length >= 4) {
    return {
      doctype: requireText(name, 'doctype', filter[0]),
      field: requireText(name, 'field', filter[1]),
      operator: filter[2],
      value: filter[3],
    }
  }
  throw new ValidationError(
    `${name}: a filter must be [field, operator, value] or [doctype, field, operator, value]: ` +
      describe(filter),
  )
}

function fromEntry(name: string, entry: unknown): FilterTuple[] {
  if (Array.isArray(entry)) return [fromList(name, entry)]
  if (isPlainObject(entry)) return fromObject(name, entry)
  // Frappe passes string filters through as SQL (after a weak sanitizer); we never do.
  if (typeof entry === 'string') {
    throw new DataError(`${name}: SQL conditions are not permitted: ${describe(entry)}`)
  }
  throw new ValidationError(`${name}: not a filter: ${describe(entry)}`)
}

/** `["status", "=", "Open"]` written without the outer list. */
function isSingleFilter(list: readonly unknown[]): boolean {
  if (list.length !== 3 && list.length !== 4) return false
  const head = list.slice(0, list.length - 2)
  if (!head.every((item) => typeof item === 'string')) return false
  try {
    normalizeOperator(list[list.length - 2])
    return true
  } catch {
    return false
  }
}

/**
 * Every filter form of spec 3.1 as a list of tuples: an object, a list of 3- or 4-element
 * lists (or objects), either of them as a JSON string. SQL strings are rejected.
 */
export function normalizeFilters(name: string, argument: unknown): FilterTuple[] {
  const parsed = parseJsonArgument(name, argument)
  if (parsed === undefined || parsed === null) return []
  if (isPlainObject(parsed)) return fromObject(name, parsed)
  if (Array.isArray(parsed)) {
    if (isSingleFilter(parsed)) return [fromList(name, parsed)]
    return parsed.flatMap((entry) => fromEntry(name, entry))
  }
  if (typeof parsed === 'string') {
    throw new DataError(`${name}: SQL conditions are not permitted: ${describe(parsed)}`)
  }
  throw new ValidationError(`${name} must be an object or a list of filters`)
}
