import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import {
  CannotChangeConstantError,
  CharacterLengthExceededError,
  InvalidEmailAddressError,
  LinkValidationError,
  MandatoryError,
  UniqueValidationError,
  ValidationError,
} from '../../src/errors/index.js'
import {
  getDocument,
  insertDocument,
  newDocument,
  saveDocument,
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
  customer = String(
    (await runAs(site, () => insertCustomer({ email: 'buyer@example.com', city: 'Lyon' }))).name,
  )
})
afterAll(async () => {
  await bench.close()
})

function insertFields(values: DocValues): Promise<Document> {
  return runAs(site, () => insertDocument(newDocument('LT Field Types', values)))
}

function saveFields(name: string, values: DocValues): Promise<Document> {
  return runAs(site, async () => {
    const doc = await getDocument('LT Field Types', name)
    doc.update(values)
    return saveDocument(doc)
  })
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  )
}

describe('mandatory fields (spec 6.7)', () => {
  it('names every missing field, including an empty required table, and stores nothing', async () => {
    const before = await runAs(
      site,
      async () => (await database().selectFrom('tabLT Order').select('name').execute()).length,
    )
    const error = await rejection(runAs(site, () => insertDocument(newDocument('LT Order', {}))))
    expect(error).toBeInstanceOf(MandatoryError)
    expect(error).toMatchObject({ doctype: 'LT Order', fieldnames: ['customer', 'items'] })
    expect(String((error as Error).message)).toMatch(
      /^\[LT Order, LTO-\d{4}-\d{5}\]: customer, items$/,
    )
    const after = await runAs(
      site,
      async () => (await database().selectFrom('tabLT Order').select('name').execute()).length,
    )
    expect(after).toBe(before)
  })

  it('names the missing fields of child rows, with a message per row number', async () => {
    let messages: unknown[] = []
    const error = await rejection(
      runAs(site, async (ctx) => {
        messages = ctx.messageLog
        return insertDocument(
          newOrder(customer, {
            items: [{ item_name: 'Fine', qty: 1 }, { qty: 2 }, { item_name: '  ' }],
          }),
        )
      }),
    )
    expect(error).toBeInstanceOf(MandatoryError)
    expect((error as MandatoryError).fieldnames).toEqual(['item_name', 'item_name'])
    expect(messages.map((message) => (message as { message: string }).message)).toEqual([
      'Error: <strong>LT Order Item</strong> Row #2: Value missing for: Item',
      'Error: <strong>LT Order Item</strong> Row #3: Value missing for: Item',
    ])
  })

  it('refuses to save a document whose required field was emptied', async () => {
    const order = await runAs(site, () => insertDocument(newOrder(customer)))
    const error = await rejection(
      runAs(site, async () => {
        const doc = await getDocument('LT Order', String(order.name))
        doc.set('items', [])
        return saveDocument(doc)
      }),
    )
    expect(error).toMatchObject({ fieldnames: ['items'] })
  })
})

