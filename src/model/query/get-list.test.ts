import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataError, DoesNotExistError, ValidationError } from '../../errors/index.js'
import { createMetaRegistry } from '../../meta/index.js'
import { getList } from './get-list.js'
import type { ListScope } from './list-query.js'
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

describe('getList fields', () => {
  it('returns name only, newest first, by default', async () => {
    expect(await rows({})).toEqual([
      { name: 'O5' },
      { name: 'O4' },
      { name: 'O3' },
      { name: 'O2' },
      { name: 'O1' },
    ])
  })

  it('takes fields as a JSON string, with aliases and qualified names', async () => {
    const found = await rows({
      fields: '["name","status as state","`tabQuery Order`.`priority`","`tabQuery Order`.amount"]',
      filters: '{"name":"O1"}',
    })
    expect(found).toEqual([{ name: 'O1', state: 'Open', priority: 1, amount: 10.5 }])
  })

  it('takes a bare name or a comma list', async () => {
    expect(await rows({ fields: 'name, title', filters: { name: 'O2' } })).toEqual([
      { name: 'O2', title: 'Beta' },
    ])
  })

  it('expands * to the standard and field columns of the main table', async () => {
    const [row] = await rows({ fields: ['*'], filters: { name: 'O1' } })
    expect(Object.keys(row ?? {})).toEqual([
      'name',
      'owner',
      'creation',
      'modified',
      'modified_by',
      'docstatus',
      'idx',
      '_user_tags',
      '_comments',
      '_assign',
      '_liked_by',
      'title',
      'status',
      'priority',
      'amount',
      'due_date',
      'starts_at',
      'start_time',
      'territory',
      'is_urgent',
      'notes',
    ])
    expect(row).toMatchObject({
      title: 'Alpha',
      due_date: '2025-01-10',
      starts_at: '2025-01-10 09:00:00',
      is_urgent: 1,
    })
  })

  it('gives child DocTypes their parent columns under *', async () => {
    const [row] = await fixture.rows('Query Item', { fields: '*', filters: { name: 'I1' } })
    expect(row).toMatchObject({
      name: 'I1',
      parent: 'O1',
      parentfield: 'items',
      parenttype: 'Query Order',
      item_code: 'ITEM-A',
    })
    expect(row).not.toHaveProperty('_assign')
  })

  it('rejects unknown fields, layout fields and other tables', async () => {
    await expect(rows({ fields: ['nope'] })).rejects.toThrow('Field not permitted in query: nope')
    await expect(rows({ fields: ['items'] })).rejects.toThrow(DataError)
    await expect(rows({ fields: ['`tabQuery Territory`.`name`'] })).rejects.toThrow(DataError)
    await expect(rows({ fields: ['parent'] })).rejects.toThrow(DataError)
  })
})

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

describe('getList ordering', () => {
  it('orders by one or more fields in either direction', async () => {
    expect(await fixture.list('Query Order', { pluck: 'name', order_by: 'priority asc' })).toEqual([
      'O4',
      'O1',
      'O2',
      'O3',
      'O5',
    ])
    expect(
      await fixture.list('Query Order', {
        pluck: 'name',
        order_by: 'is_urgent desc, priority ASC',
      }),
    ).toEqual(['O1', 'O5', 'O4', 'O2', 'O3'])
    expect(
      await fixture.list('Query Order', {
        pluck: 'name',
        order_by: '`tabQuery Order`.`modified` asc',
      }),
    ).toEqual(['O1', 'O2', 'O3', 'O4', 'O5'])
  })

  it('orders by a field alias', async () => {
    expect(
      await list({ fields: ['name', 'amount as a'], order_by: 'a desc', limit: 2, as_list: true }),
    ).toEqual([
      ['O5', 50],
      ['O3', 30.25],
    ])
  })

  it('uses a multi-column sort_field of the DocType', async () => {
    expect(await fixture.list('Query Note', { pluck: 'name' })).toEqual(['N3', 'N2', 'N1'])
  })

  it('rejects unknown columns and tables not in the query with a DataError', async () => {
    await expect(rows({ order_by: 'nope desc' })).rejects.toThrow(
      'Field not permitted in query: nope',
    )
    await expect(rows({ order_by: 'name sideways' })).rejects.toThrow(
      'Invalid order_by: name sideways',
    )
    await expect(rows({ order_by: '`tabQuery Item`.`qty`' })).rejects.toThrow(
      'Table not in the query',
    )
    await expect(rows({ order_by: 'items.qty' })).rejects.toThrow(DataError)
    await expect(rows({ order_by: ['name'] })).rejects.toThrow(ValidationError)
  })
})

