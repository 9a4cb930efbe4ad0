import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { DoesNotExistError, DuplicateEntryError, ValidationError } from '../../src/errors/index.js'
import { getDocument, insertDocument, newDocument, renameDocument } from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { fresh, insertCustomer, lifecycleBench, newOrder } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
})
afterAll(async () => {
  await bench.close()
})

async function newCustomer(values: Record<string, unknown> = {}): Promise<string> {
  return String((await runAs(site, () => insertCustomer(values))).name)
}

/** A customer linked from an order (parent Link and child-row Link), a Field Types doc and a ToDo. */
async function linkedCustomer(): Promise<{
  customer: string
  order: string
  fields: string
  todo: string
}> {
  const customer = await newCustomer({ city: 'Oslo' })
  return runAs(site, async () => {
    const order = await insertDocument(
      newOrder(customer, { items: [{ item_name: 'A', supplier: customer }, { item_name: 'B' }] }),
    )
    const fields = await insertDocument(newDocument('LT Field Types', { customer }))
    const todo = await insertDocument(
      newDocument('ToDo', {
        description: 'call',
        reference_type: 'LT Customer',
        reference_name: customer,
      }),
    )
    return {
      customer,
      order: String(order.name),
      fields: String(fields.name),
      todo: String(todo.name),
    }
  })
}

function linksTo(ids: { order: string; fields: string; todo: string }) {
  return runAs(site, async () => {
    const db = database()
    const order = await db
      .selectFrom('tabLT Order')
      .select('customer')
      .where('name', '=', ids.order)
      .executeTakeFirstOrThrow()
    const rows = await db
      .selectFrom('tabLT Order Item')
      .select('supplier')
      .where('parent', '=', ids.order)
      .orderBy('idx')
      .execute()
    const fields = await db
      .selectFrom('tabLT Field Types')
      .select('customer')
      .where('name', '=', ids.fields)
      .executeTakeFirstOrThrow()
    const todo = await db
      .selectFrom('tabToDo')
      .select('reference_name')
      .where('name', '=', ids.todo)
      .executeTakeFirstOrThrow()
    return {
      order: order.customer,
      rows: rows.map((row) => row.supplier),
      fields: fields.customer,
      todo: todo.reference_name,
    }
  })
}

describe('renameDocument', () => {
  it('renames the row and rewrites every Link to it, in parents, child rows and Dynamic Links', async () => {
    const ids = await linkedCustomer()
    const renamed = fresh('Renamed Customer')
    const doc = await runAs(site, () => renameDocument('LT Customer', ids.customer, renamed))
    expect(doc.name).toBe(renamed)
    expect(doc.get('city')).toBe('Oslo')
    expect(await linksTo(ids)).toEqual({
      order: renamed,
      rows: [renamed, null],
      fields: renamed,
      todo: renamed,
    })
    await expect(runAs(site, () => getDocument('LT Customer', ids.customer))).rejects.toThrow(
      DoesNotExistError,
    )
  })

  it('moves the child rows along with their parent', async () => {
    const customer = await newCustomer()
    const order = await runAs(site, () => insertDocument(newOrder(customer)))
    const rowNames = order.getTable('items').map((row) => row.name)
    const renamed = `LTO-RENAMED-${Date.now()}`
    await runAs(site, () => renameDocument('LT Order', String(order.name), renamed))
    const doc = await runAs(site, () => getDocument('LT Order', renamed))
    expect(doc.getTable('items').map((row) => [row.name, row.get('parent')])).toEqual(
      rowNames.map((name) => [name, renamed]),
    )
    const left = await runAs(site, () =>
      database()
        .selectFrom('tabLT Order Item')
        .select('name')
        .where('parent', '=', String(order.name))
        .execute(),
    )
    expect(left).toEqual([])
  })

  it('refuses a DocType without allow_rename', async () => {
    const note = await runAs(site, () =>
      insertDocument(newDocument('LT Hash Note', { title: 'fixed' })),
    )
    const attempt = runAs(site, () =>
      renameDocument('LT Hash Note', String(note.name), 'another-name'),
    )
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('LT Hash Note not allowed to be renamed')
    expect(
      (await runAs(site, () => getDocument('LT Hash Note', String(note.name)))).get('title'),
    ).toBe('fixed')
  })

  it('refuses a new name that already exists, unless merging', async () => {
    const ids = await linkedCustomer()
    const existing = await newCustomer()
    const attempt = runAs(site, () => renameDocument('LT Customer', ids.customer, existing))
    await expect(attempt).rejects.toThrow(DuplicateEntryError)
    expect(await linksTo(ids)).toEqual({
      order: ids.customer,
      rows: [ids.customer, null],
      fields: ids.customer,
      todo: ids.customer,
    })
  })

  it('merges into an existing document: the old one goes and its links point at the target', async () => {
    const ids = await linkedCustomer()
    const target = await newCustomer({ city: 'Bergen' })
    const merged = await runAs(site, () =>
      renameDocument('LT Customer', ids.customer, target, { merge: true }),
    )
    expect(merged.name).toBe(target)
    expect(merged.get('city')).toBe('Bergen')
    expect(await linksTo(ids)).toEqual({
      order: target,
      rows: [target, null],
      fields: target,
      todo: target,
    })
    await expect(runAs(site, () => getDocument('LT Customer', ids.customer))).rejects.toThrow(
      DoesNotExistError,
    )
  })

  it('refuses to merge into a document that does not exist', async () => {
    const customer = await newCustomer()
    const attempt = runAs(site, () =>
      renameDocument('LT Customer', customer, fresh('Nowhere'), { merge: true }),
    )
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow('does not exist')
    expect((await runAs(site, () => getDocument('LT Customer', customer))).name).toBe(customer)
  })
})
