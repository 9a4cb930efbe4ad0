import { formatDateToken } from './date-parts.js'
import type { SeriesPart } from './series-parts.js'

/** What a series reads from the document it names. */
export interface SeriesSource {
  readonly now: Date
  /** Whether the document has a field of this name (set or not). */
  readonly hasField: (fieldname: string) => boolean
  readonly valueOf: (fieldname: string) => unknown
}

/** A series filled in for one document, waiting for its counter. */
export interface ResolvedSeries {
  /** The text before the counter: the `tabSeries` key. The whole name when there is no counter. */
  readonly prefix: string
  /** The counter's width, or undefined when the series has none. */
  readonly digits: number | undefined
  readonly suffix: string
}

/** Frappe keeps strings as they are and prints numbers; other values add nothing. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return ''
}

function partText(part: SeriesPart, source: SeriesSource): string {
  switch (part.kind) {
    case 'counter':
      return '' // only the first counter counts; resolveSeries handles that one
    case 'date':
      return formatDateToken(part.token, source.now)
    case 'field':
      return valueText(source.valueOf(part.fieldname))
    case 'word':
      return source.hasField(part.text) ? valueText(source.valueOf(part.text)) : part.text
    case 'literal':
      return part.text
  }
}

/** Fills in every part but the counter. */
export function resolveSeries(parts: readonly SeriesPart[], source: SeriesSource): ResolvedSeries {
  let prefix = ''
  let suffix = ''
  let digits: number | undefined
  for (const part of parts) {
    if (part.kind === 'counter' && digits === undefined) digits = part.digits
    else if (digits === undefined) prefix += partText(part, source)
    else suffix += partText(part, source)
  }
  return { prefix, digits, suffix }
}

/** The name for a counter value: `SINV-2025-` + `00001` + ``. */
export function composeName(series: ResolvedSeries, counter: number): string {
  if (series.digits === undefined) return series.prefix + series.suffix
  return series.prefix + String(counter).padStart(series.digits, '0') + series.suffix
}

/** The counter value a name holds for this series, or undefined when it does not fit. */
export function counterIn(name: string, series: ResolvedSeries): number | undefined {
  if (series.digits === undefined) return undefined
  const { prefix, suffix } = series
  if (name.length <= prefix.length + suffix.length) return undefined
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return undefined
  const digits = name.slice(prefix.length, name.length - suffix.length)
  return /^\d+$/.test(digits) ? Number(digits) : undefined
}