describe('Link validation (spec 6.7)', () => {
  it('refuses a Link to a record that does not exist with "Could not find {Label}: {value}"', async () => {
    const attempt = insertFields({ customer: 'Nobody Inc' })
    await expect(attempt).rejects.toThrow(LinkValidationError)
    await expect(attempt).rejects.toThrow('Could not find Customer: Nobody Inc')
  })

  it('refuses a Link in a child row and says which row', async () => {
    const attempt = runAs(site, () =>
      insertDocument(
        newOrder(customer, {
          items: [{ item_name: 'A' }, { item_name: 'B', supplier: 'Nobody Inc' }],
        }),
      ),
    )
    await expect(attempt).rejects.toThrow(LinkValidationError)
    await expect(attempt).rejects.toThrow(/Row #2: .*Supplier: Nobody Inc/)
  })

  it('stores the linked name in its canonical case', async () => {
    const name = fresh('Canonical Case')
    await runAs(site, () => insertCustomer({ customer_name: name }))
    const doc = await insertFields({ customer: name.toUpperCase() })
    expect(doc.get('customer')).toBe(name)
  })

  it('copies fetch_from values, and with fetch_if_empty only into an empty field', async () => {
    const filled = await insertFields({ customer })
    expect([filled.get('customer_city'), filled.get('customer_email')]).toEqual([
      'Lyon',
      'buyer@example.com',
    ])
    const preset = await insertFields({
      customer,
      customer_city: 'Paris',
      customer_email: 'own@example.com',
    })
    expect([preset.get('customer_city'), preset.get('customer_email')]).toEqual([
      'Lyon',
      'own@example.com',
    ])
  })

  it('fetches again on save, after the linked record changed', async () => {
    const linked = String((await runAs(site, () => insertCustomer({ city: 'Nantes' }))).name)
    const doc = await insertFields({ customer: linked })
    await runAs(site, async () => {
      const target = await getDocument('LT Customer', linked)
      target.set('city', 'Brest')
      await saveDocument(target)
    })
    expect((await saveFields(String(doc.name), { title: 'resaved' })).get('customer_city')).toBe(
      'Brest',
    )
  })
})

describe('field checks (spec 6.3 step 6)', () => {
  it('refuses a Select value that is not one of its options, and accepts an empty one', async () => {
    const attempt = insertFields({ priority: 'Urgent' })
    await expect(attempt).rejects.toThrow(ValidationError)
    await expect(attempt).rejects.toThrow(
      'Priority cannot be "Urgent". It should be one of "Medium", "High", "Low"',
    )
    expect((await insertFields({ stage: '' })).get('stage')).toBe('')
    expect((await insertFields({ stage: 'Closed' })).get('stage')).toBe('Closed')
  })

  it('refuses a second document with the same unique value with UniqueValidationError', async () => {
    const code = fresh('CODE').replace(' ', '-')
    await insertFields({ code })
    const attempt = insertFields({ code })
    await expect(attempt).rejects.toThrow(UniqueValidationError)
    await expect(attempt).rejects.toThrow(code)
    const count = await runAs(
      site,
      async () =>
        (
          await database()
            .selectFrom('tabLT Field Types')
            .select('name')
            .where('code', '=', code)
            .execute()
        ).length,
    )
    expect(count).toBe(1)
  })

  it('refuses Data longer than its length with CharacterLengthExceededError', async () => {
    expect((await insertFields({ title: 'x'.repeat(20) })).get('title')).toBe('x'.repeat(20))
    const attempt = insertFields({ title: 'x'.repeat(21) })
    await expect(attempt).rejects.toThrow(CharacterLengthExceededError)
    await expect(attempt).rejects.toThrow('Title (title) is too long: 21 characters, at most 20')
  })

  it('refuses Data longer than 140 characters when no length is set', async () => {
    await expect(insertFields({ external_ref: 'y'.repeat(141) })).rejects.toThrow(
      CharacterLengthExceededError,
    )
  })

  it('refuses a change to a set_only_once field with CannotChangeConstantError, once it has a value', async () => {
    const unset = await insertFields({})
    expect(
      (await saveFields(String(unset.name), { external_ref: 'EXT-1' })).get('external_ref'),
    ).toBe('EXT-1')
    const attempt = saveFields(String(unset.name), { external_ref: 'EXT-2' })
    await expect(attempt).rejects.toThrow(CannotChangeConstantError)
    await expect(attempt).rejects.toThrow('External Reference')
    const stored = await runAs(site, () => getDocument('LT Field Types', String(unset.name)))
    expect(stored.get('external_ref')).toBe('EXT-1')
    expect(
      (await saveFields(String(unset.name), { external_ref: 'EXT-1', title: 'same ref' })).get(
        'title',
      ),
    ).toBe('same ref')
  })

  it('refuses a Data field with options Email that does not hold email addresses', async () => {
    const attempt = insertFields({ contact_email: 'not-an-address' })
    await expect(attempt).rejects.toThrow(InvalidEmailAddressError)
    await expect(attempt).rejects.toThrow('not-an-address is not a valid Email Address')
    expect(
      (await insertFields({ contact_email: 'a@example.com, b@example.org' })).get('contact_email'),
    ).toBe('a@example.com, b@example.org')
  })
})
