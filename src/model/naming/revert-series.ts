import type { Executor } from '../../db/index.js'
import { InvalidNameError } from '../../errors/index.js'
import type { Document } from '../document.js'
import { documentSource, type NamingOptions } from './naming-options.js'
import { counterIn, resolveSeries } from './resolve-series.js'
import { stepSeriesBack } from './series-counter.js'
import {
  normalizeNamingSeries,
  parseFormatExpression,
  parseNamingSeries,
  type SeriesPart,
} from './series-parts.js'

const CREATION_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/

/** When the document was created: its date parts were taken then, not at deletion. */
function creationDate(doc: Document): Date | undefined {
  const creation = doc.get('creation')
  if (creation instanceof Date) return creation
  const match = typeof creation === 'string' ? CREATION_PATTERN.exec(creation) : null
  if (!match) return undefined
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number)
  return new Date(year, month - 1, day, hour, minute, second)
}

/** The series that named the document, as its DocType and stored `naming_series` say. */
function seriesPartsOf(doc: Document): SeriesPart[] | undefined {
  const { autoname } = doc.meta
  const rule = autoname.toLowerCase()
  if (rule.startsWith('naming_series:')) {
    const series = doc.get('naming_series')
    return typeof series === 'string' && series ? parseNamingSeries(normalizeNamingSeries(series)) : undefined
  }
  if (rule.startsWith('format:')) return parseFormatExpression(autoname.slice(autoname.indexOf(':') + 1))
  const kind = rule.split(':', 1)[0] ?? ''
  if (['prompt', 'field', 'hash', 'autoincrement'].includes(kind) || !autoname.includes('#')) return undefined
  return parseNamingSeries(normalizeNamingSeries(autoname))
}

/**
 * Steps the naming-series counter back when the deleted document held its last number
 * (spec 6.3, delete step 5), so `SINV-2025-00007` is handed out again. Anything else (an
 * older number, an amendment, a name not from a series) leaves the counter alone.
 */
export async function revertSeries(doc: Document, tx: Executor, options: NamingOptions = {}): Promise<void> {
  const name = doc.name
  if (!name) return
  let parts: SeriesPart[] | undefined
  try {
    parts = seriesPartsOf(doc)
  } catch (error) {
    if (error instanceof InvalidNameError) return // a bad series cannot have named the document
    throw error
  }
  if (!parts) return
  const now = creationDate(doc) ?? options.now ?? new Date()
  const series = resolveSeries(parts, documentSource(doc, now))
  const count = counterIn(name, series)
  if (count !== undefined) await stepSeriesBack(tx, series.prefix, count)
}
