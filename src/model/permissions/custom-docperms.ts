import type { Site } from '../../context/index.js'
import type { Executor } from '../../db/index.js'
import type { DocPerm, DocTypeMeta } from '../../meta/index.js'

const RULE_COLUMNS = [
  'role', 'permlevel', 'if_owner', 'select', 'read', 'write', 'create', 'delete', 'submit', 'cancel',
  'amend', 'report', 'export', 'import', 'share', 'print', 'email', 'set_user_permissions',
] as const

/**
 * The `Custom DocPerm` rows of each site, by DocType. A per-site cache of a small table: loaded
 * when the site boots or migrates (with the other customizations) and reloaded by the Custom
 * DocPerm controller whenever a row changes, so permission checks read it synchronously.
 */
const customBySite = new WeakMap<Site, ReadonlyMap<string, readonly DocPerm[]>>()

function toDocPerm(row: Record<string, unknown>): DocPerm {
  const perm: Record<string, unknown> = { role: String(row.role ?? '') }
  for (const column of RULE_COLUMNS) {
    if (column !== 'role') perm[column] = Number(row[column] ?? 0)
  }
  return perm as unknown as DocPerm
}

/** Reads every Custom DocPerm row into the site's cache (`db` sees the caller's transaction). */
export async function loadCustomDocPerms(site: Site, db: Executor = site.services.database.reader): Promise<void> {
  const rows = await db.selectFrom('tabCustom DocPerm').selectAll().orderBy('creation').execute()
  const byDoctype = new Map<string, DocPerm[]>()
  for (const row of rows as Array<Record<string, unknown>>) {
    const doctype = String(row.parent ?? '')
    if (!doctype || !row.role) continue
    const list = byDoctype.get(doctype) ?? []
    list.push(toDocPerm(row))
    byDoctype.set(doctype, list)
  }
  customBySite.set(site, byDoctype)
}

/**
 * The DocPerm rows in force for a DocType: its Custom DocPerm rows whenever any exist (they
 * replace the JSON permissions, spec 7.1), else the `permissions` of its definition.
 */
export function docPermsOf(site: Site, meta: DocTypeMeta): readonly DocPerm[] {
  return customBySite.get(site)?.get(meta.name) ?? meta.permissions
}