describe('getList paging and shapes', () => {
  it('pages with limit_start and limit_page_length, as strings too', async () => {
    expect(await rows({ limit_start: '1', limit_page_length: '2' })).toEqual([
      { name: 'O4' },
      { name: 'O3' },
    ])
    expect(await rows({ limit: 2 })).toEqual([{ name: 'O5' }, { name: 'O4' }])
    expect(await rows({ limit_page_length: 1, limit: 3 })).toEqual([{ name: 'O5' }])
  })

  it('treats a page length of 0 or null as no limit, with or without an offset', async () => {
    expect(await rows({ limit_page_length: 0 })).toHaveLength(5)
    expect(await rows({ limit_page_length: null })).toHaveLength(5)
    expect(await rows({ limit: '0' })).toHaveLength(5)
    expect(await rows({ limit_page_length: 0, limit_start: 3 })).toEqual([
      { name: 'O2' },
      { name: 'O1' },
    ])
  })

  it('defaults the page length', async () => {
    expect(await fixture.rows('Query Order', {}, { defaultPageLength: 2 })).toHaveLength(2)
  })

  it('rejects bad paging values', async () => {
    await expect(rows({ limit_page_length: '-1' })).rejects.toThrow(ValidationError)
    await expect(rows({ limit_start: 1.5 })).rejects.toThrow(
      'limit_start must be a non-negative integer',
    )
    await expect(rows({ limit: 'ten' })).rejects.toThrow('limit must be a non-negative integer')
  })

  it('returns arrays for as_list and as_dict=false, values for pluck', async () => {
    expect(
      await list({ fields: ['name', 'status'], filters: { name: 'O1' }, as_list: '1' }),
    ).toEqual([['O1', 'Open']])
    expect(
      await list({ fields: '["name","status"]', filters: { name: 'O1' }, as_dict: 'false' }),
    ).toEqual([['O1', 'Open']])
    expect(await list({ pluck: 'title', filters: { status: 'Open' }, order_by: 'name' })).toEqual([
      'Alpha',
      'Gamma',
    ])
  })

  it('returns distinct rows', async () => {
    expect(
      await list({ fields: ['status'], distinct: 'true', order_by: 'status asc', as_list: true }),
    ).toEqual([[null], ['Cancelled'], ['Closed'], ['Open']])
  })
})

describe('getList restrict', () => {
  it('narrows rows and sees the joined tables', async () => {
    const seen: ListScope[] = []
    const found = await fixture.list(
      'Query Order',
      {
        fields: ['name', 'items.item_code'],
        pluck: undefined,
        as_list: true,
        order_by: 'name, item_code',
      },
      {
        restrict: (query, scope) => {
          seen.push(scope)
          return query.where(sql<boolean>`${sql.id(scope.alias, 'owner')} = ${'b@example.com'}`)
        },
      },
    )
    expect(found).toEqual([
      ['O2', 'ITEM-A'],
      ['O4', null],
    ])
    expect(seen).toEqual([
      {
        doctype: 'Query Order',
        alias: 'tabQuery Order',
        joins: [{ alias: 'tabQuery Item', doctype: 'Query Item' }],
      },
    ])
  })
})

describe('getList DocTypes', () => {
  it('rejects Single DocTypes and unknown DocTypes', async () => {
    const registry = createMetaRegistry()
    registry.define([
      { definition: { name: 'Query Settings', issingle: 1, fields: [] }, source: 'test' },
    ])
    await expect(
      getList(fixture.db, (doctype) => registry.get(doctype), 'Query Settings', {}),
    ).rejects.toThrow(ValidationError)
    await expect(
      getList(fixture.db, (doctype) => registry.get(doctype), 'Nope', {}),
    ).rejects.toThrow(DoesNotExistError)
  })
})

describe('getCount', () => {
  it('counts matching rows with filters and or_filters', async () => {
    expect(await fixture.count('Query Order', {})).toBe(5)
    expect(await fixture.count('Query Order', { filters: '{"status":"Open"}' })).toBe(2)
    expect(
      await fixture.count('Query Order', {
        or_filters: [
          ['status', '=', 'Closed'],
          ['priority', '>=', 5],
        ],
      }),
    ).toBe(2)
  })

  it('counts each document once when a filter joins a child table', async () => {
    expect(await fixture.count('Query Order', { filters: [['Query Item', 'qty', '>', 0]] })).toBe(4)
  })

  it('counts groups', async () => {
    expect(await fixture.count('Query Order', { group_by: 'status' })).toBe(4)
    expect(
      await fixture.count('Query Order', { group_by: 'owner', filters: { status: 'Open' } }),
    ).toBe(1)
  })

  it('rejects bad filters like getList', async () => {
    await expect(fixture.count('Query Order', { filters: [['nope', '=', 1]] })).rejects.toThrow(
      DataError,
    )
  })
})
