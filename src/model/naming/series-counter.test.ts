import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tableName } from '../../meta/index.js'
import { Document } from '../document.js'
import { createTestSite, type TestSite } from './naming-test-site.js'
import { currentSeriesValue, nextSeriesValue } from './series-counter.js'
import { setNewName } from './set-new-name.js'

let site: TestSite
beforeAll(async () => {
  site = await createTestSite()
})
afterAll(async () => {
  await site.close()
})

describe('nextSeriesValue', () => {
  it('creates a counter at 1 and increments it', async () => {
    await site.rollback(async (tx) => {
      expect(await nextSeriesValue(tx, 'K-')).toBe(1)
      expect(await nextSeriesValue(tx, 'K-')).toBe(2)
      expect(await nextSeriesValue(tx, 'L-')).toBe(1)
      expect(await currentSeriesValue(tx, 'K-')).toBe(2)
    })
  })

  it('hands 1,000 concurrent inserts 1,000 distinct consecutive names', async () => {
    const meta = site.registry.get('Naming Series Order')
    const insertOne = async (): Promise<string> => {
      const tx = await site.database.beginWrite()
      try {
        const doc = new Document(meta, { naming_series: 'RACE-.#####' })
        await setNewName(doc, tx)
        await tx
          .insertInto(tableName(meta.name))
          .values({ name: doc.name, naming_series: 'RACE-.#####' })
          .execute()
        await tx.commit().execute()
        return doc.name ?? ''
      } catch (error) {
        await tx.rollback().execute()
        throw error
      }
    }
    const names = await Promise.all(Array.from({ length: 1000 }, insertOne))
    const expected = Array.from({ length: 1000 }, (_, index) => `RACE-${String(index + 1).padStart(5, '0')}`)
    expect(new Set(names).size).toBe(1000)
    expect([...names].sort()).toEqual(expected)
    const stored = await site.database.reader.selectFrom(tableName(meta.name)).select('name').execute()
    expect(stored.map((row) => row.name).sort()).toEqual(expected)
    expect(await currentSeriesValue(site.database.reader, 'RACE-')).toBe(1000)
  })
})
