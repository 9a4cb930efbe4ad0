import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inTransaction, syncTable, type SyncReport } from '../../src/db/index.js'
import { tableName, type DocField, type DocTypeMeta } from '../../src/meta/index.js'
import { getDocument, insertDocument, newDocument } from '../../src/model/index.js'
import { CorpusRecords, comparable } from '../helpers/corpus-records.js'
import { HAS_CORPUS, inCorpusSite, openCorpusSite, readCorpus, type CorpusSite } from '../helpers/doctype-corpus.js'

// Issue points 5 and 6; spec 6.1 (standard columns), 7.4 (fieldtypes and column types), 7.5.
const corpus = readCorpus()
const entries = corpus.entries
const withTable = entries.filter((entry) => !entry.issingle && !entry.is_virtual)
const parents = entries.filter((entry) => !entry.istable && !entry.issingle && !entry.is_virtual)
const singles = entries.filter((entry) => entry.issingle)
const trees = entries.filter((entry) => entry.is_tree)

/** Spec 7.4, as the SQLite dialect declares each column (src/db/dialects/sqlite.ts). */
const SQLITE_TYPE_BY_FIELDTYPE: Readonly<Record<string, string | null>> = {
  Data: 'varchar',
  Link: 'varchar',
  'Dynamic Link': 'varchar',
  Select: 'varchar',
  'Read Only': 'varchar',
  Color: 'varchar',
  Icon: 'varchar',
  Phone: 'varchar',
  Autocomplete: 'varchar',
  Int: 'integer',
  Check: 'integer',
  Float: 'decimal(21,9)',
  Currency: 'decimal(21,9)',
  Percent: 'decimal(21,9)',
  Duration: 'decimal(21,9)',
  Rating: 'decimal(3,2)',
  Date: 'date',
  Datetime: 'datetime(6)',
  Time: 'time(6)',
  'Small Text': 'text',
  Text: 'text',
  Password: 'text',
  Attach: 'text',
  'Attach Image': 'text',
  'Long Text': 'longtext',
  Code: 'longtext',
  'Text Editor': 'longtext',
  'Markdown Editor': 'longtext',
  'HTML Editor': 'longtext',
  Signature: 'longtext',
  Barcode: 'longtext',
  Geolocation: 'longtext',
  JSON: 'text', // a `json` declared type would get NUMERIC affinity in SQLite
  Table: null,
  'Table MultiSelect': null,
  'Section Break': null,
  'Column Break': null,
  'Tab Break': null,
  HTML: null,
  Button: null,
  Image: null,
  Fold: null,
  Heading: null,
}

const NOT_NULL_ZERO = new Set(['Int', 'Check', 'Float', 'Currency', 'Percent', 'Duration', 'Rating'])
const TEXT_TYPES = new Set(['text', 'longtext'])

function expectedType(field: DocField): string | null {
  const type = SQLITE_TYPE_BY_FIELDTYPE[field.fieldtype]
  if (type === undefined) throw new Error(`fieldtype ${field.fieldtype} is missing from the spec table`)
  if (type === 'varchar') return `varchar(${field.length || 140})`
  if (field.fieldtype === 'Int' && (field.length ?? 0) > 11) return 'bigint'
  return type
}

interface ColumnInfo {
  readonly name: string
  readonly type: string
  readonly notnull: number
  readonly dflt_value: string | null
  readonly pk: number
}

interface IndexInfo {
  readonly name: string
  readonly unique: number
  readonly columns: readonly string[]
}

let corpusSite: CorpusSite
let records: CorpusRecords

async function columnsOf(table: string): Promise<Map<string, ColumnInfo>> {
  const result = await sql<ColumnInfo>`select name, type, "notnull", dflt_value, pk from pragma_table_info(${table})`.execute(
    corpusSite.site.services.database.reader,
  )
  // SQLite upper-cases some declared types (INTEGER, TEXT); the dialect compares them case-blind too.
  return new Map(result.rows.map((row) => [row.name, { ...row, type: row.type.toLowerCase() }]))
}

