import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataError, FrappeTypeError, ValidationError } from '../../errors/index.js'
import { createQueryFixture, type QueryFixture } from './test-fixtures.js'

// Orders: O1 Alpha/Open/India, O2 Beta/Closed/Maharashtra, O3 Gamma/Open/no territory,
// O4 (no title, no status)/Asia, O5 Delta%_/Cancelled/Mumbai. See test-fixtures.ts.
let fixture: QueryFixture
beforeAll(async () => {
  fixture = await createQueryFixture()
})
afterAll(async () => {
  await fixture.close()
})

const names = (filters: unknown, or_filters?: unknown): Promise<string[]> =>
  fixture.names({ filters, or_filters })

describe('getList filter forms', () => {
  it('accepts the object, list and JSON-string forms', async () => {
    expect(await names({ status: 'Open' })).toEqual(['O1', 'O3'])
    expect(await names([['status', '=', 'Open']])).toEqual(['O1', 'O3'])
    expect(await names('{"status":"Open"}')).toEqual(['O1', 'O3'])
    expect(await names('[["Query Order","status","=","Open"]]')).toEqual(['O1', 'O3'])
    expect(await names({ priority: ['>', 2] })).toEqual(['O3', 'O5'])
  })

  it('treats a missing or empty operator as = and ignores case', async () => {
    expect(await names([['status', '', 'Open']])).toEqual(['O1', 'O3'])
    expect(await names([['status', null, 'Open']])).toEqual(['O1', 'O3'])
    expect(await names([['status', 'LIKE', 'open']])).toEqual(['O1', 'O3'])
    expect(await names([['status', 'Not In', ['Open']]])).toEqual(['O2', 'O4', 'O5'])
  })

  it('rejects <> and unknown operators with the list of operators', async () => {
    await expect(names([['status', '<>', 'Open']])).rejects.toThrow(
      /^Operator must be one of =, !=/,
    )
    await expect(names([['status', 'regex', 'x']])).rejects.toThrow(ValidationError)
  })

  it('rejects unknown fields with a DataError naming them', async () => {
    await expect(names([['nope', '=', 1]])).rejects.toThrow('Field not permitted in query: nope')
    await expect(names({ items: 'x' })).rejects.toThrow(DataError)
  })

  it('rejects list and object values for scalar operators', async () => {
    await expect(names([['status', '=', ['Open']]])).rejects.toThrow(FrappeTypeError)
    await expect(names({ priority: ['=', { a: 1 }] })).rejects.toThrow(FrappeTypeError)
  })

  it('ANDs filters and ORs or_filters', async () => {
    expect(
      await names(undefined, [
        ['status', '=', 'Closed'],
        ['priority', '>=', 5],
      ]),
    ).toEqual(['O2', 'O5'])
    expect(await names({ is_urgent: 1 }, '[["status","=","Closed"],["priority",">=",5]]')).toEqual([
      'O5',
    ])
    expect(await names(undefined, { status: 'Closed', title: 'Alpha' })).toEqual(['O1', 'O2'])
  })
})

describe('getList comparison operators and NULL handling', () => {
  it('includes NULL rows in != and matches NULL with = ""', async () => {
    expect(await names([['status', '!=', 'Open']])).toEqual(['O2', 'O4', 'O5'])
    expect(await names([['status', '=', '']])).toEqual(['O4'])
    expect(await names([['title', '=', null]])).toEqual(['O4'])
    expect(await names([['notes', '=', '']])).toEqual(['O1', 'O3', 'O4'])
    expect(await names([['notes', '!=', '']])).toEqual(['O2', 'O5'])
  })

  it('compares numeric fields as numbers, never wrapped', async () => {
    expect(await names([['priority', '>=', 2]])).toEqual(['O2', 'O3', 'O5'])
    expect(await names([['priority', '<', 2]])).toEqual(['O1', 'O4'])
    expect(await names([['priority', '<=', '2']])).toEqual(['O1', 'O2', 'O4'])
    expect(await names([['priority', '!=', 0]])).toEqual(['O1', 'O2', 'O3', 'O5'])
    expect(await names([['priority', '=', '']])).toEqual(['O4'])
    expect(await names([['amount', '=', '10.5']])).toEqual(['O1'])
    expect(await names([['amount', '>', 20.1]])).toEqual(['O3', 'O5'])
    expect(await names({ is_urgent: true })).toEqual(['O1', 'O5'])
    expect(await names({ is_urgent: '0' })).toEqual(['O2', 'O3', 'O4'])
  })

  it('compares dates, counting NULL as 0001-01-01 except for > and >=', async () => {
    expect(await names({ due_date: '2025-01-10' })).toEqual(['O1'])
    expect(await names({ due_date: '2025-01-10 12:00:00' })).toEqual(['O1'])
    expect(await names([['due_date', '>', '2025-01-20']])).toEqual(['O4', 'O5'])
    expect(await names([['due_date', '<', '2025-01-20']])).toEqual(['O1', 'O3'])
    expect(await names([['due_date', '<=', '2025-01-20']])).toEqual(['O1', 'O2', 'O3'])
    expect(await names([['due_date', '=', '']])).toEqual(['O3'])
    expect(await names([['due_date', '!=', '']])).toEqual(['O1', 'O2', 'O4', 'O5'])
  })

  it('reformats datetimes, times and standard timestamps', async () => {
    expect(await names([['starts_at', '>=', '2025-01-20']])).toEqual(['O2', 'O4', 'O5'])
    expect(await names([['starts_at', '<', '2025-01-20 18:30']])).toEqual(['O1', 'O3'])
    expect(await names({ starts_at: '2025-01-10 09:00' })).toEqual(['O1'])
    expect(await names({ start_time: '09:00' })).toEqual(['O1'])
    expect(await names([['creation', '>', '2025-01-03']])).toEqual(['O3', 'O4', 'O5'])
    expect(await names([['modified', '<=', '2025-01-06 10:00:00']])).toEqual(['O1', 'O2'])
  })

  it('rejects values that are not dates on date fields', async () => {
    await expect(names({ due_date: 'soon' })).rejects.toThrow('Invalid date for due_date: soon')
    await expect(names({ starts_at: '2025-13-01' })).rejects.toThrow(ValidationError)
  })
})

