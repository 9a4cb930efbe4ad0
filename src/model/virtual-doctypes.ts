import { DoesNotExistError } from '../errors/index.js'
import type { ListArgs, ListRows } from './query/get-list.js'

/**
 * The store behind a virtual DocType (`is_virtual`): Frappe's controller `get_list` and
 * `load_from_db`. Lists and reads of that DocType go here instead of to a table.
 */
export interface VirtualDocTypeProvider {
  getList(args: ListArgs): Promise<ListRows>
  /** The document's values, or undefined when there is none by that name. */
  getDoc(name: string): Promise<Record<string, unknown> | undefined>
}

declare module '../context/site.js' {
  interface SiteServices {
    readonly virtualDocTypes?: ReadonlyMap<string, VirtualDocTypeProvider>
  }
}

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

function matches(row: Record<string, unknown>, field: string, operator: string, value: unknown): boolean {
  const actual = row[field]
  switch (operator.toLowerCase()) {
    case '=':
      return String(actual) === String(value)
    case '!=':
      return String(actual) !== String(value)
    case 'in':
      return (Array.isArray(value) ? value : String(value).split(',')).map(String).includes(String(actual))
    case 'not in':
      return !(Array.isArray(value) ? value : String(value).split(',')).map(String).includes(String(actual))
    default:
      throw new DoesNotExistError('Operator', operator)
  }
}

/**
 * `get_list` over records held in memory, for providers: `fields`, simple `filters`
 * (`=`, `!=`, `in`, `not in`; dict or list form), `order_by` on one field, and paging.
 */
export function listFromRecords(records: ReadonlyArray<Record<string, unknown>>, args: ListArgs): ListRows {
  let rows = [...records]
  const filters = parsed(args.filters)
  const conditions: Array<[string, string, unknown]> = []
  if (Array.isArray(filters)) {
    for (const filter of filters as unknown[][]) {
      const parts = filter.length === 4 ? filter.slice(1) : filter
      conditions.push([String(parts[0]), String(parts[1]), parts[2]])
    }
  } else if (filters && typeof filters === 'object') {
    for (const [field, value] of Object.entries(filters)) {
      if (Array.isArray(value)) conditions.push([field, String(value[0]), value[1]])
      else conditions.push([field, '=', value])
    }
  }
  rows = rows.filter((row) => conditions.every(([field, operator, value]) => matches(row, field, operator, value)))
  const order = typeof args.order_by === 'string' ? args.order_by.replace(/`/g, '').split(/\s+/) : []
  if (order[0]) {
    const field = order[0].replace(/^.*\./, '')
    const direction = order[1]?.toLowerCase() === 'asc' ? 1 : -1
    rows.sort((a, b) => (String(a[field] ?? '') < String(b[field] ?? '') ? -direction : String(a[field] ?? '') > String(b[field] ?? '') ? direction : 0))
  }
  const start = Number(args.limit_start ?? 0) || 0
  const length = Number(args.limit_page_length ?? 20)
  rows = rows.slice(start, length > 0 ? start + length : undefined)
  const fields = parsed(args.fields)
  const names = Array.isArray(fields) ? fields.map(String) : typeof fields === 'string' && fields ? [fields] : ['name']
  if (names.includes('*')) return rows
  return rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])))
}
