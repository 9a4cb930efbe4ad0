import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameworkError } from '../../errors/index.js'
import type { ListArgs } from './get-list.js'
import { createQueryFixture, type QueryFixture } from './test-fixtures.js'

// Client text never reaches SQL: identifiers come from metadata, values are bound. Each
// attempt must fail as a FrameworkError (417 later), never as a driver error (500).
let fixture: QueryFixture
beforeAll(async () => {
  fixture = await createQueryFixture()
})
afterAll(async () => {
  await fixture.close()
})

const ATTEMPTS: Array<[string, ListArgs]> = [
  ['field with ;', { fields: ['name; drop table x'] }],
  ['sub-query field', { fields: ['(select 1)'] }],
  ['sleep()', { fields: ['sleep(1)'] }],
  ['other function', { fields: ['concat(name, title)'] }],
  ['from in field', { fields: ['name from `tabQuery Item` --'] }],
  ['quote in field', { fields: ["name'"] }],
  ['comment in field', { fields: ['name /* x */'] }],
  ['backtick breakout', { fields: ['`name` from x; --`'] }],
  ['unrelated table', { fields: ['`tabQuery Territory`.`name`'] }],
  ['aggregate over sub-query', { fields: ['count((select 1))'] }],
  ['order_by with ;', { order_by: 'name desc; drop table x' }],
  ['order_by sub-query', { order_by: '(select 1)' }],
  ['order_by sleep', { order_by: 'sleep(1)' }],
  ['order_by case', { order_by: 'case when 1=1 then name end' }],
  ['group_by with ;', { group_by: 'name; drop' }],
  ['filter field 1=1', { filters: [['1=1', '=', 1]] }],
  ['filter field with ;', { filters: [['name; drop table x', '=', 1]] }],
  ['filter object key', { filters: { 'name = name or 1': 1 } }],
  ['filter doctype', { filters: [['Query Order`; drop', 'name', '=', 1]] }],
  ['raw SQL filter', { filters: ["status='Open' or 1=1"] }],
  ['raw SQL filter string', { filters: '"1=1"' }],
  ['raw SQL or_filter', { or_filters: ['1=1'] }],
  ['operator', { filters: [['name', '= 1 or 1 =', 1]] }],
  ['pluck', { pluck: 'name; drop' }],
  ['limit', { limit_page_length: '1; drop table x' }],
  ['limit_start', { limit_start: '0 union select 1' }],
]

describe('getList with hostile input', () => {
  it.each(ATTEMPTS)('rejects %s as a FrameworkError', async (_label, args) => {
    const error: unknown = await fixture.list('Query Order', args).then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(FrameworkError)
  })

  it('binds hostile values as plain data', async () => {
    expect(await fixture.names({ filters: { title: "x' or '1'='1" } })).toEqual([])
    expect(await fixture.names({ filters: [['status', 'in', "a') or ('1'='1"]] })).toEqual([])
    expect(await fixture.names({ filters: [['title', 'like', "%' or 1=1 --"]] })).toEqual([])
    expect(
      await fixture.names({ filters: [['territory', 'descendants of', "x' or 1=1 --"]] }),
    ).toEqual(['O3'])
  })

  it('keeps aliases as result keys only', async () => {
    const [row] = await fixture.rows('Query Order', {
      fields: ['name as `x; drop table y`', 'title as __proto__'],
      filters: { name: 'O1' },
    })
    expect(Object.keys(row ?? {})).toEqual(['x; drop table y', '__proto__'])
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
  })

  it('leaves the tables intact', async () => {
    expect(await fixture.count('Query Order', {})).toBe(5)
    expect(await fixture.count('Query Item', {})).toBe(6)
  })
})