async function indexesOf(table: string): Promise<IndexInfo[]> {
  const reader = corpusSite.site.services.database.reader
  const list = await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list(${table})`.execute(reader)
  const indexes: IndexInfo[] = []
  for (const index of list.rows.filter((row) => row.origin === 'c')) {
    const info = await sql<{ name: string }>`select name from pragma_index_info(${index.name})`.execute(reader)
    indexes.push({ name: index.name, unique: index.unique, columns: info.rows.map((row) => row.name) })
  }
  return indexes
}

async function tableExists(table: string): Promise<boolean> {
  const result = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(
    corpusSite.site.services.database.reader,
  )
  return result.rows.length === 1
}

function metaOf(doctype: string): DocTypeMeta {
  return corpusSite.site.services.meta.get(doctype)
}

beforeAll(async () => {
  corpusSite = await openCorpusSite()
  records = new CorpusRecords(corpusSite.site)
})

afterAll(async () => {
  await corpusSite?.close()
})

describe.runIf(HAS_CORPUS)('syncTable on the DocType corpus', () => {
  it('creates one table for each of the 109 DocTypes that are neither Single nor virtual', async () => {
    expect(withTable).toHaveLength(109)
    expect(corpusSite.reports.map((report) => report.table).sort()).toEqual(withTable.map((entry) => tableName(entry.doctype)).sort())
    expect(corpusSite.reports.every((report) => report.created)).toBe(true)
    for (const entry of withTable) expect(await tableExists(tableName(entry.doctype)), entry.doctype).toBe(true)
  })

  it('creates no table for the Singles and the virtual RQ Job', async () => {
    expect([...singles.map((entry) => entry.doctype)].sort()).toEqual(['Selling Settings', 'System Settings'])
    for (const doctype of ['System Settings', 'Selling Settings', 'RQ Job']) {
      expect(await tableExists(tableName(doctype)), doctype).toBe(false)
    }
    expect(await tableExists('tabSingles')).toBe(true)
    expect(await tableExists('tabSeries')).toBe(true)
  })

  it.each(withTable.map((entry) => [entry.doctype]))('gives %s the standard columns of its kind (spec 6.1)', async (doctype) => {
    const meta = metaOf(doctype)
    const columns = await columnsOf(tableName(doctype))
    expect(columns.get('name')).toMatchObject({ type: 'varchar(140)', pk: 1 })
    expect(columns.get('creation')?.type).toBe('datetime(6)')
    expect(columns.get('modified')?.type).toBe('datetime(6)')
    expect(columns.get('modified_by')?.type).toBe('varchar(140)')
    expect(columns.get('owner')?.type).toBe('varchar(140)')
    expect(columns.get('docstatus')).toMatchObject({ type: 'integer', notnull: 1, dflt_value: '0' })
    expect(columns.get('idx')).toMatchObject({ type: 'integer', notnull: 1, dflt_value: '0' })
    for (const column of ['parent', 'parentfield', 'parenttype']) {
      expect(columns.get(column)?.type, column).toBe(meta.istable ? 'varchar(140)' : undefined)
    }
    for (const column of ['_user_tags', '_comments', '_assign', '_liked_by']) {
      expect(columns.get(column)?.type, column).toBe(meta.istable ? undefined : 'text')
    }
    expect(columns.has('_seen')).toBe(Boolean(meta.definition.track_seen))
  })

  it.each(withTable.map((entry) => [entry.doctype]))('gives %s one column per stored field, typed as spec 7.4 says', async (doctype) => {
    const meta = metaOf(doctype)
    const columns = await columnsOf(tableName(doctype))
    const standard = meta.istable
      ? ['name', 'creation', 'modified', 'modified_by', 'owner', 'docstatus', 'idx', 'parent', 'parentfield', 'parenttype']
      : ['name', 'creation', 'modified', 'modified_by', 'owner', 'docstatus', 'idx', '_user_tags', '_comments', '_assign', '_liked_by']
    if (meta.definition.track_seen) standard.push('_seen')
    const stored = meta.fields.filter((field) => expectedType(field) !== null && !field.is_virtual)
    expect([...columns.keys()].sort()).toEqual([...standard, ...stored.map((field) => field.fieldname)].sort())
    for (const field of meta.fields) {
      const column = columns.get(field.fieldname)
      const type = expectedType(field)
      if (type === null || field.is_virtual) {
        expect(column, `${field.fieldname} (${field.fieldtype})`).toBeUndefined()
        continue
      }
      expect(column?.type, `${field.fieldname} (${field.fieldtype})`).toBe(type)
      if (NOT_NULL_ZERO.has(field.fieldtype)) {
        const fallback = field.default !== undefined && Number.isFinite(Number(field.default)) ? Number(field.default) : 0
        expect(column?.notnull, field.fieldname).toBe(1)
        expect(Number(column?.dflt_value), field.fieldname).toBe(fallback)
      } else {
        expect(column?.notnull, field.fieldname).toBe(0)
      }
    }
  })

  it('declares every fieldtype the corpus uses as spec 7.4 says', async () => {
    const seen = new Map<string, Set<string>>()
    for (const entry of withTable) {
      const columns = await columnsOf(tableName(entry.doctype))
      for (const field of metaOf(entry.doctype).fields) {
        const declared = columns.get(field.fieldname)?.type ?? 'no column'
        seen.set(field.fieldtype, (seen.get(field.fieldtype) ?? new Set()).add(declared.replace(/^varchar\(\d+\)$/, 'varchar(n)')))
      }
    }
    const summary = Object.fromEntries([...seen].map(([fieldtype, types]) => [fieldtype, [...types].sort()]).sort())
    expect(summary).toEqual({
      Attach: ['text'],
      'Attach Image': ['text'],
      Autocomplete: ['varchar(n)'],
      Button: ['no column'],
      Check: ['integer'],
      Code: ['longtext'],
      Color: ['varchar(n)'],
      'Column Break': ['no column'],
      Currency: ['decimal(21,9)'],
      Data: ['no column', 'varchar(n)'], // `last_scanned_warehouse` is a virtual Data field
      Date: ['date'],
      Datetime: ['datetime(6)', 'no column'], // Scheduled Job Type.next_execution is virtual
      'Dynamic Link': ['varchar(n)'],
      Float: ['decimal(21,9)', 'no column'], // Payment Entry Reference.payment_request_outstanding is virtual
      HTML: ['no column'],
      'HTML Editor': ['longtext'],
      Image: ['no column'],
      Int: ['bigint', 'integer'], // File.file_size has length 20
      JSON: ['text'],
      Link: ['varchar(n)'],
      Password: ['text'],
      Percent: ['decimal(21,9)'],
      'Read Only': ['varchar(n)'],
      'Section Break': ['no column'],
      Select: ['varchar(n)'],
      'Small Text': ['text'],
      'Tab Break': ['no column'],
      Table: ['no column'],
      'Table MultiSelect': ['no column'],
      Text: ['text'],
      'Text Editor': ['longtext'],
      Time: ['time(6)'],
    })
  })

  it.each(withTable.map((entry) => [entry.doctype]))('indexes %s as its metadata asks', async (doctype) => {
    const meta = metaOf(doctype)
    const table = tableName(doctype)
    const indexes = await indexesOf(table)
    const columns = await columnsOf(table)
    const indexed = (column: string) => indexes.filter((index) => index.columns.length === 1 && index.columns[0] === column)
    if (meta.istable) {
      expect(indexed('parent').map((index) => index.unique)).toEqual([0])
      expect(indexed('modified')).toEqual([])
    } else {
      expect(indexed('modified').map((index) => index.unique)).toEqual([0])
    }
    for (const field of meta.fields) {
      const type = columns.get(field.fieldname)?.type
      if (type === undefined) continue
      const found = indexed(field.fieldname)
      if (TEXT_TYPES.has(type)) expect(found, `${field.fieldname}: no index on text columns`).toEqual([])
      else if (field.unique) expect(found.map((index) => index.unique), field.fieldname).toEqual([1])
      else if (field.search_index) expect(found.map((index) => index.unique), field.fieldname).toEqual([0])
      else expect(found, field.fieldname).toEqual([])
    }
  })

  it('changes nothing when run a second time', async () => {
    const reports = await inCorpusSite(corpusSite.site, () =>
      inTransaction(async (tx) => {
        const done: SyncReport[] = []
        for (const meta of corpusSite.site.services.meta.all()) {
          const report = await syncTable(tx, corpusSite.site.services.database, meta)
          if (report) done.push(report)
        }
        return done
      }),
    )
    expect(reports).toHaveLength(109)
    for (const report of reports) {
      expect(report, report.table).toEqual({ table: report.table, created: false, addedColumns: [], changedColumns: [], addedIndexes: [] })
    }
  })
})

describe.runIf(HAS_CORPUS)('insertDocument on the DocType corpus', () => {
  it('covers every child table of the corpus through a Table field of some parent', () => {
    const targets = new Set(parents.flatMap((entry) => metaOf(entry.doctype).tableFields.map((field) => field.options)))
    const children = entries.filter((entry) => entry.istable).map((entry) => entry.doctype)
    expect(children).toHaveLength(60)
    expect(children.filter((child) => !targets.has(child))).toEqual([])
  })

  it.each(parents.map((entry) => [entry.doctype]))('stores %s with a row in each Table field and reads it back', async (doctype) => {
    const meta = metaOf(doctype)
    const plan = await records.plan(doctype)
    const listed = (name: string) => corpus.entries.find((entry) => entry.doctype === name)?.links_outside_corpus ?? []
    const outside = [...listed(doctype), ...meta.tableFields.flatMap((field) => listed(field.options ?? ''))]
    if (plan.ignoreLinks) expect(outside.length, 'ignoreLinks only for targets outside the corpus').toBeGreaterThan(0)
    const name = await inCorpusSite(corpusSite.site, async () => {
      const doc = await insertDocument(newDocument(doctype, plan.values), { ignoreLinks: plan.ignoreLinks })
      return String(doc.name)
    })
    const stored = await inCorpusSite(corpusSite.site, () => getDocument(doctype, name))
    expect(stored.name).toBe(name)
    expect(stored.get('owner')).toBe('Administrator')
    expect(stored.get('modified_by')).toBe('Administrator')
    expect(stored.docstatus).toBe(0)
    expect(Object.keys(plan.expected).length).toBeGreaterThan(0)
    for (const [fieldname, value] of Object.entries(plan.expected)) {
      const field = meta.fieldsByName.get(fieldname)
      expect(comparable(field, stored.get(fieldname)), `${doctype}.${fieldname}`).toEqual(comparable(field, value))
    }
    for (const tableField of meta.tableFields) {
      const rowMeta = metaOf(tableField.options ?? '')
      const rows = stored.getTable(tableField.fieldname)
      expect(rows, tableField.fieldname).toHaveLength(1)
      const [row] = rows
      expect(row?.doctype).toBe(rowMeta.name)
      expect(row?.get('parent')).toBe(name)
      expect(row?.get('parentfield')).toBe(tableField.fieldname)
      expect(row?.get('parenttype')).toBe(doctype)
      expect(row?.get('idx')).toBe(1)
      expect(row?.get('owner')).toBe('Administrator')
      for (const [fieldname, value] of Object.entries(plan.expectedRows.get(tableField.fieldname)?.[0] ?? {})) {
        const field = rowMeta.fieldsByName.get(fieldname)
        expect(comparable(field, row?.get(fieldname)), `${tableField.fieldname}.${fieldname}`).toEqual(comparable(field, value))
      }
    }
  })

  it('fills a Time field whose default is Now with the time of day (Stock Entry.posting_time)', async () => {
    expect(metaOf('Stock Entry').fieldsByName.get('posting_time')).toMatchObject({ fieldtype: 'Time', default: 'Now' })
    const plan = await records.plan('Stock Entry', { dependency: true })
    expect(plan.values.posting_time).toBeUndefined()
    const stored = await records.insert(plan)
    expect(stored.get('posting_time')).toMatch(/^\d{1,2}:\d{2}:\d{2}$/)
  })

  it.each(trees.map((entry) => [entry.doctype]))('gives the tree %s its nested-set fields and stores a child node under a root', async (doctype) => {
    const meta = metaOf(doctype)
    const parentField = meta.nsmParentField ?? ''
    expect(parentField).toBe(String(corpus.definitions.get(doctype)?.nsm_parent_field ?? ''))
    for (const fieldname of ['lft', 'rgt', 'is_group', 'old_parent', parentField]) {
      expect(meta.fieldsByName.has(fieldname), fieldname).toBe(true)
    }
    expect(meta.fieldsByName.get('lft')?.fieldtype).toBe('Int')
    expect(meta.fieldsByName.get('rgt')?.fieldtype).toBe('Int')
    expect(meta.fieldsByName.get('is_group')?.fieldtype).toBe('Check')
    expect(meta.fieldsByName.get(parentField)).toMatchObject({ fieldtype: 'Link', options: doctype })
    const columns = await columnsOf(tableName(doctype))
    expect(columns.get('lft')).toMatchObject({ type: 'integer', notnull: 1 })
    expect(columns.get('rgt')).toMatchObject({ type: 'integer', notnull: 1 })
    expect(columns.get('is_group')).toMatchObject({ type: 'integer', notnull: 1 })
    expect(columns.get(parentField)?.type).toBe('varchar(140)')

    const root = await records.record(doctype)
    const plan = await records.plan(doctype)
    const values = { ...plan.values, [parentField]: root.name, is_group: 0 }
    const name = await inCorpusSite(corpusSite.site, async () => String((await insertDocument(newDocument(doctype, values), { ignoreLinks: plan.ignoreLinks })).name))
    const stored = await inCorpusSite(corpusSite.site, () => getDocument(doctype, name))
    expect(stored.get(parentField)).toBe(root.name)
    expect(stored.get('is_group')).toBe(0)
    expect(typeof stored.get('lft')).toBe('number')
    expect(typeof stored.get('rgt')).toBe('number')
  })

  it.each(singles.map((entry) => [entry.doctype]))('saves the Single %s in tabSingles and loads it back', async (doctype) => {
    const meta = metaOf(doctype)
    const plan = await records.plan(doctype)
    await inCorpusSite(corpusSite.site, () => insertDocument(newDocument(doctype, plan.values), { ignoreLinks: plan.ignoreLinks }))
    const stored = await inCorpusSite(corpusSite.site, () => getDocument(doctype, doctype))
    expect(stored.name).toBe(doctype)
    for (const [fieldname, value] of Object.entries(plan.expected)) {
      const field = meta.fieldsByName.get(fieldname)
      expect(comparable(field, stored.get(fieldname)), fieldname).toEqual(comparable(field, value))
    }
    const rows = await corpusSite.site.services.database.reader
      .selectFrom('tabSingles')
      .select(['field', 'value'])
      .where('doctype', '=', doctype)
      .execute()
    const byField = new Map(rows.map((row) => [String(row.field), row.value]))
    for (const [fieldname, value] of Object.entries(plan.values)) expect(byField.get(fieldname), fieldname).toBe(String(value))
    expect(byField.has('modified')).toBe(true)
  })

  it('keeps the virtual RQ Job out of the database', async () => {
    const meta = metaOf('RQ Job')
    expect(meta.isVirtual).toBe(true)
    expect(meta.columns.length).toBeGreaterThan(0)
    expect(await inCorpusSite(corpusSite.site, () => inTransaction((tx) => syncTable(tx, corpusSite.site.services.database, meta)))).toBeUndefined()
    expect(await tableExists('tabRQ Job')).toBe(false)
  })
})
