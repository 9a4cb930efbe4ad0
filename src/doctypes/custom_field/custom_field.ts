import { currentContext, onRollback } from '../../context/index.js'
import { database, syncTable } from '../../db/index.js'
import { ValidationError } from '../../errors/index.js'
import { Document } from '../../model/index.js'
import { loadCustomizations } from '../doctype/custom-doctypes.js'

/** A field added to a DocType at run time; its column appears at once. */
export class CustomField extends Document {
  override async autoname(): Promise<void> {
    this.name = `${String(this.get('dt'))}-${String(this.get('fieldname'))}`
  }

  override async validate(): Promise<void> {
    const meta = currentContext().site.services.meta.find(String(this.get('dt')))
    if (!meta) throw new ValidationError(`Custom Field: DocType ${String(this.get('dt'))} does not exist`)
    if (this.isNew && meta.fieldsByName.has(String(this.get('fieldname')))) {
      throw new ValidationError(`Custom Field: ${meta.name} already has a field ${String(this.get('fieldname'))}`)
    }
  }

  override async onUpdate(): Promise<void> {
    await applyCustomizations(String(this.get('dt')))
  }

  override async afterDelete(): Promise<void> {
    await applyCustomizations(String(this.get('dt')))
  }
}

/** Re-reads every customization inside the current transaction and syncs the DocType's table. */
export async function applyCustomizations(doctype: string): Promise<void> {
  const site = currentContext().site
  onRollback(() => loadCustomizations(site))
  await loadCustomizations(site, database())
  const meta = site.services.meta.find(doctype)
  if (meta) await syncTable(database(), site.services.database, meta)
}
