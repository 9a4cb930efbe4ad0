import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataError } from '../../errors/index.js'
import { createQueryFixture, type QueryFixture } from './test-fixtures.js'

let fixture: QueryFixture
beforeAll(async () => {
  fixture = await createQueryFixture()
})
afterAll(async () => {
  await fixture.close()
})

const rows = (args: Parameters<QueryFixture['rows']>[1]) => fixture.rows('Query Order', args)
const list = (args: Parameters<QueryFixture['list']>[1]) => fixture.list('Query Order', args)

describe('getList child tables and links', () => {
  it('left joins a child table through its table field, one row per child row', async () => {
    const found = await rows({
      fields: ['name', 'items.item_code'],
      order_by: 'name asc, item_code asc',
    })
    expect(found).toEqual([
      { name: 'O1', item_code: 'ITEM-A' },
      { name: 'O1', item_code: 'ITEM-B' },
      { name: 'O2', item_code: 'ITEM-A' },
      { name: 'O3', item_code: 'ITEM-C' },
      { name: 'O4', item_code: null },
      { name: 'O5', item_code: 'ITEM-B' },
    ])
  })

  it('keeps two table fields of one child DocType apart', async () => {
    const found = await rows({
      fields: ['name', 'items.item_code as item', 'extra_items.item_code as extra'],
      filters: { name: 'O1' },
      order_by: 'item asc',
    })
    expect(found).toEqual([
      { name: 'O1', item: 'ITEM-A', extra: 'ITEM-Z' },
      { name: 'O1', item: 'ITEM-B', extra: 'ITEM-Z' },
    ])
  })

  it('joins a child table named by DocType across its table fields', async () => {
    const found = await list({
      fields: ['`tabQuery Item`.`qty`'],
      filters: { name: 'O1' },
      order_by: '`tabQuery Item`.`qty` asc',
      as_list: true,
    })
    expect(found).toEqual([[1], [2], [9]])
  })

  it('dereferences a Link field', async () => {
    const found = await rows({
      fields: ['name', 'territory.territory_name as region'],
      filters: { name: ['in', ['O1', 'O3']] },
      order_by: 'name',
    })
    expect(found).toEqual([
      { name: 'O1', region: 'India' },
      { name: 'O3', region: null },
    ])
  })
})

describe('getList aggregates and group_by', () => {
  it('counts per group and orders by the alias', async () => {
    const found = await rows({
      fields: ['status', 'count(name) as n'],
      group_by: 'status',
      order_by: 'n desc, status asc',
    })
    expect(found).toEqual([
      { status: 'Open', n: 2 },
      { status: null, n: 1 },
      { status: 'Cancelled', n: 1 },
      { status: 'Closed', n: 1 },
    ])
  })

  it('keys an unaliased aggregate by its text', async () => {
    expect(await rows({ fields: ['count(name)', 'count(*)', 'count(distinct owner)'] })).toEqual([
      { 'count(name)': 5, 'count(*)': 5, 'count(distinct owner)': 2 },
    ])
  })

  it('computes sum, avg, min and max', async () => {
    const [row] = await rows({
      fields: [
        'sum(amount) as total',
        'avg(priority) as mean',
        'min(due_date) as first',
        'max(due_date) as last',
      ],
    })
    expect(row).toEqual({ total: 110.75, mean: 2.2, first: '2025-01-10', last: '2025-02-01' })
    const open = await rows({ fields: ['sum(amount) as total'], filters: { status: 'Open' } })
    expect(open).toEqual([{ total: 40.75 }])
  })

  it('aggregates child rows per parent', async () => {
    const found = await list({
      fields: ['name', 'sum(items.qty) as qty'],
      group_by: '`tabQuery Order`.`name`',
      order_by: 'name',
      as_list: 1,
    })
    expect(found).toEqual([
      ['O1', 3],
      ['O2', 3],
      ['O3', 4],
      ['O4', null],
      ['O5', 5],
    ])
  })

  it('rejects grouping by aggregates and unknown columns', async () => {
    await expect(rows({ fields: ['count(name) as n'], group_by: 'n' })).rejects.toThrow(
      'Invalid group_by: n',
    )
    await expect(rows({ fields: ['count(name)'], group_by: 'count(name)' })).rejects.toThrow(
      DataError,
    )
    await expect(rows({ fields: ['status'], group_by: 'nope' })).rejects.toThrow(
      'Field not permitted in query: nope',
    )
  })
})
