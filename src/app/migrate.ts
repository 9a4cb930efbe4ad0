import type { Logger } from '../context/index.js'
import { newContext, type Site } from '../context/index.js'
import { inTransaction, runUnitOfWork, syncCoreTables, syncTable, type SyncReport } from '../db/index.js'
import {
  HOME_FOLDERS,
  STANDARD_MODULES,
  STANDARD_ROLES,
  documentValuesFromMeta,
  loadCustomDocTypes,
  loadCustomizations,
} from '../doctypes/index.js'
import { deleteDocument, insertDocument, newDocument } from '../model/index.js'
import { randomHashName } from '../utils/index.js'

/** A context for framework work done as Administrator: migrate, new-site, CLI commands. */
export function adminContext(site: Site, logger: Logger, flags: Record<string, unknown> = {}) {
  return newContext({ site, user: 'Administrator', roles: ['Administrator', 'System Manager', 'All'], logger, flags })
}

async function ensureRecord(doctype: string, name: string, values: Record<string, unknown>, tx: Parameters<Parameters<typeof inTransaction>[0]>[0]): Promise<void> {
  const meta = newDocument(doctype).meta
  const found = await tx.selectFrom(`tab${meta.name}`).select('name').where('name', '=', name).executeTakeFirst()
  if (!found) await insertDocument(newDocument(doctype, values), { ignorePermissions: true, ignoreLinks: true })
}

/** Keeps `tabDocType` in step with the DocTypes that apps define, as Frappe's migrate does. */
async function syncDocTypeRecords(site: Site): Promise<void> {
  for (const meta of site.services.meta.all()) {
    if (meta.source === 'custom') continue
    await deleteDocument('DocType', meta.name, { ignoreMissing: true, ignorePermissions: true, force: true })
    const values = documentValuesFromMeta(meta)
    const rows = (list: unknown) => (list as Array<Record<string, unknown>>).map((row) => ({ ...row, name: randomHashName() }))
    const doc = newDocument('DocType', { ...values, fields: rows(values.fields), permissions: rows(values.permissions) })
    await insertDocument(doc, { ignorePermissions: true, ignoreLinks: true, ignoreMandatory: true })
  }
}

/**
 * `cortado migrate`: creates and alters every table to match the metadata, then writes the
 * standard records (roles, modules) and the DocType records. Keeps every row.
 */
export async function migrateSite(site: Site, logger: Logger): Promise<SyncReport[]> {
  const reports: SyncReport[] = []
  const ctx = adminContext(site, logger, { inMigrate: true, inInstall: true })
  await runUnitOfWork(ctx, () =>
    inTransaction(async (tx) => {
      const { database, meta } = site.services
      await syncCoreTables(tx, database)
      for (const doctype of meta.all()) {
        const report = await syncTable(tx, database, doctype)
        if (report) reports.push(report)
      }
      for (const module of STANDARD_MODULES) await ensureRecord('Module Def', module.module_name, { ...module }, tx)
      for (const role of STANDARD_ROLES) await ensureRecord('Role', role.role_name, { ...role }, tx)
      for (const folder of HOME_FOLDERS) await ensureRecord('File', folder.name, { ...folder.values }, tx)
      // As Frappe's `make_module_and_roles`: every module and DocPerm role of an app exists.
      for (const doctype of meta.all()) {
        if (doctype.source === 'custom') continue
        await ensureRecord('Module Def', doctype.module, { module_name: doctype.module, app_name: doctype.source }, tx)
        for (const perm of doctype.permissions) await ensureRecord('Role', perm.role, { role_name: perm.role, desk_access: 1 }, tx)
      }
      await syncDocTypeRecords(site)
    }),
  )
  await loadCustomDocTypes(site)
  await loadCustomizations(site)
  return reports
}
