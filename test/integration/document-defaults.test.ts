import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { FrappeTypeError, ValidationError } from '../../src/errors/index.js'
import {
  getDocument,
  insertDocument,
  newDocument,
  saveDocument,
  type DocValues,
} from '../../src/model/index.js'
import { formatDate } from '../../src/utils/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { fresh, lifecycleBench } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
})
afterAll(async () => {
  await bench.close()
})

/** Inserts an LT Field Types document and returns its stored row. */
async function insertAndRead(
  values: DocValues,
  options: { user?: string; roles?: string[] } = {},
): Promise<Record<string, unknown>> {
  const name = await runAs(
    site,
    async () => String((await insertDocument(newDocument('LT Field Types', values))).name),
    options,
  )
  return runAs(site, () =>
    database()
      .selectFrom('tabLT Field Types')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow(),
  )
}

describe('defaults of a new document (spec 6.6)', () => {
  it('fills __user, Today, Now, the first Select option and the current time', async () => {
    const before = formatDate(new Date())
    const row = await insertAndRead({})
    const after = formatDate(new Date())
    expect(row.requested_by).toBe('Administrator')
    expect([before, after]).toContain(row.due_date)
    expect(String(row.logged_at)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)
    expect([before, after]).toContain(String(row.logged_at).slice(0, 10))
    expect(row.priority).toBe('Medium')
    expect(String(row.slot)).toMatch(/^\d{1,2}:\d{2}:\d{2}$/) // Frappe's H:MM:SS
  })

  it('leaves a Select empty when its first option is empty, as Frappe does', async () => {
    const row = await insertAndRead({})
    expect(row.stage).toBeNull()
  })

  it('fills __user with the session user', async () => {
    const email = `${fresh('user').replace(' ', '')}@example.com`
    await runAs(site, () =>
      insertDocument(
        newDocument('User', { email, first_name: 'Defaults', roles: [{ role: 'System Manager' }] }),
      ),
    )
    const row = await insertAndRead({}, { user: email, roles: ['System Manager', 'All'] })
    expect(row.requested_by).toBe(email)
    expect(row.owner).toBe(email)
  })

  it('keeps values the client supplied', async () => {
    const row = await insertAndRead({
      priority: 'Low',
      due_date: '2030-01-02',
      slot: '07:30:00',
      requested_by: 'Guest',
    })
    expect([row.priority, row.due_date, row.slot, row.requested_by]).toEqual([
      'Low',
      '2030-01-02',
      '7:30:00',
      'Guest',
    ])
  })
})

describe('coercion on write (spec 6.6)', () => {
  it.each([
    [true, 1],
    ['1', 1],
    [0, 0],
    ['yes', 0],
    ['', 0],
    [null, 0],
  ])('stores Check %j as %j', async (value, stored) => {
    expect((await insertAndRead({ is_active: value })).is_active).toBe(stored)
  })

  it.each([
    ['42', 42],
    ['3.7', 3],
    [-2.9, -2],
    ['abc', 0],
    ['12abc', 0],
    ['', 0],
  ])('stores Int %j as %j', async (value, stored) => {
    expect((await insertAndRead({ quantity: value })).quantity).toBe(stored)
  })

  it.each([
    ['12.5', 12.5],
    ['1,234.5', 1234.5],
    [7, 7],
    ['abc', 0],
    ['1.5abc', 0],
  ])('stores Float %j as %j', async (value, stored) => {
    expect((await insertAndRead({ rate: value })).rate).toBe(stored)
  })

  it('stores an empty string in Date, Datetime and Time fields as null', async () => {
    const inserted = await insertAndRead({ start_date: '' })
    expect(inserted.start_date).toBeNull()
    expect(inserted.logged_at).not.toBeNull() // a new document's empty values take their defaults first
    const saved = await runAs(site, async () => {
      const doc = await getDocument('LT Field Types', String(inserted.name))
      doc.update({ due_date: '', logged_at: '', slot: '' })
      return saveDocument(doc)
    })
    expect([saved.get('due_date'), saved.get('logged_at'), saved.get('slot')]).toEqual([
      null,
      null,
      null,
    ])
    const row = await runAs(site, () =>
      database()
        .selectFrom('tabLT Field Types')
        .selectAll()
        .where('name', '=', String(inserted.name))
        .executeTakeFirstOrThrow(),
    )
    expect([row.due_date, row.logged_at, row.slot]).toEqual([null, null, null])
  })

  it('stores an empty unique field as null, so that several documents may leave it empty', async () => {
    const first = await insertAndRead({ code: '' })
    const second = await insertAndRead({ code: '' })
    expect([first.code, second.code]).toEqual([null, null])
  })

  it('stores a JSON field given as an object as text, and reads it back as text', async () => {
    const row = await insertAndRead({ payload: { a: 1, list: [1, 2] } })
    expect(row.payload).toBe('{"a":1,"list":[1,2]}')
    const doc = await runAs(site, () => getDocument('LT Field Types', String(row.name)))
    expect(doc.get('payload')).toBe('{"a":1,"list":[1,2]}')
  })

  it('refuses a list in a Data field', async () => {
    const attempt = insertAndRead({ title: ['a', 'b'] })
    await expect(attempt).rejects.toThrow(FrappeTypeError)
    await expect(attempt).rejects.toThrow('Title cannot be a list or an object')
  })

  it('refuses a date that does not exist', async () => {
    await expect(insertAndRead({ start_date: '2025-02-30' })).rejects.toThrow(ValidationError)
  })
})
