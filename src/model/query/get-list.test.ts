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
