import type { Executor } from '../db/index.js'
import { ValidationError } from '../errors/index.js'
import { tableName } from '../meta/index.js'
import type { Document } from './document.js'

/**
 * Frappe's nested set (`frappe/utils/nestedset.py`, spec 7.5): each node of a tree DocType has
 * `lft` and `rgt` such that a node's descendants are exactly the rows between them. Kept up to
 * date on insert, move and delete, so that `descendants of` filters are one range query.
 */
export async function updateNestedSet(db: Executor, doc: Document): Promise<void> {
  const parentField = doc.meta.nsmParentField
  if (!parentField) return
  const table = tableName(doc.doctype)
  const parent = doc.get(parentField) ? String(doc.get(parentField)) : undefined
  const previousParent = doc.previous?.get(parentField) ? String(doc.previous.get(parentField)) : undefined
  if (doc.previous && parent === previousParent) return
  if (parent === doc.name) throw new ValidationError(`${doc.doctype} ${String(doc.name)} cannot be its own parent`)
  if (doc.previous && parent) {
    const target = await db.selectFrom(table).select(['lft', 'rgt']).where('name', '=', parent).executeTakeFirst()
    const node = await db.selectFrom(table).select(['lft', 'rgt']).where('name', '=', String(doc.name)).executeTakeFirst()
    if (target && node && Number(target.lft) >= Number(node.lft) && Number(target.rgt) <= Number(node.rgt)) {
      throw new ValidationError(`Item cannot be added to its own descendants: ${parent} is under ${String(doc.name)}`)
    }
  }
  if (doc.previous) await db.updateTable(table).set({ old_parent: previousParent ?? '' }).where('name', '=', String(doc.name)).execute()
  await rebuildTree(db, doc.doctype, parentField)
}

/** A node with children cannot be deleted (Frappe's NestedSetChildExistsError). */
export async function assertNoChildNodes(db: Executor, doc: Document): Promise<void> {
  const parentField = doc.meta.nsmParentField
  if (!parentField) return
  const child = await db.selectFrom(tableName(doc.doctype)).select('name').where(parentField, '=', String(doc.name)).executeTakeFirst()
  if (child) throw new ValidationError(`Cannot delete ${String(doc.name)} as it has child nodes`)
}

/** Renumbers the whole tree depth-first, children in name order, as Frappe's `rebuild_tree`. */
export async function rebuildTree(db: Executor, doctype: string, parentField: string): Promise<void> {
  const table = tableName(doctype)
  const rows = await db.selectFrom(table).select(['name', parentField, 'lft', 'rgt']).orderBy('name').execute()
  const children = new Map<string, string[]>()
  const names = new Set(rows.map((row) => String(row.name)))
  for (const row of rows) {
    const parent = row[parentField] && names.has(String(row[parentField])) ? String(row[parentField]) : ''
    children.set(parent, [...(children.get(parent) ?? []), String(row.name)])
  }
  const numbers = new Map<string, { lft: number; rgt: number }>()
  let counter = 1
  const visit = (name: string): void => {
    const lft = counter++
    for (const child of children.get(name) ?? []) visit(child)
    numbers.set(name, { lft, rgt: counter++ })
  }
  for (const root of children.get('') ?? []) visit(root)
  for (const row of rows) {
    const wanted = numbers.get(String(row.name))
    if (!wanted || (Number(row.lft) === wanted.lft && Number(row.rgt) === wanted.rgt)) continue
    await db.updateTable(table).set(wanted).where('name', '=', String(row.name)).execute()
  }
}
