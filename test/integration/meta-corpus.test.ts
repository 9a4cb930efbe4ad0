import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newContext } from '../../src/context/index.js'
import { InvalidDocTypeError, createMetaRegistry, loadDocType, type DocTypeMeta } from '../../src/meta/index.js'
import { hasPermission } from '../../src/model/index.js'
import { silentLogger } from '../helpers/bench.js'
import { HAS_CORPUS, corpusRegistry, openCorpusSite, readCorpus, type CorpusSite } from '../helpers/doctype-corpus.js'

// Issue point 5; spec 7.1–7.3 and 7.5, on the real Frappe and ERPNext definitions.
const corpus = readCorpus()

interface RawField {
  readonly fieldname: string
  readonly fieldtype: string
  readonly options?: string
}

function rawFields(doctype: string): RawField[] {
  return corpus.definitions.get(doctype)?.fields as RawField[]
}

/** `field_order` is the layout (spec 7.1); most files list `fields` in another order. */
function layoutOrder(doctype: string): string[] {
  const names = rawFields(doctype).map((field) => field.fieldname)
  const order = (corpus.definitions.get(doctype)?.field_order as string[] | undefined) ?? []
  return [...order.filter((name) => names.includes(name)), ...names.filter((name) => !order.includes(name))]
}

describe.runIf(HAS_CORPUS)('loadDocType on the DocType corpus', () => {
  it('reads the 112 files MANIFEST.json lists: 40 from Frappe, 72 from ERPNext', () => {
    expect(corpus.entries).toHaveLength(112)
    expect(corpus.entries.filter((entry) => entry.app === 'frappe')).toHaveLength(40)
    expect(corpus.entries.filter((entry) => entry.app === 'erpnext')).toHaveLength(72)
    expect(corpus.definitions.size).toBe(112)
  })

  it.each(corpus.entries.map((entry) => [entry.doctype, entry]))('loads %s', (doctype, entry) => {
    const definition = corpus.definitions.get(doctype)
    const meta = loadDocType(definition, entry.app)
    expect(meta.name).toBe(doctype)
    expect(meta.module).toBe(entry.module)
    expect(meta.source).toBe(entry.app)
    expect(meta.custom).toBe(false)
    expect(meta.istable).toBe(Boolean(entry.istable))
    expect(meta.issingle).toBe(Boolean(entry.issingle))
    expect(meta.isSubmittable).toBe(Boolean(entry.is_submittable))
    expect(meta.isTree).toBe(Boolean(entry.is_tree))
    expect(meta.isVirtual).toBe(Boolean(entry.is_virtual))
    expect(meta.permissions).toHaveLength(entry.permission_rules)
    expect(rawFields(doctype)).toHaveLength(entry.field_count)
    const fromFile = meta.fields.slice(0, entry.field_count).map((field) => field.fieldname)
    expect(fromFile).toEqual(layoutOrder(doctype))
    expect(meta.tableFields.map((field) => field.options).sort()).toEqual(
      rawFields(doctype)
        .filter((field) => field.fieldtype === 'Table' || field.fieldtype === 'Table MultiSelect')
        .map((field) => field.options)
        .sort(),
    )
  })

  it('adds only the nested-set fields a tree file lacks (spec 7.5)', () => {
    const added = (doctype: string): string[] => {
      const meta = loadDocType(corpus.definitions.get(doctype), 'erpnext')
      return meta.fields.slice(rawFields(doctype).length).map((field) => `${field.fieldname}:${field.fieldtype}`)
    }
    // Employee's tree lives in reports_to and its file has no is_group.
    expect(added('Employee')).toEqual(['is_group:Check'])
    expect(added('Account')).toEqual([])
    for (const entry of corpus.entries.filter((candidate) => !candidate.is_tree)) expect(added(entry.doctype), entry.doctype).toEqual([])
  })

  it('keeps the JSON fieldtype of a nested-set field the file defines (Account.old_parent is Data)', () => {
    const meta = loadDocType(corpus.definitions.get('Account'), 'erpnext')
    expect(meta.fieldsByName.get('old_parent')?.fieldtype).toBe('Data')
    expect(meta.nsmParentField).toBe('parent_account')
  })
})

