import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import {
  DocstatusTransitionError,
  LinkExistsError,
  UpdateAfterSubmitError,
  ValidationError,
} from '../../src/errors/index.js'
import {
  cancelDocument,
  deleteDocument,
  getDocument,
  insertDocument,
  newDocument,
  saveDocument,
  submitDocument,
  type DocValues,
  type Document,
} from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { fresh, insertCustomer, lifecycleBench, newOrder } from '../helpers/lifecycle-app.js'

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

async function storedOrder(docstatus = 0, values: DocValues = {}): Promise<string> {
  return runAs(site, async () =>
    String((await insertDocument(newOrder(customer, { docstatus, ...values }))).name),
  )
}

/** Saves the stored document after `change`, in its own unit of work. */
function saveWith(
  doctype: string,
  name: string,
  change: (doc: Document) => void,
): Promise<Document> {
  return runAs(site, async () => {
    const doc = await getDocument(doctype, name)
    change(doc)
    return saveDocument(doc)
  })
}

function storedRow(doctype: string, name: string) {
  return runAs(site, () =>
    database().selectFrom(`tab${doctype}`).selectAll().where('name', '=', name).executeTakeFirst(),
  )
}

function childRowCount(parent: string) {
  return runAs(site, async () => {
    const rows = await database()
      .selectFrom('tabLT Order Item')
      .select('name')
      .where('parent', '=', parent)
      .execute()
    return rows.length
  })
}

describe('docstatus transitions', () => {
  it('refuses 0 → 2 with DocstatusTransitionError', async () => {
    const name = await storedOrder()
    const attempt = runAs(site, async () => cancelDocument(await getDocument('LT Order', name)))
    await expect(attempt).rejects.toThrow(DocstatusTransitionError)
    await expect(attempt).rejects.toThrow('Cannot change docstatus from 0 (Draft) to 2 (Cancelled)')
    expect((await storedRow('LT Order', name))?.docstatus).toBe(0)
  })

  it('refuses 1 → 0 with DocstatusTransitionError', async () => {
    const name = await storedOrder(1)
    const attempt = saveWith('LT Order', name, (doc) => doc.set('docstatus', 0))
    await expect(attempt).rejects.toThrow(DocstatusTransitionError)
    await expect(attempt).rejects.toThrow('Cannot change docstatus from 1 (Submitted) to 0 (Draft)')
    expect((await storedRow('LT Order', name))?.docstatus).toBe(1)
  })

  it.each([0, 1, 2])('refuses any change to a cancelled document (→ %i)', async (next) => {
    const name = await storedOrder(1)
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', name)))
    const attempt = saveWith('LT Order', name, (doc) => {
      doc.set('docstatus', next)
      doc.set('remarks', 'after cancel')
    })
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('Cannot edit cancelled document')
    const row = await storedRow('LT Order', name)
    expect(row?.docstatus).toBe(2)
    expect(row?.remarks).toBeNull()
  })

  it('refuses docstatus 1 on a DocType that is not submittable', async () => {
    const customerName = fresh('Unsubmittable')
    const attempt = runAs(site, () =>
      insertDocument(newDocument('LT Customer', { customer_name: customerName, docstatus: 1 })),
    )
    await expect(attempt).rejects.toThrow(ValidationError)
    expect(await storedRow('LT Customer', customerName)).toBeUndefined()
  })

  it('submits a draft and cancels a submitted document', async () => {
    const name = await storedOrder()
    await runAs(site, async () => submitDocument(await getDocument('LT Order', name)))
    expect((await storedRow('LT Order', name))?.docstatus).toBe(1)
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', name)))
    expect((await storedRow('LT Order', name))?.docstatus).toBe(2)
    const rows = await runAs(site, () =>
      database()
        .selectFrom('tabLT Order Item')
        .select('docstatus')
        .where('parent', '=', name)
        .execute(),
    )
    expect(rows.map((row) => row.docstatus)).toEqual([2, 2]) // child rows share the parent's docstatus
  })
})

