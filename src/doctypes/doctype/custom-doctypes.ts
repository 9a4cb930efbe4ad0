import type { Site } from '../../context/index.js'
import type { Executor } from '../../db/index.js'
import { loadCustomDocPerms, loadDocument, documentFactory } from '../../model/index.js'
import { definitionFromDocument } from './doctype-definition.js'

/**
 * Makes the site's metadata match the committed DocType documents with `custom = 1`: defines
 * those in the database and forgets custom ones that are not. Runs at boot and after a
 * rolled-back DocType change.
 */
export async function loadCustomDocTypes(site: Site): Promise<void> {
  const { reader } = site.services.database
  const rows = await reader.selectFrom('tabDocType').select('name').where('custom', '=', 1).execute()
  const factory = documentFactory(site)
  const definitions = []
  for (const row of rows) {
    const doc = await loadDocument(reader, factory, 'DocType', String(row.name))
    definitions.push({ definition: definitionFromDocument(doc), source: 'custom' })
  }
  const stored = new Set(rows.map((row) => String(row.name)))
  for (const meta of site.services.meta.all()) {
    if (meta.source === 'custom' && !stored.has(meta.name)) site.services.meta.remove(meta.name)
  }
  if (definitions.length > 0) site.services.meta.define(definitions)
}

/** Applies the committed Custom Field, Property Setter and Custom DocPerm rows to the site. */
export async function loadCustomizations(site: Site, db: Executor = site.services.database.reader): Promise<void> {
  await loadCustomDocPerms(site, db)
  const fields = await db.selectFrom('tabCustom Field').selectAll().orderBy('idx').orderBy('creation').execute()
  const setters = await db.selectFrom('tabProperty Setter').selectAll().orderBy('creation').execute()
  const fieldRows = fields.map((row) => {
    const definition: Record<string, unknown> = { dt: String(row.dt) }
    for (const [key, value] of Object.entries(row)) {
      if (value !== null && value !== '' && value !== 0 && !['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx', '_user_tags', '_comments', '_assign', '_liked_by'].includes(key)) {
        definition[key] = value
      }
    }
    return definition as { dt: string }
  })
  site.services.meta.setCustomizations(
    fieldRows,
    setters.map((row) => ({
      doc_type: String(row.doc_type),
      doctype_or_field: String(row.doctype_or_field),
      field_name: row.field_name === null ? null : String(row.field_name),
      property: String(row.property),
      value: row.property_type === 'Check' || row.property_type === 'Int' ? Number(row.value) : row.value,
    })),
  )
}
