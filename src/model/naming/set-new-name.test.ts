import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuplicateEntryError, NameError, ValidationError } from '../../errors/index.js'
import { tableName } from '../../meta/index.js'
import type { Executor } from '../../db/index.js'
import { Document, type DocValues, type DocumentFactory } from '../document.js'
import { uniqueHashName } from './hash-name.js'
import { createTestSite, type TestSite } from './naming-test-site.js'
import { currentSeriesValue } from './series-counter.js'
import { setChildNames, setNewName } from './set-new-name.js'

const NOW = new Date(2025, 5, 15, 12, 0, 0)

let site: TestSite
beforeAll(async () => {
  site = await createTestSite()
})
afterAll(async () => {
  await site.close()
})

const factory: DocumentFactory = {
  metaOf: (doctype) => site.registry.get(doctype),
  create: (meta, values) => new Document(meta, values, factory),
}

function newDoc(doctype: string, values: DocValues = {}): Document {
  return factory.create(site.registry.get(doctype), values)
}

async function named(tx: Executor, doctype: string, values: DocValues = {}): Promise<Document> {
  const doc = newDoc(doctype, values)
  await setNewName(doc, tx, { now: NOW })
  return doc
}

async function store(tx: Executor, doc: Document, extra: DocValues = {}): Promise<void> {
  await tx.insertInto(tableName(doc.doctype)).values({ name: doc.get('name'), ...extra }).execute()
}