describe('update after submit', () => {
  it('saves a change to an allow_on_submit field, in the parent and in a row', async () => {
    const name = await storedOrder(1)
    const saved = await saveWith('LT Order', name, (doc) => {
      doc.set('remarks', 'delivered late')
      doc.getTable('items')[0]?.set('delivered', 1)
    })
    expect(saved.docstatus).toBe(1)
    expect((await storedRow('LT Order', name))?.remarks).toBe('delivered late')
    const rows = await runAs(site, () =>
      database()
        .selectFrom('tabLT Order Item')
        .select(['idx', 'delivered'])
        .where('parent', '=', name)
        .orderBy('idx')
        .execute(),
    )
    expect(rows).toEqual([
      { idx: 1, delivered: 1 },
      { idx: 2, delivered: 0 },
    ])
  })

  it('refuses a change to a field without allow_on_submit with UpdateAfterSubmitError', async () => {
    const name = await storedOrder(1, { reference: 'original' })
    const attempt = saveWith('LT Order', name, (doc) => doc.set('reference', 'changed'))
    await expect(attempt).rejects.toThrow(UpdateAfterSubmitError)
    await expect(attempt).rejects.toThrow('Reference')
    expect((await storedRow('LT Order', name))?.reference).toBe('original')
  })

  it('refuses changed or added rows of a table without allow_on_submit', async () => {
    const name = await storedOrder(1)
    const renamedItem = runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.getTable('items')[0]?.set('item_name', 'Changed')
      return saveDocument(doc)
    })
    await expect(renamedItem).rejects.toThrow(UpdateAfterSubmitError)
    const addedRow = runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.append('items', { item_name: 'Extra', qty: 1 })
      return saveDocument(doc)
    })
    await expect(addedRow).rejects.toThrow(UpdateAfterSubmitError)
    expect(await childRowCount(name)).toBe(2)
  })
})

describe('amendment', () => {
  it('names amendments <orig>-1, then -2 when the amendment is amended', async () => {
    const original = await storedOrder(1)
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', original)))
    const first = await runAs(site, async () =>
      insertDocument(newOrder(customer, { amended_from: original })),
    )
    expect(first.name).toBe(`${original}-1`)
    expect(first.get('amended_from')).toBe(original)
    await runAs(site, async () => {
      await submitDocument(await getDocument('LT Order', `${original}-1`))
      await cancelDocument(await getDocument('LT Order', `${original}-1`))
    })
    const second = await runAs(site, async () =>
      insertDocument(newOrder(customer, { amended_from: `${original}-1` })),
    )
    expect(second.name).toBe(`${original}-2`)
  })

  it('refuses to amend a document that is not cancelled', async () => {
    const draft = await storedOrder(0)
    const submitted = await storedOrder(1)
    for (const original of [draft, submitted]) {
      const attempt = runAs(site, async () =>
        insertDocument(newOrder(customer, { amended_from: original })),
      )
      await expect(attempt).rejects.toThrow(ValidationError)
      expect(await storedRow('LT Order', `${original}-1`)).toBeUndefined()
    }
  })
})

describe('cancelDocument and links', () => {
  it('refuses to cancel while a submitted document links to it (LinkExistsError)', async () => {
    const order = await storedOrder(1)
    const delivery = await runAs(site, async () =>
      String((await insertDocument(newDocument('LT Delivery', { order, docstatus: 1 }))).name),
    )
    const attempt = runAs(site, async () => cancelDocument(await getDocument('LT Order', order)))
    await expect(attempt).rejects.toThrow(LinkExistsError)
    await expect(attempt).rejects.toThrow(`LT Delivery ${delivery}`)
    expect((await storedRow('LT Order', order))?.docstatus).toBe(1)

    await runAs(site, async () => cancelDocument(await getDocument('LT Delivery', delivery)))
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', order)))
    expect((await storedRow('LT Order', order))?.docstatus).toBe(2)
  })

  it('cancels although a draft links to it', async () => {
    const order = await storedOrder(1)
    await runAs(site, () => insertDocument(newDocument('LT Delivery', { order })))
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', order)))
    expect((await storedRow('LT Order', order))?.docstatus).toBe(2)
  })
})

