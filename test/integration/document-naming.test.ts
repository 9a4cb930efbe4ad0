import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { ValidationError } from '../../src/errors/index.js'
import {
  deleteDocument,
  insertDocument,
  newDocument,
  type DocValues,
} from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { fresh, lifecycleBench } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site
const YEAR = new Date().getFullYear()

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
})
afterAll(async () => {
  await bench.close()
})

async function insertNamed(doctype: string, values: DocValues = {}): Promise<string> {
  const doc = await runAs(site, () => insertDocument(newDocument(doctype, values)))
  return String(doc.name)
}

function seriesCounter(key: string): Promise<unknown> {
  return runAs(
    site,
    async () =>
      (
        await database()
          .selectFrom('tabSeries')
          .select('current')
          .where('name', '=', key)
          .executeTakeFirst()
      )?.current,
  )
}

function counterOf(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1])
}

describe('insertDocument naming (spec 8)', () => {
  it('gives hash DocTypes 10 characters from [0-9a-v], ignoring a supplied name', async () => {
    const name = await insertNamed('LT Hash Note', { name: 'my-own-name' })
    expect(name).toMatch(/^[0-9a-v]{10}$/)
  })

  it('names field: DocTypes by the trimmed field value, and requires it', async () => {
    const customer = fresh('Field Named')
    expect(await insertNamed('LT Customer', { customer_name: `  ${customer}  ` })).toBe(customer)
    const attempt = insertNamed('LT Customer', { customer_name: '   ' })
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('Customer Name is required')
  })

  it('names by the default naming series with .YYYY. and .#####, counting in tabSeries', async () => {
    const first = await insertNamed('LT Series Note')
    const second = await insertNamed('LT Series Note')
    expect(first).toMatch(new RegExp(`^LTS-${YEAR}-\\d{5}$`))
    expect(counterOf(second)).toBe(counterOf(first) + 1)
    expect(await seriesCounter(`LTS-${YEAR}-`)).toBe(counterOf(second))
    const stored = await runAs(site, () =>
      database()
        .selectFrom('tabLT Series Note')
        .select('naming_series')
        .where('name', '=', first)
        .executeTakeFirstOrThrow(),
    )
    expect(stored.naming_series).toBe('LTS-.YYYY.-.#####')
  })

  it('steps the counter back when the latest document of a series is deleted', async () => {
    const latest = await insertNamed('LT Series Note')
    await runAs(site, () => deleteDocument('LT Series Note', latest))
    expect(await insertNamed('LT Series Note')).toBe(latest)
  })

  it('names by a format: expression, with a counter per prefix', async () => {
    const acme1 = await insertNamed('LT Format Note', { customer: 'ACME' })
    const acme2 = await insertNamed('LT Format Note', { customer: 'ACME' })
    const beta1 = await insertNamed('LT Format Note', { customer: 'BETA' })
    expect([acme1, acme2, beta1]).toEqual([
      `LTF-${YEAR}-ACME-0001`,
      `LTF-${YEAR}-ACME-0002`,
      `LTF-${YEAR}-BETA-0001`,
    ])
  })

  it('keeps the name the client gives a Prompt DocType, also as __newname', async () => {
    const name = fresh('Prompted')
    expect(await insertNamed('LT Prompt Note', { name })).toBe(name)
    const newname = fresh('New Named')
    expect(await insertNamed('LT Prompt Note', { __newname: newname })).toBe(newname)
  })

  it('refuses a Prompt DocType without a name', async () => {
    const attempt = insertNamed('LT Prompt Note', { title: 'nameless' })
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('Please set the document name')
  })

  it('numbers autoincrement DocTypes 1, 2, … and stores the number', async () => {
    const first = await runAs(site, () =>
      insertDocument(newDocument('LT Counter Log', { title: 'one' })),
    )
    const second = await runAs(site, () =>
      insertDocument(newDocument('LT Counter Log', { title: 'two' })),
    )
    expect(typeof first.get('name')).toBe('number')
    expect(Number(second.get('name'))).toBe(Number(first.get('name')) + 1)
    const rows = await runAs(site, () =>
      database()
        .selectFrom('tabLT Counter Log')
        .select(['name', 'title'])
        .orderBy('name')
        .execute(),
    )
    expect(rows.slice(-2)).toEqual([
      { name: first.get('name'), title: 'one' },
      { name: second.get('name'), title: 'two' },
    ])
  })

  it('gives 1,000 concurrent inserts, each in its own unit of work, 1,000 distinct consecutive names', async () => {
    const names = await Promise.all(
      Array.from({ length: 1000 }, () =>
        insertNamed('LT Series Note', { naming_series: 'LTC-.#####' }),
      ),
    )
    expect(new Set(names).size).toBe(1000)
    for (const name of names) expect(name).toMatch(/^LTC-\d{5}$/)
    const numbers = names.map(counterOf).sort((a, b) => a - b)
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, index) => (numbers[0] ?? 0) + index))
    expect(await seriesCounter('LTC-')).toBe(numbers[999])
    const stored = await runAs(site, () =>
      database()
        .selectFrom('tabLT Series Note')
        .select('name')
        .where('name', 'like', 'LTC-%')
        .execute(),
    )
    expect(stored).toHaveLength(1000)
  })
})