describe.runIf(HAS_CORPUS)('createMetaRegistry with the whole corpus', () => {
  it('defines all 112 DocTypes in one call', () => {
    const registry = corpusRegistry()
    expect(registry.all().map((meta) => meta.name).sort()).toEqual(corpus.entries.map((entry) => entry.doctype).sort())
    expect(registry.all().filter((meta) => meta.istable)).toHaveLength(corpus.counts.child_tables ?? -1)
    expect(registry.all().filter((meta) => meta.issingle)).toHaveLength(corpus.counts.singles ?? -1)
    expect(registry.all().filter((meta) => meta.isSubmittable)).toHaveLength(corpus.counts.submittable ?? -1)
    expect(registry.all().filter((meta) => meta.isTree)).toHaveLength(corpus.counts.trees ?? -1)
    expect(registry.all().filter((meta) => meta.isVirtual)).toHaveLength(corpus.counts.virtual ?? -1)
  })

  it('resolves every Table and Table MultiSelect field to a child DocType of the corpus', () => {
    const registry = corpusRegistry()
    const tableFields = registry.all().flatMap((meta) => meta.tableFields.map((field) => ({ meta, field })))
    expect(tableFields).toHaveLength((corpus.fieldtypeCounts.Table ?? 0) + (corpus.fieldtypeCounts['Table MultiSelect'] ?? 0))
    for (const { meta, field } of tableFields) {
      expect(registry.find(field.options ?? '')?.istable, `${meta.name}.${field.fieldname}`).toBe(true)
    }
    expect(registry.get('User').fieldsByName.get('role_profiles')).toMatchObject({ fieldtype: 'Table MultiSelect', options: 'User Role Profile' })
  })

  it('keeps every field of the corpus, counted by fieldtype as MANIFEST.json counts them', () => {
    const registry = corpusRegistry()
    const counts: Record<string, number> = {}
    for (const meta of registry.all()) {
      for (const field of meta.fields.slice(0, rawFields(meta.name).length)) counts[field.fieldtype] = (counts[field.fieldtype] ?? 0) + 1
    }
    expect(counts).toEqual(corpus.fieldtypeCounts)
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(corpus.counts.fields)
  })

  it('finds exactly the Link and Table targets inside the corpus that MANIFEST.json does not list as outside', () => {
    const registry = corpusRegistry()
    for (const entry of corpus.entries) {
      const targets = rawFields(entry.doctype)
        .filter((field) => ['Link', 'Table', 'Table MultiSelect'].includes(field.fieldtype))
        .map((field) => field.options ?? '')
      const missing = [...new Set(targets.filter((target) => registry.find(target) === undefined))].sort()
      expect(missing, entry.doctype).toEqual([...entry.links_outside_corpus].sort())
    }
  })

  it('refuses the corpus without a child table that others point at, naming the DocType and the field', () => {
    const registry = createMetaRegistry()
    const definitions = corpus.entries
      .filter((entry) => entry.doctype !== 'Sales Invoice Item')
      .map((entry) => ({ definition: corpus.definitions.get(entry.doctype), source: entry.app }))
    expect(() => registry.define(definitions)).toThrow(InvalidDocTypeError)
    expect(() => registry.define(definitions)).toThrow('DocType Sales Invoice, field items: table DocType Sales Invoice Item is not defined')
    expect(registry.all()).toEqual([]) // nothing half-defined
  })
})

describe.runIf(HAS_CORPUS)('loading rule: a missing key means 0 (spec 7.1)', () => {
  let corpusSite: CorpusSite
  let meta: DocTypeMeta

  beforeAll(async () => {
    corpusSite = await openCorpusSite()
    meta = corpusSite.site.services.meta.get('Currency')
  })

  afterAll(async () => {
    await corpusSite?.close()
  })

  it('gives a DocPerm without "write" no write right, although DocPerm defaults write to 1', async () => {
    expect(corpusSite.site.services.meta.get('DocPerm').fieldsByName.get('write')?.default).toBe('1')
    const perm = meta.permissions.find((candidate) => candidate.role === 'Accounts Manager')
    expect(perm).toEqual({ read: 1, role: 'Accounts Manager' })
    const ctx = newContext({ site: corpusSite.site, user: 'accounts@example.com', roles: ['Accounts Manager'], logger: silentLogger })
    expect(await hasPermission(ctx, meta, 'read')).toBe(true)
    expect(await hasPermission(ctx, meta, 'write')).toBe(false)
    expect(await hasPermission(ctx, meta, 'create')).toBe(false)
    expect(await hasPermission(ctx, meta, 'delete')).toBe(false)
  })

  it('gives a field without "reqd", "unique" or "hidden" none of them, whatever DocField defaults', () => {
    const field = meta.fieldsByName.get('symbol')
    expect(field).toBeDefined()
    expect([field?.reqd, field?.unique, field?.hidden, field?.read_only].map((value) => Boolean(value))).toEqual([false, false, false, false])
    expect(meta.fieldsByName.get('currency_name')).toMatchObject({ reqd: 1, unique: 1 })
  })
})
