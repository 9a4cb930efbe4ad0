import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { newContext, type Site } from '../../src/context/index.js'
import { createSqliteDatabase, inTransaction, runUnitOfWork, syncCoreTables, syncTable, type SyncReport } from '../../src/db/index.js'
import { createMetaRegistry, tableName } from '../../src/meta/index.js'
import { getDocument, insertDocument, newDocument, type DocValues } from '../../src/model/index.js'
import { silentLogger } from '../helpers/bench.js'

// Issue point 6: schema sync is declarative and keeps every row (spec 7.4; STYLE "Database").
interface FieldSpec {
  readonly fieldname: string
  readonly fieldtype: string
  readonly [key: string]: unknown
}

const BASE_FIELDS: readonly FieldSpec[] = [
  { fieldname: 'title', fieldtype: 'Data' },
  { fieldname: 'code', fieldtype: 'Data' },
  { fieldname: 'qty', fieldtype: 'Int' },
  { fieldname: 'rate', fieldtype: 'Int' },
  { fieldname: 'due', fieldtype: 'Date' },
  { fieldname: 'remarks', fieldtype: 'Data' },
]

const ROWS: readonly DocValues[] = [
  { title: 'Alpha', code: '17', qty: 3, rate: 12, due: '2025-01-31', remarks: 'first remark' },
  { title: 'Beta', code: '-4', qty: 0, rate: 7, due: '2024-02-29', remarks: 'x'.repeat(140) },
  { title: 'Gamma', code: '2048', qty: 99, rate: 0, due: null, remarks: null },
]

interface SyncSite {
  readonly site: Site
  define(fields: readonly FieldSpec[]): void
  sync(): Promise<SyncReport | undefined>
  close(): Promise<void>
}

const opened: SyncSite[] = []

afterEach(async () => {
  for (const open of opened.splice(0)) await open.close()
})

let counter = 0

/** A site with one DocType, `Ledger Line`, whose definition the test changes as an app update would. */
async function openSyncSite(fields: readonly FieldSpec[] = BASE_FIELDS): Promise<SyncSite> {
  const path = mkdtempSync(join(tmpdir(), 'cortado-sync-'))
  const database = createSqliteDatabase({ file: join(path, 'sync.sqlite3') })
  const meta = createMetaRegistry()
  const site: Site = {
    name: `sync${++counter}.test`,
    path,
    config: {},
    services: { meta, database, model: { controllers: new Map(), docEvents: [] }, methods: new Map() },
  }
  const context = () => newContext({ site, user: 'Administrator', roles: ['Administrator'], logger: silentLogger })
  const result: SyncSite = {
    site,
    define(next) {
      meta.define([{ definition: { name: 'Ledger Line', module: 'Testing', autoname: 'hash', fields: next }, source: 'testing' }])
    },
    sync: () => runUnitOfWork(context(), () => inTransaction((tx) => syncTable(tx, database, meta.get('Ledger Line')))),
    async close() {
      await database.close()
      rmSync(path, { recursive: true, force: true })
    },
  }
  opened.push(result)
  await runUnitOfWork(context(), () => inTransaction((tx) => syncCoreTables(tx, database)))
  result.define(fields)
  await result.sync()
  return result
}

function asAdmin<T>(site: Site, fn: () => Promise<T>): Promise<T> {
  return runUnitOfWork(newContext({ site, user: 'Administrator', roles: ['Administrator'], logger: silentLogger }), fn)
}

/** Inserts the sample rows through the document API and returns their names. */
async function insertRows(site: Site, rows: readonly DocValues[] = ROWS): Promise<string[]> {
  const names: string[] = []
  for (const values of rows) names.push(await asAdmin(site, async () => String((await insertDocument(newDocument('Ledger Line', values))).name)))
  return names
}

/** Every stored row, as the table holds it, by name. */
async function rawRows(site: Site): Promise<Map<string, Record<string, unknown>>> {
  const rows = await site.services.database.reader.selectFrom(tableName('Ledger Line')).selectAll().execute()
  return new Map(rows.map((row) => [String(row.name), row]))
}

