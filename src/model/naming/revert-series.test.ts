import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Document, type DocValues } from '../document.js'
import type { Executor } from '../../db/index.js'
import { createTestSite, type TestSite } from './naming-test-site.js'
import { revertSeries } from './revert-series.js'
import { currentSeriesValue } from './series-counter.js'
import { setNewName } from './set-new-name.js'

const NOW = new Date(2025, 5, 15, 12, 0, 0)

let site: TestSite
beforeAll(async () => {
  site = await createTestSite()
})
afterAll(async () => {
  await site.close()
})

async function named(tx: Executor, doctype: string, values: DocValues = {}): Promise<Document> {
  const doc = new Document(site.registry.get(doctype), { creation: '2025-06-15 12:00:00.000000', ...values })
  await setNewName(doc, tx, { now: NOW })
  return doc
}

describe('revertSeries', () => {
  it('steps a naming series back only for the document holding the last number', async () => {
    await site.rollback(async (tx) => {
      const first = await named(tx, 'Naming Series Order')
      const second = await named(tx, 'Naming Series Order')
      await revertSeries(first, tx)
      expect(await currentSeriesValue(tx, 'ORD-2025-')).toBe(2)
      await revertSeries(second, tx)
      expect(await currentSeriesValue(tx, 'ORD-2025-')).toBe(1)
      expect((await named(tx, 'Naming Series Order')).name).toBe('ORD-2025-0002')
    })
  })

  it('uses the creation date for date parts, not the day of deletion', async () => {
    await site.rollback(async (tx) => {
      const doc = await named(tx, 'Naming Series Order')
      await revertSeries(doc, tx, { now: new Date(2031, 0, 1) })
      expect(await currentSeriesValue(tx, 'ORD-2025-')).toBe(0)
    })
  })

  it('reverts format and old-style autonames', async () => {
    await site.rollback(async (tx) => {
      const invoice = await named(tx, 'Naming Format Invoice', { customer: 'ACME' })
      await revertSeries(invoice, tx)
      expect(await currentSeriesValue(tx, 'INV-2025-ACME-')).toBe(0)
      const old = await named(tx, 'Naming Old Style', { customer: 'ACME' })
      await revertSeries(old, tx)
      expect(await currentSeriesValue(tx, 'PRE-25-06-ACME-')).toBe(0)
    })
  })

  it('leaves the counter alone for amendments and names not from a series', async () => {
    await site.rollback(async (tx) => {
      await named(tx, 'Naming Amendable')
      const amendment = new Document(site.registry.get('Naming Amendable'), { name: 'AMD-00001-1' })
      await revertSeries(amendment, tx)
      expect(await currentSeriesValue(tx, 'AMD-')).toBe(1)
      const hashed = await named(tx, 'Naming Hash Note')
      await revertSeries(hashed, tx)
      const series = await tx.selectFrom('tabSeries').select('name').execute()
      expect(series.map((row) => row.name)).toEqual(['AMD-'])
    })
  })
})
