import type { Executor } from '../../db/index.js'
import { ValidationError } from '../../errors/index.js'
import type { Document } from '../document.js'
import { documentSource, type NamingOptions } from './naming-options.js'
import { composeName, resolveSeries } from './resolve-series.js'
import { nextSeriesValue } from './series-counter.js'
import {
  normalizeNamingSeries,
  parseFormatExpression,
  parseNamingSeries,
  type SeriesPart,
} from './series-parts.js'

/** The first non-empty option of the `naming_series` Select field. */
export function defaultNamingSeries(doc: Document): string | undefined {
  const options = doc.meta.fieldsByName.get('naming_series')?.options ?? ''
  return options
    .split('\n')
    .map((option) => option.trim())
    .find((option) => option !== '')
}

/** The series a `naming_series:` document uses; the default one is stored on the document. */
function chooseNamingSeries(doc: Document): string {
  const own = doc.get('naming_series')
  if (typeof own === 'string' && own !== '') return own
  const fallback = defaultNamingSeries(doc)
  if (!fallback) throw new ValidationError('Naming Series mandatory')
  doc.set('naming_series', fallback)
  return fallback
}

function fieldName(doc: Document, fieldname: string): string {
  const value = doc.get(fieldname)
  const name = (typeof value === 'string' || typeof value === 'number' ? String(value) : '').trim()
  if (!name) {
    const label = doc.meta.fieldsByName.get(fieldname)?.label ?? fieldname
    throw new ValidationError(`${label} is required`)
  }
  return name
}

async function seriesName(
  doc: Document,
  tx: Executor,
  parts: readonly SeriesPart[],
  options: NamingOptions,
): Promise<string> {
  const series = resolveSeries(parts, documentSource(doc, options.now ?? new Date()))
  if (series.digits === undefined) return composeName(series, 0)
  return composeName(series, await nextSeriesValue(tx, series.prefix, options.dialect))
}

/**
 * The name the DocType's `autoname` gives (Frappe's `set_name_from_naming_options`), or
 * undefined when it leaves naming to the hash fallback (`hash`, `By script`, empty, unknown).
 */
export async function nameFromAutoname(
  doc: Document,
  tx: Executor,
  options: NamingOptions = {},
): Promise<string | undefined> {
  const { autoname } = doc.meta
  const rule = autoname.toLowerCase()
  if (rule.startsWith('field:')) return fieldName(doc, autoname.slice('field:'.length))
  if (rule.startsWith('naming_series:')) {
    const series = normalizeNamingSeries(chooseNamingSeries(doc))
    return seriesName(doc, tx, parseNamingSeries(series), options)
  }
  if (rule.startsWith('prompt')) throw new ValidationError('Please set the document name')
  if (rule.startsWith('format:')) {
    const expression = autoname.slice(autoname.indexOf(':') + 1)
    return seriesName(doc, tx, parseFormatExpression(expression), options)
  }
  if (autoname.includes('#')) {
    return seriesName(doc, tx, parseNamingSeries(normalizeNamingSeries(autoname)), options)
  }
  return undefined
}