describe('deleteDocument', () => {
  it('refuses to delete a submitted document', async () => {
    const name = await storedOrder(1)
    const attempt = runAs(site, () => deleteDocument('LT Order', name))
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('Submitted Record cannot be deleted')
    expect(await storedRow('LT Order', name)).toBeDefined()
  })

  it('deletes a cancelled document with its child rows', async () => {
    const name = await storedOrder(1)
    await runAs(site, async () => cancelDocument(await getDocument('LT Order', name)))
    await runAs(site, () => deleteDocument('LT Order', name))
    expect(await storedRow('LT Order', name)).toBeUndefined()
    expect(await childRowCount(name)).toBe(0)
  })

  it('refuses to delete a document that others link to, also from child rows, unless forced', async () => {
    const linkedFromParent = String((await runAs(site, () => insertCustomer())).name)
    const parentOrder = await storedOrder(0, { customer: linkedFromParent })
    const parentAttempt = runAs(site, () => deleteDocument('LT Customer', linkedFromParent))
    await expect(parentAttempt).rejects.toThrow(LinkExistsError)
    await expect(parentAttempt).rejects.toThrow(
      `is linked with LT Order ${parentOrder}. Consider disabling it instead.`,
    )

    const linkedFromRow = String((await runAs(site, () => insertCustomer())).name)
    const rowOrder = await storedOrder(0, {
      items: [{ item_name: 'Bolt', qty: 1, supplier: linkedFromRow }],
    })
    const rowAttempt = runAs(site, () => deleteDocument('LT Customer', linkedFromRow))
    await expect(rowAttempt).rejects.toThrow(LinkExistsError)
    await expect(rowAttempt).rejects.toThrow(`LT Order ${rowOrder}`)
    expect(await storedRow('LT Customer', linkedFromRow)).toBeDefined()

    await runAs(site, () => deleteDocument('LT Customer', linkedFromRow, { force: true }))
    expect(await storedRow('LT Customer', linkedFromRow)).toBeUndefined()
  })
})

function countRows(doctype: string) {
  return runAs(
    site,
    async () => (await database().selectFrom(`tab${doctype}`).select('name').execute()).length,
  )
}

describe('a throwing hook', () => {
  it.each(['before_insert', 'validate', 'before_save', 'after_insert', 'on_update', 'on_change'])(
    'leaves no row and no child rows when %s throws, even when the unit of work catches it and commits',
    async (hook) => {
      const [orders, items] = [await countRows('LT Order'), await countRows('LT Order Item')]
      const { failed, committed } = await runAs(site, async () => {
        const doc = newOrder(customer)
        doc.flags.failIn = hook
        await expect(insertDocument(doc)).rejects.toThrow(`${hook} failed on purpose`)
        const other = await insertCustomer() // the unit of work goes on and commits
        return { failed: doc.name, committed: String(other.name) }
      })
      expect(await storedRow('LT Customer', committed)).toBeDefined()
      expect([await countRows('LT Order'), await countRows('LT Order Item')]).toEqual([
        orders,
        items,
      ])
      if (hook === 'before_insert') return // thrown before naming
      expect(failed).toMatch(/^LTO-\d{4}-\d{5}$/)
      expect(await childRowCount(String(failed))).toBe(0)
      // The series counter went back with the rest, so the next order takes the same number.
      expect(await storedOrder()).toBe(failed)
    },
  )

  it('leaves a submitted document as it was when on_cancel throws', async () => {
    const name = await storedOrder(1)
    await runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.flags.failIn = 'on_cancel'
      await expect(cancelDocument(doc)).rejects.toThrow('on_cancel failed on purpose')
    })
    expect((await storedRow('LT Order', name))?.docstatus).toBe(1)
  })

  it.each(['on_trash', 'after_delete'])(
    'keeps the document and its rows when %s throws',
    async (hook) => {
      const name = await storedOrder()
      await runAs(
        site,
        async () => {
          await expect(deleteDocument('LT Order', name)).rejects.toThrow(
            `${hook} failed on purpose`,
          )
        },
        { flags: { failIn: hook } },
      )
      expect(await storedRow('LT Order', name)).toBeDefined()
      expect(await childRowCount(name)).toBe(2)
    },
  )
})
