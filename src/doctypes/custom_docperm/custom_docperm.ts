import { currentContext, onRollback } from '../../context/index.js'
import { database } from '../../db/index.js'
import { ValidationError } from '../../errors/index.js'
import { Document, loadCustomDocPerms } from '../../model/index.js'

/**
 * A permission rule that, with the other Custom DocPerm rows of its DocType (`parent`),
 * replaces the DocType's own permissions (spec 7.1). Every change reloads the site's cache of
 * these rows, inside the transaction, and again from committed data if it rolls back.
 */
export class CustomDocPerm extends Document {
  override async validate(): Promise<void> {
    const doctype = String(this.get('parent') ?? '')
    if (!currentContext().site.services.meta.find(doctype)) throw new ValidationError(`Custom DocPerm: DocType ${doctype} does not exist`)
    const level = Number(this.get('permlevel') ?? 0)
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new ValidationError('Custom DocPerm: permlevel must be between 0 and 9')
  }

  override async onUpdate(): Promise<void> {
    await reloadCustomDocPerms()
  }

  override async afterDelete(): Promise<void> {
    await reloadCustomDocPerms()
  }
}

async function reloadCustomDocPerms(): Promise<void> {
  const site = currentContext().site
  onRollback(() => loadCustomDocPerms(site))
  await loadCustomDocPerms(site, database())
}