describe('setNewName', () => {
  it('gives hash DocTypes 10 characters from [0-9a-v] and drops a supplied name', async () => {
    await site.rollback(async (tx) => {
      const doc = await named(tx, 'Naming Hash Note', { name: 'mine' })
      expect(doc.name).toMatch(/^[0-9a-v]{10}$/)
    })
  })

  it('retries a hash that is taken, then gives up with DuplicateEntryError', async () => {
    await site.rollback(async (tx) => {
      const meta = site.registry.get('Naming Hash Note')
      await tx.insertInto(tableName(meta.name)).values({ name: 'taken00000' }).execute()
      const candidates = ['taken00000', 'taken00000', 'free000000']
      expect(await uniqueHashName(tx, meta, () => candidates.shift() ?? '')).toBe('free000000')
      await expect(uniqueHashName(tx, meta, () => 'taken00000')).rejects.toThrow(DuplicateEntryError)
    })
  })

  it('names by field, trimmed, and requires the field', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Field Note', { title: '  Hello  ' })).name).toBe('Hello')
      await expect(named(tx, 'Naming Field Note', { title: ' ' })).rejects.toThrow(
        new ValidationError('Title is required'),
      )
    })
  })

  it("uses the doc's naming series, else the first non-empty option", async () => {
    await site.rollback(async (tx) => {
      const first = await named(tx, 'Naming Series Order')
      expect(first.name).toBe('ORD-2025-0001')
      expect(first.get('naming_series')).toBe('ORD-.YYYY.-.####')
      expect((await named(tx, 'Naming Series Order')).name).toBe('ORD-2025-0002')
      expect((await named(tx, 'Naming Series Order', { naming_series: 'ALT-' })).name).toBe('ALT-00001')
      expect(await currentSeriesValue(tx, 'ORD-2025-')).toBe(2)
    })
  })

  it('rejects an invalid naming series', async () => {
    await site.rollback(async (tx) => {
      const bad = named(tx, 'Naming Series Order', { naming_series: 'BAD$-' })
      await expect(bad).rejects.toThrow(/Special Characters/)
    })
  })

  it('fills a format expression, with a counter per prefix', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Format Invoice', { customer: 'ACME' })).name).toBe('INV-2025-ACME-0001')
      expect((await named(tx, 'Naming Format Invoice', { customer: 'ACME' })).name).toBe('INV-2025-ACME-0002')
      expect((await named(tx, 'Naming Format Invoice', { customer: 'Beta' })).name).toBe('INV-2025-Beta-0001')
    })
  })

  it('fills an old-style autoname with dates and a field', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Old Style', { customer: 'ACME' })).name).toBe('PRE-25-06-ACME-001')
    })
  })

  it('keeps the name a Prompt DocType is given, preferring __newname', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Prompt Note', { name: ' Typed ' })).name).toBe('Typed')
      const fromDesk = await named(tx, 'Naming Prompt Note', { name: 'x', __newname: 'From desk' })
      expect(fromDesk.name).toBe('From desk')
      await expect(named(tx, 'Naming Prompt Note')).rejects.toThrow(
        new ValidationError('Please set the document name'),
      )
      await expect(named(tx, 'Naming Prompt Note', { name: 'a<b' })).rejects.toThrow(NameError)
    })
  })

  it('numbers autoincrement DocTypes from a durable counter', async () => {
    await site.rollback(async (tx) => {
      const first = await named(tx, 'Naming Counter Log', { name: 'ignored' })
      const second = await named(tx, 'Naming Counter Log')
      expect([first.get('name'), second.get('name')]).toEqual([1, 2])
      expect(second.name).toBe('2')
    })
  })

  it('names a Single after its DocType', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Settings', { name: 'other' })).name).toBe('Naming Settings')
    })
  })

  it("keeps the name the controller's autoname() sets, else falls back to a hash", async () => {
    class ScriptNote extends Document {
      override async autoname(): Promise<void> {
        if (this.get('title')) this.name = `SCR-${String(this.get('title'))}`
      }
    }
    await site.rollback(async (tx) => {
      const meta = site.registry.get('Naming Script Note')
      const scripted = new ScriptNote(meta, { title: 'one' })
      await setNewName(scripted, tx)
      expect(scripted.name).toBe('SCR-one')
      const plain = new ScriptNote(meta, {})
      await setNewName(plain, tx)
      expect(plain.name).toMatch(/^[0-9a-v]{10}$/)
    })
  })

  it('names amendments <orig>-1, -2, … after the names already stored', async () => {
    await site.rollback(async (tx) => {
      const original = await named(tx, 'Naming Amendable')
      expect(original.name).toBe('AMD-00001')
      await store(tx, original)
      const first = await named(tx, 'Naming Amendable', { amended_from: 'AMD-00001' })
      expect(first.name).toBe('AMD-00001-1')
      await store(tx, first, { amended_from: 'AMD-00001' })
      const second = await named(tx, 'Naming Amendable', { amended_from: 'AMD-00001-1' })
      expect(second.name).toBe('AMD-00001-2')
      await store(tx, second, { amended_from: 'AMD-00001-1' })
      // Amending an older version again still takes the next free number.
      expect((await named(tx, 'Naming Amendable', { amended_from: 'AMD-00001' })).name).toBe('AMD-00001-3')
      expect(await currentSeriesValue(tx, 'AMD-')).toBe(1)
    })
  })

  it('keeps the last part of an original that is not an amendment', async () => {
    await site.rollback(async (tx) => {
      await tx.insertInto('tabNaming Amendable').values({ name: 'LEGACY-7' }).execute()
      expect((await named(tx, 'Naming Amendable', { amended_from: 'LEGACY-7' })).name).toBe('LEGACY-7-1')
    })
  })

  it('gives child rows fresh hash names on insert and names only new rows on save', async () => {
    await site.rollback(async (tx) => {
      const rows = [{ title: 'a' }, { name: 'copied', title: 'b' }]
      const parent = await named(tx, 'Naming Parent', { rows })
      const names = parent.getTable('rows').map((row) => row.name)
      expect(names).toHaveLength(2)
      for (const name of names) expect(name).toMatch(/^[0-9a-v]{10}$/)

      parent.append('rows', { title: 'c' })
      setChildNames(parent)
      const after = parent.getTable('rows').map((row) => row.name)
      expect(after.slice(0, 2)).toEqual(names)
      expect(after[2]).toMatch(/^[0-9a-v]{10}$/)
    })
  })

  it('names a child row on its own only when it has no name', async () => {
    await site.rollback(async (tx) => {
      expect((await named(tx, 'Naming Child Row', { name: 'kept' })).name).toBe('kept')
      expect((await named(tx, 'Naming Child Row')).name).toMatch(/^[0-9a-v]{10}$/)
    })
  })
})
