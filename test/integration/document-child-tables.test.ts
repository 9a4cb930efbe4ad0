import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { getDocument, insertDocument, saveDocument } from '../../src/model/index.js'
import { basicAuth, runAs, type TestBench } from '../helpers/bench.js'
import { insertCustomer, lifecycleBench, newOrder } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site
let server: RunningServer
let customer: string

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
  customer = String((await runAs(site, () => insertCustomer())).name)
  server = await bench.startServer()
})
afterAll(async () => {
  await bench.close()
})

interface StoredItem {
  name: string
  parent: string
  parenttype: string
  parentfield: string
  idx: number
  item_name: string
  creation: string
}

function storedItems(parent: string): Promise<StoredItem[]> {
  return runAs(site, async () => {
    const rows = await database()
      .selectFrom('tabLT Order Item')
      .select(['name', 'parent', 'parenttype', 'parentfield', 'idx', 'item_name', 'creation'])
      .where('parent', '=', parent)
      .orderBy('idx')
      .execute()
    return rows as unknown as StoredItem[]
  })
}

async function orderWithItems(...items: string[]): Promise<{ name: string; rows: StoredItem[] }> {
  const doc = await runAs(site, () =>
    insertDocument(
      newOrder(customer, { items: items.map((item_name) => ({ item_name, qty: 1 })) }),
    ),
  )
  const name = String(doc.name)
  return { name, rows: await storedItems(name) }
}

describe('child rows on insert', () => {
  it('sets parent, parenttype, parentfield and idx, and names every row', async () => {
    const doc = await runAs(site, () =>
      insertDocument(
        newOrder(customer, { items: [{ item_name: 'A' }, { item_name: 'B' }, { item_name: 'C' }] }),
      ),
    )
    const rows = doc.getTable('items')
    expect(
      rows.map((row) => [
        row.get('parent'),
        row.get('parenttype'),
        row.get('parentfield'),
        row.get('idx'),
      ]),
    ).toEqual([
      [doc.name, 'LT Order', 'items', 1],
      [doc.name, 'LT Order', 'items', 2],
      [doc.name, 'LT Order', 'items', 3],
    ])
    for (const row of rows) expect(row.name).toMatch(/^[0-9a-v]{10}$/)
    const stored = await storedItems(String(doc.name))
    expect(
      stored.map(({ name, parent, parenttype, parentfield, idx, item_name }) => ({
        name,
        parent,
        parenttype,
        parentfield,
        idx,
        item_name,
      })),
    ).toEqual(
      rows.map((row, index) => ({
        name: row.name,
        parent: doc.name,
        parenttype: 'LT Order',
        parentfield: 'items',
        idx: index + 1,
        item_name: ['A', 'B', 'C'][index],
      })),
    )
  })

  it('names rows afresh even when the client supplies names', async () => {
    const doc = await runAs(site, () =>
      insertDocument(newOrder(customer, { items: [{ name: 'copied-row', item_name: 'A' }] })),
    )
    expect(doc.getTable('items')[0]?.name).toMatch(/^[0-9a-v]{10}$/)
  })
})

describe('child rows on save', () => {
  it('deletes rows dropped from the document and renumbers the rest, keeping their names', async () => {
    const { name, rows } = await orderWithItems('A', 'B', 'C', 'D')
    await runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.set(
        'items',
        doc.getTable('items').filter((row) => ['A', 'C'].includes(String(row.get('item_name')))),
      )
      await saveDocument(doc)
    })
    const after = await storedItems(name)
    expect(after.map((row) => [row.name, row.idx, row.item_name])).toEqual([
      [rows[0]?.name, 1, 'A'],
      [rows[2]?.name, 2, 'C'],
    ])
  })

  it('keeps the names and creation of rows re-sent as plain values, and appends new rows at the end', async () => {
    const { name, rows } = await orderWithItems('A', 'B')
    await runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.update({
        items: [
          { name: rows[1]?.name, item_name: 'B changed', qty: 5 },
          { name: rows[0]?.name, item_name: 'A', qty: 1 },
          { item_name: 'New', qty: 1 },
        ],
      })
      await saveDocument(doc)
    })
    const after = await storedItems(name)
    expect(after.map((row) => [row.name, row.idx, row.item_name])).toEqual([
      [rows[1]?.name, 1, 'B changed'],
      [rows[0]?.name, 2, 'A'],
      [expect.stringMatching(/^[0-9a-v]{10}$/), 3, 'New'],
    ])
    expect(after[0]?.creation).toBe(rows[1]?.creation)
    expect(after[1]?.creation).toBe(rows[0]?.creation)
    expect([rows[0]?.name, rows[1]?.name]).not.toContain(after[2]?.name)
  })

  it('keeps row names across PUT /api/resource/:doctype/:name', async () => {
    const { name, rows } = await orderWithItems('A', 'B', 'C')
    const response = await fetch(
      `${server.url}/api/resource/LT Order/${encodeURIComponent(name)}`,
      {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/json',
          Authorization: basicAuth('Administrator', 'admin'),
          'X-Frappe-Site-Name': site.name,
        },
        body: JSON.stringify({
          items: [
            { name: rows[2]?.name, item_name: 'C' },
            { name: rows[0]?.name, item_name: 'A' },
            { item_name: 'D' },
          ],
        }),
      },
    )
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      data: { items: Array<{ name: string; idx: number; item_name: string }> }
    }
    expect(body.data.items.map((row) => [row.name, row.idx, row.item_name])).toEqual([
      [rows[2]?.name, 1, 'C'],
      [rows[0]?.name, 2, 'A'],
      [expect.stringMatching(/^[0-9a-v]{10}$/), 3, 'D'],
    ])
    const after = await storedItems(name)
    expect(after.map((row) => row.name)).toEqual(body.data.items.map((row) => row.name))
    expect(after.map((row) => row.name)).not.toContain(rows[1]?.name)
  })
})
