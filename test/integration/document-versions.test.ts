import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import {
  getDocument,
  insertDocument,
  newDocument,
  saveDocument,
  type Document,
} from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { insertCustomer, lifecycleBench, newOrder } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site
let customer: string

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
  customer = String((await runAs(site, () => insertCustomer())).name)
})
afterAll(async () => {
  await bench.close()
})

interface VersionData {
  changed: Array<[string, unknown, unknown]>
  added: Array<[string, Record<string, unknown>]>
  removed: Array<[string, Record<string, unknown>]>
  row_changed: Array<[string, number, string, Array<[string, unknown, unknown]>]>
}

async function versionsOf(
  doctype: string,
  name: string,
): Promise<Array<{ owner: unknown; data: VersionData }>> {
  const rows = await runAs(site, () =>
    database()
      .selectFrom('tabVersion')
      .select(['owner', 'data', 'creation'])
      .where('ref_doctype', '=', doctype)
      .where('docname', '=', name)
      .orderBy('creation')
      .execute(),
  )
  return rows.map((row) => ({
    owner: row.owner,
    data: JSON.parse(String(row.data)) as VersionData,
  }))
}

function edit(doctype: string, name: string, change: (doc: Document) => void): Promise<Document> {
  return runAs(site, async () => {
    const doc = await getDocument(doctype, name)
    change(doc)
    return saveDocument(doc)
  })
}

describe('Version records (track_changes)', () => {
  it('records no Version on insert', async () => {
    const order = await runAs(site, () => insertDocument(newOrder(customer)))
    expect(await versionsOf('LT Order', String(order.name))).toEqual([])
  })

  it('records the changed fields as [field, old, new] after a save', async () => {
    const order = await runAs(site, () => insertDocument(newOrder(customer, { reference: 'R-1' })))
    const name = String(order.name)
    await edit('LT Order', name, (doc) => {
      doc.set('reference', 'R-2')
      doc.set('remarks', 'first remark')
    })
    const versions = await versionsOf('LT Order', name)
    expect(versions).toHaveLength(1)
    expect(versions[0]?.owner).toBe('Administrator')
    expect(versions[0]?.data).toEqual({
      changed: [
        ['reference', 'R-1', 'R-2'],
        ['remarks', null, 'first remark'],
      ],
      added: [],
      removed: [],
      row_changed: [],
    })
  })

  it('records rows added, removed and changed', async () => {
    const order = await runAs(site, () => insertDocument(newOrder(customer)))
    const name = String(order.name)
    const [widget, gadget] = order.getTable('items')
    await edit('LT Order', name, (doc) => {
      const kept = doc.getTable('items').filter((row) => row.name === widget?.name)
      kept[0]?.set('qty', 7)
      doc.set('items', kept)
      doc.append('items', { item_name: 'Sprocket', qty: 3 })
    })
    const [version] = await versionsOf('LT Order', name)
    expect(version?.data.changed).toEqual([])
    expect(version?.data.row_changed).toEqual([['items', 1, widget?.name, [['qty', 2, 7]]]])
    expect(version?.data.added).toHaveLength(1)
    expect(version?.data.added[0]?.[0]).toBe('items')
    expect(version?.data.added[0]?.[1]).toMatchObject({
      item_name: 'Sprocket',
      qty: 3,
      idx: 2,
      parent: name,
      parentfield: 'items',
    })
    expect(version?.data.removed).toHaveLength(1)
    expect(version?.data.removed[0]?.[0]).toBe('items')
    expect(version?.data.removed[0]?.[1]).toMatchObject({
      name: gadget?.name,
      item_name: 'Gadget',
      qty: 1,
    })
  })

  it('records one Version per save, and none for a save that changes nothing', async () => {
    const order = await runAs(site, () => insertDocument(newOrder(customer)))
    const name = String(order.name)
    await edit('LT Order', name, (doc) => doc.set('reference', 'A'))
    await edit('LT Order', name, () => {})
    await edit('LT Order', name, (doc) => doc.set('reference', 'B'))
    const versions = await versionsOf('LT Order', name)
    expect(versions.map((version) => version.data.changed)).toEqual([
      [['reference', null, 'A']],
      [['reference', 'A', 'B']],
    ])
  })

  it('records nothing for a DocType without track_changes', async () => {
    const doc = await runAs(site, () =>
      insertDocument(newDocument('LT Field Types', { title: 'one' })),
    )
    await edit('LT Field Types', String(doc.name), (stored) => stored.set('title', 'two'))
    expect(await versionsOf('LT Field Types', String(doc.name))).toEqual([])
  })
})
