import { currentContext } from '../../context/index.js'
import { FrappeTypeError, ValidationError } from '../../errors/index.js'
import type { DocTypeMeta } from '../../meta/index.js'
import type { WhitelistedMethod } from '../../model/index.js'
import { countArg, jsonArg, optionalText, textArg } from '../args.js'
import { readList } from '../client/index.js'

/** Fieldtypes a link search matches `txt` against (Frappe's `search_widget`). */
const SEARCHABLE = new Set(['Data', 'Text', 'Small Text', 'Long Text', 'Link', 'Select', 'Read Only', 'Text Editor'])

export interface LinkSearchResult {
  readonly value: string
  readonly description: string
  readonly label?: string
}

function searchFields(meta: DocTypeMeta): string[] {
  const declared = String(meta.definition.search_fields ?? '')
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '' && meta.fieldsByName.has(field))
  return [...new Set(['name', ...declared, ...(meta.titleField ? [meta.titleField] : [])])]
}

/** The client's filters plus "enabled" and "not disabled", as Frappe adds them. */
function withActiveFilters(meta: DocTypeMeta, filters: unknown): unknown {
  const extra: unknown[][] = []
  const isCheck = (fieldname: string): boolean => meta.fieldsByName.get(fieldname)?.fieldtype === 'Check'
  if (isCheck('enabled')) extra.push(['enabled', '=', 1])
  if (isCheck('disabled')) extra.push(['disabled', '!=', 1])
  if (filters === undefined || filters === null || filters === '') return extra
  if (Array.isArray(filters)) return [...filters, ...extra]
  if (typeof filters !== 'object') throw new FrappeTypeError('filters must be a list or an object')
  const merged: Record<string, unknown> = { ...filters }
  for (const [field, op, value] of extra as Array<[string, string, unknown]>) if (!(field in merged)) merged[field] = [op, value]
  return merged
}

const describe = (parts: readonly unknown[]): string => [...new Set(parts.filter((part) => part !== null && part !== undefined && part !== '').map(String))].join(', ')

/** Frappe's `build_for_autosuggest`: `value`, a description of the other columns, a `label` when the title is shown. */
export function buildForAutosuggest(meta: DocTypeMeta, rows: readonly unknown[][]): LinkSearchResult[] {
  if (!meta.definition.show_title_field_in_link) return rows.map(([value, ...rest]) => ({ value: String(value), description: describe(rest) }))
  return rows.map((row) => {
    const item = row.length === 1 ? [row[0], row[0]] : [...row]
    const label = item[1]
    item[1] = item[0]
    if (item.length >= 3 && item[2] === label) item.splice(2, 1)
    return { value: String(item[0]), label: String(label ?? ''), description: describe(item.slice(1)) }
  })
}

async function customQuery(path: string, doctype: string, txt: string, args: Readonly<Record<string, unknown>>, pageLength: number): Promise<unknown[][]> {
  const method = currentContext().site.services.methods.get(path)
  if (!method) throw new ValidationError(`Failed to get method for command ${path}`)
  const rows = await method.handler({ doctype, txt, searchfield: args.searchfield ?? 'name', start: 0, page_len: pageLength, filters: args.filters ?? {} })
  if (!Array.isArray(rows)) return []
  return rows.map((row) => (Array.isArray(row) ? row : typeof row === 'object' && row !== null ? Object.values(row) : [row]))
}

/**
 * `frappe.desk.search.search_link`: records of `doctype` whose name, title or search fields
 * contain `txt`, those starting with it first (Frappe v15's `relevance_sorter`).
 */
export const searchLink: WhitelistedMethod = {
  async handler(args) {
    const doctype = textArg(args, 'doctype')
    const txt = (optionalText(args, 'txt') ?? '').trim()
    const pageLength = countArg(args, 'page_length', 10)
    const meta = currentContext().site.services.meta.get(doctype)
    const query = optionalText(args, 'query')
    let rows: unknown[][]
    if (query) rows = await customQuery(query, doctype, txt, args, pageLength)
    else {
      const fields = searchFields(meta)
      const label = meta.definition.show_title_field_in_link && meta.titleField ? [`${meta.titleField} as label`] : []
      const orFilters = txt === '' ? [] : fields.filter((field) => field === 'name' || SEARCHABLE.has(meta.fieldsByName.get(field)?.fieldtype ?? '')).map((field) => [field, 'like', `%${txt}%`])
      const selected = [fields[0] ?? 'name', ...label, ...fields.slice(1)]
      rows = (await readList(doctype, { fields: selected, filters: withActiveFilters(meta, jsonArg(args, 'filters')), or_filters: orFilters, limit_page_length: pageLength, as_dict: false })) as unknown[][]
    }
    const needle = txt.toLowerCase()
    const sorted = rows
      .map((row, index) => ({ row, index, starts: String(row[0] ?? '').toLowerCase().startsWith(needle) }))
      .sort((a, b) => Number(b.starts) - Number(a.starts) || String(a.row[0]).localeCompare(String(b.row[0])) || a.index - b.index)
    return buildForAutosuggest(meta, sorted.map(({ row }) => row))
  },
}