describe('getList like, in and is', () => {
  it('matches like case-insensitively with the client pattern; not like keeps NULL rows', async () => {
    expect(await names([['title', 'like', 'al%']])).toEqual(['O1'])
    expect(await names([['title', 'like', 'Delta%']])).toEqual(['O5'])
    expect(await names([['title', 'not like', '%a%']])).toEqual(['O4'])
    expect(await names([['name', 'like', 'O%']])).toEqual(['O1', 'O2', 'O3', 'O4', 'O5'])
  })

  it('takes in values as a list or a comma-separated string', async () => {
    expect(await names({ status: ['in', ['Open', 'Closed']] })).toEqual(['O1', 'O2', 'O3'])
    expect(await names([['status', 'in', 'Open, Closed']])).toEqual(['O1', 'O2', 'O3'])
    expect(await names([['name', 'in', 'O1,O2']])).toEqual(['O1', 'O2'])
    expect(await names([['priority', 'in', ['1', '3']]])).toEqual(['O1', 'O3'])
    expect(await names([['priority', 'not in', [1]]])).toEqual(['O2', 'O3', 'O4', 'O5'])
  })

  it('matches NULL for an empty in list or an empty element, and keeps NULL in not in', async () => {
    expect(await names([['status', 'in', []]])).toEqual(['O4'])
    expect(await names([['status', 'in', ['Open', '']]])).toEqual(['O1', 'O3', 'O4'])
    expect(await names([['status', 'not in', ['Open']]])).toEqual(['O2', 'O4', 'O5'])
  })

  it('tests is set and is not set by fieldtype', async () => {
    expect(await names([['title', 'is', 'set']])).toEqual(['O1', 'O2', 'O3', 'O5'])
    expect(await names([['title', 'is', 'not set']])).toEqual(['O4'])
    expect(await names([['notes', 'is', 'set']])).toEqual(['O2', 'O5'])
    expect(await names([['notes', 'is', 'not set']])).toEqual(['O1', 'O3', 'O4'])
    expect(await names([['due_date', 'is', 'not set']])).toEqual(['O3'])
    expect(await names([['priority', 'is', 'set']])).toEqual(['O1', 'O2', 'O3', 'O5'])
    expect(await names([['is_urgent', 'is', 'not set']])).toEqual(['O2', 'O3', 'O4'])
    await expect(names([['title', 'is', 'maybe']])).rejects.toThrow(
      'Value for is must be set or not set',
    )
  })
})

