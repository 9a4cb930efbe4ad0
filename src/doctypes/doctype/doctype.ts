import { currentContext, onRollback } from '../../context/index.js'
import { database, syncTable } from '../../db/index.js'
import { ValidationError } from '../../errors/index.js'
import { loadDocType, tableName } from '../../meta/index.js'
import { Document } from '../../model/index.js'
import { loadCustomDocTypes } from './custom-doctypes.js'
import { definitionFromDocument } from './doctype-definition.js'

/**
 * A DocType document. Custom ones (`custom = 1`) take effect as soon as they are saved: the
 * site's metadata is updated and the table created or altered in the same transaction.
 */
export class DocType extends Document {
  override async validate(): Promise<void> {
    const ctx = currentContext()
    if (ctx.flags.inMigrate) return
    if (!this.get('custom')) {
      throw new ValidationError('Not in Developer Mode: only custom DocTypes (custom = 1) can be created or changed at run time')
    }
    const existing = ctx.site.services.meta.find(String(this.name))
    if (existing && existing.source !== 'custom') throw new ValidationError(`${this.name} is a standard DocType of app ${existing.source}`)
    loadDocType(definitionFromDocument(this), 'custom') // names the DocType and field that is wrong
  }

  override async onUpdate(): Promise<void> {
    const ctx = currentContext()
    if (ctx.flags.inMigrate) return
    const site = ctx.site
    onRollback(() => loadCustomDocTypes(site))
    const [meta] = site.services.meta.define([{ definition: definitionFromDocument(this), source: 'custom' }])
    if (meta) await syncTable(database(), site.services.database, meta)
  }

  override async onTrash(): Promise<void> {
    const ctx = currentContext()
    if (ctx.flags.inMigrate) return
    if (!this.get('custom')) throw new ValidationError(`Standard DocType ${this.name} cannot be deleted`)
    // Without this check the remaining DocTypes would point at a table that no longer exists.
    const user = ctx.site.services.meta.all().find((meta) => meta.name !== this.name && meta.tableFields.some((field) => field.options === this.name))
    if (user) throw new ValidationError(`DocType ${this.name} cannot be deleted: ${user.name} uses it as a child table`)
  }

  override async afterDelete(): Promise<void> {
    if (currentContext().flags.inMigrate) return // migrate rewrites the record; the table stays
    const site = currentContext().site
    onRollback(() => loadCustomDocTypes(site))
    site.services.meta.remove(String(this.name))
    await database().schema.dropTable(tableName(String(this.name))).ifExists().execute()
  }
}
