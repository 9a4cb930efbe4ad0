import type { DialectName } from '../../db/index.js'
import type { Document } from '../document.js'
import type { SeriesSource } from './resolve-series.js'

export interface NamingOptions {
  /** The clock for date parts (`YYYY`, `{MM}`…); tests pass a fixed date. */
  readonly now?: Date
  /** Picks the counter's upsert statement; SQLite when omitted. */
  readonly dialect?: DialectName
  /** Runs the controller's `autoname` as a hook (with `doc_events`); a plain call when omitted. */
  readonly runAutoname?: (doc: Document) => Promise<void>
}

/** A document as a series sees it: its fields, and the moment it is named. */
export function documentSource(doc: Document, now: Date): SeriesSource {
  return {
    now,
    hasField: (fieldname) => doc.meta.fieldsByName.has(fieldname) || doc.has(fieldname),
    valueOf: (fieldname) => doc.get(fieldname),
  }
}
