import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createSqliteDatabase,
  syncCoreTables,
  syncTable,
  type SiteDatabase,
  type WriteTransaction,
} from '../../db/index.js'
import { createMetaRegistry, type MetaRegistry } from '../../meta/index.js'

const title = { fieldname: 'title', fieldtype: 'Data', label: 'Title' }
const customer = { fieldname: 'customer', fieldtype: 'Data', label: 'Customer' }

/** Fixture DocTypes, one per naming rule. Used by the database tests of this folder only. */
const DEFINITIONS: readonly Record<string, unknown>[] = [
  { name: 'Naming Hash Note', autoname: 'hash', fields: [title] },
  { name: 'Naming Field Note', autoname: 'field:title', fields: [title] },
  {
    name: 'Naming Series Order',
    autoname: 'naming_series:',
    fields: [
      {
        fieldname: 'naming_series',
        fieldtype: 'Select',
        label: 'Series',
        options: '\nORD-.YYYY.-.####\nALT-.#####',
      },
      customer,
    ],
  },
  { name: 'Naming Format Invoice', autoname: 'format:INV-{YYYY}-{customer}-{####}', fields: [customer] },
  { name: 'Naming Old Style', autoname: 'PRE-.YY.-.MM.-.customer.-.###', fields: [customer] },
  { name: 'Naming Prompt Note', autoname: 'Prompt', fields: [title] },
  { name: 'Naming Counter Log', autoname: 'autoincrement', fields: [title] },
  { name: 'Naming Script Note', autoname: '', fields: [title] },
  { name: 'Naming Settings', issingle: 1, fields: [title] },
  { name: 'Naming Child Row', istable: 1, fields: [title] },
  {
    name: 'Naming Parent',
    autoname: 'hash',
    fields: [title, { fieldname: 'rows', fieldtype: 'Table', label: 'Rows', options: 'Naming Child Row' }],
  },
  {
    name: 'Naming Amendable',
    autoname: 'AMD-.#####',
    is_submittable: 1,
    fields: [
      title,
      { fieldname: 'amended_from', fieldtype: 'Link', label: 'Amended From', options: 'Naming Amendable' },
    ],
  },
]

export interface TestSite {
  readonly database: SiteDatabase
  readonly registry: MetaRegistry
  /** Runs `fn` in a write transaction that is rolled back afterwards. */
  rollback<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A SQLite file in a temp folder with the core tables and the fixture DocTypes' tables. */
export async function createTestSite(): Promise<TestSite> {
  const folder = mkdtempSync(join(tmpdir(), 'cortado-naming-'))
  const database = createSqliteDatabase({ file: join(folder, 'site.db') })
  const registry = createMetaRegistry()
  registry.define(
    DEFINITIONS.map((definition) => ({ definition: { module: 'Test', ...definition }, source: 'test' })),
  )
  const tx = await database.beginWrite()
  await syncCoreTables(tx, database)
  for (const meta of registry.all()) await syncTable(tx, database, meta)
  await tx.commit().execute()

  return {
    database,
    registry,
    async rollback(fn) {
      const work = await database.beginWrite()
      try {
        return await fn(work)
      } finally {
        await work.rollback().execute()
      }
    },
    async close() {
      await database.close()
      rmSync(folder, { recursive: true, force: true })
    },
  }
}