async function columnTypes(site: Site): Promise<Record<string, string>> {
  const { database } = site.services
  const columns = await database.listColumns(database.reader, tableName('Ledger Line'))
  return Object.fromEntries(columns.map((column) => [column.name, column.type.toLowerCase()]))
}

async function indexes(site: Site): Promise<Array<{ column: string; unique: number }>> {
  const reader = site.services.database.reader
  const list = await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list(${tableName('Ledger Line')})`.execute(reader)
  const result: Array<{ column: string; unique: number }> = []
  for (const index of list.rows.filter((row) => row.origin === 'c')) {
    const info = await sql<{ name: string }>`select name from pragma_index_info(${index.name})`.execute(reader)
    result.push({ column: info.rows.map((row) => row.name).join(','), unique: index.unique })
  }
  return result.sort((a, b) => a.column.localeCompare(b.column))
}

const nothingChanged = (report: SyncReport | undefined): void => {
  expect(report).toEqual({ table: 'tabLedger Line', created: false, addedColumns: [], changedColumns: [], addedIndexes: [] })
}

describe('syncTable', () => {
  it('creates the table once and changes nothing on the next runs', async () => {
    const { sync } = await openSyncSite()
    nothingChanged(await sync())
    nothingChanged(await sync())
  })

  it('adds a column for a new field and keeps every row', async () => {
    const { site, define, sync } = await openSyncSite()
    const names = await insertRows(site)
    const before = await rawRows(site)
    define([...BASE_FIELDS, { fieldname: 'weight', fieldtype: 'Float' }, { fieldname: 'note', fieldtype: 'Small Text' }])
    const report = await sync()
    expect(report).toEqual({ table: 'tabLedger Line', created: false, addedColumns: ['weight', 'note'], changedColumns: [], addedIndexes: [] })
    expect(await columnTypes(site)).toMatchObject({ weight: 'decimal(21,9)', note: 'text' })
    const after = await rawRows(site)
    expect([...after.keys()].sort()).toEqual([...names].sort())
    for (const name of names) expect(after.get(name)).toEqual({ ...before.get(name), weight: 0, note: null })
    nothingChanged(await sync())

    const added = await asAdmin(site, async () => String((await insertDocument(newDocument('Ledger Line', { title: 'Delta', weight: 1.5, note: 'new' }))).name))
    const stored = await asAdmin(site, () => getDocument('Ledger Line', added))
    expect([stored.get('weight'), stored.get('note')]).toEqual([1.5, 'new'])
  })

  it.each([
    ['Data', 'Int', 'code', { code: 'integer' }, [17, -4, 2048]],
    ['Data', 'Text', 'remarks', { remarks: 'text' }, ['first remark', 'x'.repeat(140), null]],
    ['Int', 'Float', 'rate', { rate: 'decimal(21,9)' }, [12, 7, 0]],
  ])('changes a %s field to %s in place, keeping every row and every other column', async (_from, to, fieldname, types, values) => {
    const { site, define, sync } = await openSyncSite()
    const names = await insertRows(site)
    const before = await rawRows(site)
    define(BASE_FIELDS.map((field) => (field.fieldname === fieldname ? { ...field, fieldtype: to } : field)))
    const report = await sync()
    expect(report?.created).toBe(false)
    expect(report?.addedColumns).toEqual([])
    expect(report?.changedColumns).toEqual([fieldname])
    expect(await columnTypes(site)).toMatchObject(types)
    const after = await rawRows(site)
    expect([...after.keys()].sort()).toEqual([...names].sort())
    names.forEach((name, index) => {
      const { [fieldname]: changed, ...others } = after.get(name) ?? {}
      const { [fieldname]: _old, ...othersBefore } = before.get(name) ?? {}
      expect(others, name).toEqual(othersBefore)
      expect(changed, name).toEqual(values[index])
    })
    nothingChanged(await sync())

    const reread = await asAdmin(site, () => getDocument('Ledger Line', names[0] ?? ''))
    expect(reread.get(fieldname)).toEqual(values[0])
  })

  it('keeps the indexes of a table whose column type changed', async () => {
    const { site, define, sync } = await openSyncSite([...BASE_FIELDS.filter((field) => field.fieldname !== 'title'), { fieldname: 'title', fieldtype: 'Data', unique: 1 }])
    await insertRows(site)
    define([...BASE_FIELDS.filter((field) => field.fieldname !== 'title' && field.fieldname !== 'rate'), { fieldname: 'rate', fieldtype: 'Float' }, { fieldname: 'title', fieldtype: 'Data', unique: 1 }])
    await sync()
    expect(await indexes(site)).toEqual([
      { column: 'modified', unique: 0 },
      { column: 'title', unique: 1 },
    ])
    await expect(asAdmin(site, () => insertDocument(newDocument('Ledger Line', { title: 'Alpha' })))).rejects.toThrow('must be unique')
    nothingChanged(await sync())
  })

  it('keeps the column and the data of a removed field, as Frappe does', async () => {
    const { site, define, sync } = await openSyncSite()
    const names = await insertRows(site)
    const before = await rawRows(site)
    define(BASE_FIELDS.filter((field) => field.fieldname !== 'remarks'))
    nothingChanged(await sync())
    expect(await columnTypes(site)).toHaveProperty('remarks', 'varchar(140)')
    expect(await rawRows(site)).toEqual(before)

    const added = await asAdmin(site, async () => String((await insertDocument(newDocument('Ledger Line', { title: 'Without remarks' }))).name))
    expect((await rawRows(site)).get(added)?.remarks).toBeNull()
    expect(names).toHaveLength(3)
  })

  it('keeps the data of a removed field when another column changes type', async () => {
    const { site, define, sync } = await openSyncSite()
    const names = await insertRows(site)
    define(BASE_FIELDS.filter((field) => field.fieldname !== 'remarks').map((field) => (field.fieldname === 'rate' ? { ...field, fieldtype: 'Float' } : field)))
    expect((await sync())?.changedColumns).toEqual(['rate'])
    const after = await rawRows(site)
    expect(names.map((name) => after.get(name)?.remarks)).toEqual(['first remark', 'x'.repeat(140), null])
    nothingChanged(await sync())
  })

  it('adds a unique index when a field becomes unique, and a plain one for search_index', async () => {
    const { site, define, sync } = await openSyncSite()
    await insertRows(site)
    expect(await indexes(site)).toEqual([{ column: 'modified', unique: 0 }])
    define(BASE_FIELDS.map((field) => (field.fieldname === 'title' ? { ...field, unique: 1 } : field.fieldname === 'due' ? { ...field, search_index: 1 } : field)))
    const report = await sync()
    expect(report).toEqual({
      table: 'tabLedger Line',
      created: false,
      addedColumns: [],
      changedColumns: [],
      addedIndexes: ['tabLedger Line_title_unique', 'tabLedger Line_due_index'],
    })
    expect(await indexes(site)).toEqual([
      { column: 'due', unique: 0 },
      { column: 'modified', unique: 0 },
      { column: 'title', unique: 1 },
    ])
    await expect(asAdmin(site, () => insertDocument(newDocument('Ledger Line', { title: 'Beta' })))).rejects.toThrow('Ledger Line: title must be unique; Beta is already used')
    nothingChanged(await sync())
  })

  it('adds a NOT NULL DEFAULT 0 column for a new Check field on a table with rows', async () => {
    const { site, define, sync } = await openSyncSite()
    const names = await insertRows(site)
    define([...BASE_FIELDS, { fieldname: 'is_active', fieldtype: 'Check', default: '1' }])
    expect((await sync())?.addedColumns).toEqual(['is_active'])
    const { database } = site.services
    const column = (await database.listColumns(database.reader, tableName('Ledger Line'))).find((found) => found.name === 'is_active')
    expect(column).toMatchObject({ notNull: true, defaultValue: '1' })
    const after = await rawRows(site)
    expect(names.map((name) => after.get(name)?.is_active)).toEqual([1, 1, 1])
  })
})
