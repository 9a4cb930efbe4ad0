import type { Document } from './document.js'

/** Frappe's Version `data`: what a save changed, field by field and row by row. */
export interface VersionDiff {
  readonly changed: Array<[string, unknown, unknown]>
  readonly added: Array<[string, Record<string, unknown>]>
  readonly removed: Array<[string, Record<string, unknown>]>
  readonly row_changed: Array<[string, number, string, Array<[string, unknown, unknown]>]>
}

function changedFields(before: Document, after: Document): Array<[string, unknown, unknown]> {
  const changes: Array<[string, unknown, unknown]> = []
  for (const { field } of after.meta.columns) {
    if (field.fieldtype === 'Password') continue
    const old = before.get(field.fieldname) ?? null
    const now = after.get(field.fieldname) ?? null
    if (String(old ?? '') !== String(now ?? '')) changes.push([field.fieldname, old, now])
  }
  return changes
}

/** The difference between the stored document and the one being saved; undefined if none. */
export function diffDocuments(before: Document, after: Document): VersionDiff | undefined {
  const diff: VersionDiff = { changed: changedFields(before, after), added: [], removed: [], row_changed: [] }
  for (const field of after.meta.tableFields) {
    const oldRows = new Map(before.getTable(field.fieldname).map((row) => [row.name, row]))
    for (const row of after.getTable(field.fieldname)) {
      const old = oldRows.get(row.name)
      if (!old) {
        diff.added.push([field.fieldname, row.asDict({ noNulls: true })])
        continue
      }
      oldRows.delete(row.name)
      const rowChanges = changedFields(old, row)
      if (rowChanges.length > 0) diff.row_changed.push([field.fieldname, Number(row.get('idx')), String(row.name), rowChanges])
    }
    for (const removed of oldRows.values()) diff.removed.push([field.fieldname, removed.asDict({ noNulls: true })])
  }
  const empty = !diff.changed.length && !diff.added.length && !diff.removed.length && !diff.row_changed.length
  return empty ? undefined : diff
}
