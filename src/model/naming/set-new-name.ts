import type { Executor } from '../../db/index.js'
import { randomHashName } from '../../utils/index.js'
import type { Document } from '../document.js'
import { amendedName } from './amended-name.js'
import { nameFromAutoname } from './autoname-rule.js'
import { uniqueHashName } from './hash-name.js'
import type { NamingOptions } from './naming-options.js'
import { nextSeriesValue } from './series-counter.js'
import { validateName } from './validate-name.js'

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Names the child rows that have none yet (new rows of a saved document, spec 6.3). */
export function setChildNames(doc: Document): void {
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) row.name ??= randomHashName(10)
  }
}

/** Frappe names every child row afresh on insert: supplied names (from a copy) are dropped. */
function renameChildren(doc: Document): void {
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) row.name = randomHashName(10)
  }
}

async function nameParent(doc: Document, tx: Executor, options: NamingOptions): Promise<void> {
  const { meta } = doc
  const isPrompt = meta.autoname.toLowerCase() === 'prompt'
  // Only Prompt keeps a supplied name; the desk sends it as `__newname`.
  doc.name = isPrompt ? (text(doc.get('__newname')) ?? doc.name) : undefined

  if (meta.autoname === 'autoincrement' && !meta.issingle) {
    // A tabSeries row keyed by the DocType stands in for a sequence, which SQLite lacks.
    // The number itself is stored, so the wire shows `"name": 5` as Frappe does.
    doc.set('name', await nextSeriesValue(tx, meta.name, options.dialect))
    return
  }
  const amendedFrom = text(doc.get('amended_from'))
  if (amendedFrom) {
    doc.name = await amendedName(tx, meta, amendedFrom)
  } else if (meta.issingle) {
    doc.name = meta.name
  }
  if (!doc.name) await (options.runAutoname ? options.runAutoname(doc) : doc.autoname())
  if (!doc.name) doc.name = await nameFromAutoname(doc, tx, options)
  doc.name ??= await uniqueHashName(tx, meta)
  doc.name = validateName(meta.name, doc.name, meta.issingle)
}

/**
 * Sets `doc.name` for a new document (spec 8), inside the insert's write transaction `tx`.
 * The lifecycle runs `beforeNaming()` first. Order: a supplied name is dropped unless the
 * DocType is Prompt → `autoincrement` → amendment `<orig>-N` / Single = DocType name → the
 * controller's `autoname()` → the meta `autoname` → a hash. Child rows get hash names.
 *
 * @example
 * await setNewName(doc, tx, { dialect: database.dialect }) // 'SINV-2025-00001'
 */
export async function setNewName(doc: Document, tx: Executor, options: NamingOptions = {}): Promise<void> {
  if (doc.meta.istable) {
    doc.name ??= randomHashName(10)
    return
  }
  await nameParent(doc, tx, options)
  renameChildren(doc)
}