describe('getList between and timespans', () => {
  it('filters dates between bounds, inclusive', async () => {
    expect(await names([['due_date', 'between', ['2025-01-10', '2025-01-20']]])).toEqual([
      'O1',
      'O2',
    ])
    expect(await names([['due_date', 'between', '2025-01-10,2025-01-20']])).toEqual(['O1', 'O2'])
    expect(await names([['creation', 'between', ['2025-01-02', '2025-01-03']]])).toEqual([
      'O2',
      'O3',
    ])
  })

  it('widens date-only bounds on datetimes to whole days', async () => {
    expect(await names([['starts_at', 'between', ['2025-01-31', '2025-01-31']]])).toEqual(['O5'])
    expect(await names([['starts_at', 'between', ['2025-01-10 10:00:00', '2025-01-20']]])).toEqual([
      'O2',
    ])
  })

  it('uses today for a missing bound', async () => {
    expect(await names([['due_date', 'between', ['2025-01-01']]])).toEqual(['O1'])
  })

  it('allows between only on dates', async () => {
    await expect(names([['priority', 'between', [1, 2]]])).rejects.toThrow(DataError)
  })

  it('expands timespan, previous and next around today (2025-01-15)', async () => {
    expect(await names([['due_date', 'timespan', 'this month']])).toEqual(['O1', 'O2', 'O5'])
    expect(await names([['starts_at', 'timespan', 'this month']])).toEqual(['O1', 'O2', 'O5'])
    expect(await names([['due_date', 'timespan', 'next month']])).toEqual(['O4'])
    expect(await names([['due_date', 'timespan', 'next 7 days']])).toEqual(['O2'])
    expect(await names([['due_date', 'previous', '1 week']])).toEqual(['O1'])
    expect(await names([['due_date', 'next', '1 month']])).toEqual(['O4'])
    expect(await names([['due_date', 'timespan', 'last year']])).toEqual([])
  })

  it('rejects unknown timespans and timespans on other fields', async () => {
    await expect(names([['due_date', 'timespan', 'bogus']])).rejects.toThrow(
      'Unknown timespan: bogus',
    )
    await expect(names([['title', 'timespan', 'today']])).rejects.toThrow(DataError)
  })
})

describe('getList tree operators', () => {
  it('walks the Link target tree', async () => {
    expect(await names([['territory', 'descendants of', 'India']])).toEqual(['O2', 'O5'])
    expect(await names([['territory', 'descendants of (inclusive)', 'India']])).toEqual([
      'O1',
      'O2',
      'O5',
    ])
    expect(await names([['territory', 'not descendants of', 'India']])).toEqual(['O1', 'O3', 'O4'])
    expect(await names([['territory', 'ancestors of', 'Maharashtra']])).toEqual(['O1', 'O4'])
    expect(await names([['territory', 'not ancestors of', 'Maharashtra']])).toEqual([
      'O2',
      'O3',
      'O5',
    ])
  })

  it("matches like IN ('') when there are no nodes, as Frappe does", async () => {
    expect(await names([['territory', 'descendants of', 'Mumbai']])).toEqual(['O3'])
  })

  it('walks the DocType itself for its own name', async () => {
    const found = await fixture.names(
      { filters: [['name', 'descendants of', 'Asia']] },
      'Query Territory',
    )
    expect(found).toEqual(['China', 'India', 'Maharashtra', 'Mumbai'])
  })

  it('needs a tree', async () => {
    await expect(names([['title', 'descendants of', 'x']])).rejects.toThrow(
      'Query Order is not a tree DocType',
    )
  })
})

describe('getList child-table and link filters', () => {
  it('joins a child DocType named in a 4-element filter', async () => {
    expect(await names([['Query Item', 'item_code', '=', 'ITEM-A']])).toEqual(['O1', 'O2'])
    const distinct = await fixture.list('Query Order', {
      filters: [['Query Item', 'qty', '>', 0]],
      fields: ['name'],
      distinct: 1,
      as_list: 1,
      order_by: 'name asc',
    })
    expect(distinct).toEqual([['O1'], ['O2'], ['O3'], ['O5']])
  })

  it('retargets a field the parent lacks to the first child table that has it', async () => {
    expect(await names([['item_code', '=', 'ITEM-B']])).toEqual(['O1', 'O5'])
    // joined by DocType, as Frappe does, so rows of either table field match
    expect(await names({ item_code: 'ITEM-Z' })).toEqual(['O1'])
  })

  it('restricts parentfield when the filter names the table field', async () => {
    expect(await names([['items.item_code', '=', 'ITEM-Z']])).toEqual([])
    expect(await names([['extra_items.item_code', '=', 'ITEM-Z']])).toEqual(['O1'])
  })

  it('dereferences a Link field', async () => {
    expect(await names([['territory.territory_name', '=', 'India']])).toEqual(['O1'])
  })

  it('rejects DocTypes that are not child tables and unknown child fields', async () => {
    await expect(names([['Query Territory', 'name', '=', 'x']])).rejects.toThrow(
      'Query Territory is not a child table of Query Order',
    )
    await expect(names([['Query Item', 'nope', '=', 'x']])).rejects.toThrow(
      'Field not permitted in query: nope',
    )
  })

  it('filters a child DocType on its parent columns', async () => {
    expect(await fixture.names({ filters: { parent: 'O1' } }, 'Query Item')).toEqual([
      'I1',
      'I2',
      'I6',
    ])
  })
})
