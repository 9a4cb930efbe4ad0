import { sql } from 'kysely'
import { CancelledLinkError, LinkValidationError } from '../errors/index.js'
import { tableName, type DocField, type DocTypeMeta } from '../meta/index.js'
import type { Executor } from '../db/index.js'
import type { Document } from './document.js'

type MetaOf = (doctype: string) => DocTypeMeta | undefined

/** `fetch_from: "customer.customer_name"` fields fed by a given Link field. */
function fetchedBy(meta: DocTypeMeta, linkField: string): Array<{ target: DocField; source: string }> {
  const result: Array<{ target: DocField; source: string }> = []
  for (const field of meta.fields) {
    const [link, source] = (field.fetch_from ?? '').split('.')
    if (link === linkField && source) result.push({ target: field, source })
  }
  return result
}

function linkTarget(doc: Document, field: DocField): string | undefined {
  if (field.fieldtype === 'Link') return field.options
  const holder = doc.get(field.options ?? '') // Dynamic Link: options names the field with the DocType
  return typeof holder === 'string' && holder ? holder : undefined
}

async function checkLinksOf(db: Executor, metaOf: MetaOf, doc: Document, rowPrefix: string): Promise<void> {
  for (const { field } of doc.meta.columns) {
    if (field.fieldtype !== 'Link' && field.fieldtype !== 'Dynamic Link') continue
    const value = doc.get(field.fieldname)
    if (value === null || value === undefined || value === '') continue
    const targetName = linkTarget(doc, field)
    const target = targetName ? metaOf(targetName) : undefined
    const notFound = new LinkValidationError(`${rowPrefix}Could not find ${field.label ?? field.fieldname}: ${String(value)}`)
    if (!target) throw notFound
    if (target.issingle) {
      if (String(value) !== target.name) throw notFound
      continue
    }
    const fetches = fetchedBy(doc.meta, field.fieldname).filter(({ source }) => target.fieldsByName.has(source) || source === 'name')
    const query = db.selectFrom(tableName(target.name)).select(['name', 'docstatus', ...fetches.map(({ source }) => source)])
    // Frappe on MariaDB matches names case-insensitively and stores the canonical name (spec 6.7);
    // where names compare by case, a miss is looked up again ignoring it.
    const row =
      (await query.where('name', '=', String(value)).executeTakeFirst()) ??
      (await query.where(sql`lower(${sql.ref('name')})`, '=', sql`lower(${String(value)})`).limit(1).executeTakeFirst())
    if (!row) throw notFound
    if (target.isSubmittable && Number(row.docstatus) === 2 && !['amended_from'].includes(field.fieldname)) {
      throw new CancelledLinkError(`${rowPrefix}Cannot link cancelled document: ${field.label ?? field.fieldname} ${String(value)}`)
    }
    doc.set(field.fieldname, row.name) // canonical case, as the database stores it
    for (const { target: into, source } of fetches) {
      const current = doc.get(into.fieldname)
      if (into.fetch_if_empty && current !== null && current !== undefined && current !== '') continue
      doc.set(into.fieldname, row[source] ?? null)
    }
  }
}

/**
 * Frappe's `_validate_links` (spec 6.7): every Link names an existing record, cancelled
 * documents cannot be linked, and `fetch_from` values are copied in. Rows are checked too.
 */
export async function validateLinks(db: Executor, metaOf: MetaOf, doc: Document): Promise<void> {
  await checkLinksOf(db, metaOf, doc, '')
  for (const field of doc.meta.tableFields) {
    for (const [index, row] of doc.getTable(field.fieldname).entries()) {
      await checkLinksOf(db, metaOf, row, `Row #${index + 1}: `)
    }
  }
}
