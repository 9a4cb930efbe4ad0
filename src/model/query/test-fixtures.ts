import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createSqliteDatabase,
  syncTable,
  type Executor,
  type SiteDatabase,
} from '../../db/index.js'
import { createMetaRegistry, tableName, type DocTypeMeta } from '../../meta/index.js'
import { getCount, type CountArgs } from './get-count.js'
import { getList, type ListArgs, type ListOptions, type ListRows } from './get-list.js'

/**
 * @internal Test DocTypes and rows for the query tests: an order with two child tables of the
 * same DocType, every fieldtype a filter cares about, and a Link into a territory tree.
 */

const field = (
  fieldname: string,
  fieldtype: string,
  options?: string,
): Record<string, unknown> => ({
  fieldname,
  fieldtype,
  ...(options === undefined ? {} : { options }),
})

const DEFINITIONS = [
  {
    name: 'Query Item',
    istable: 1,
    fields: [
      field('item_code', 'Data'),
      field('qty', 'Float'),
      field('rate', 'Currency'),
      field('warehouse', 'Data'),
    ],
  },
  { name: 'Query Territory', is_tree: 1, fields: [field('territory_name', 'Data')] },
  {
    name: 'Query Order',
    fields: [
      field('title', 'Data'),
      field('status', 'Select', 'Open\nClosed\nCancelled'),
      field('priority', 'Int'),
      field('amount', 'Float'),
      field('due_date', 'Date'),
      field('starts_at', 'Datetime'),
      field('start_time', 'Time'),
      field('territory', 'Link', 'Query Territory'),
      field('is_urgent', 'Check'),
      field('notes', 'Text'),
      field('items', 'Table', 'Query Item'),
      field('extra_items', 'Table', 'Query Item'),
    ],
  },
  { name: 'Query Note', sort_field: 'idx desc, modified desc', fields: [field('body', 'Data')] },
]

const stamp = (day: number): string => `2025-01-${String(day).padStart(2, '0')} 10:00:00`

const ORDERS = [
  {
    name: 'O1',
    title: 'Alpha',
    status: 'Open',
    priority: 1,
    amount: 10.5,
    due_date: '2025-01-10',
    starts_at: '2025-01-10 09:00:00',
    start_time: '9:00:00',
    territory: 'India',
    is_urgent: 1,
    notes: null,
    owner: 'a@example.com',
    creation: stamp(1),
    modified: stamp(5),
    idx: 3,
  },
  {
    name: 'O2',
    title: 'Beta',
    status: 'Closed',
    priority: 2,
    amount: 20,
    due_date: '2025-01-20',
    starts_at: '2025-01-20 18:30:00',
    start_time: '18:30:00',
    territory: 'Maharashtra',
    is_urgent: 0,
    notes: 'x',
    owner: 'b@example.com',
    creation: stamp(2),
    modified: stamp(6),
    idx: 1,
  },
  {
    name: 'O3',
    title: 'Gamma',
    status: 'Open',
    priority: 3,
    amount: 30.25,
    due_date: null,
    starts_at: null,
    start_time: null,
    territory: null,
    is_urgent: 0,
    notes: '',
    owner: 'a@example.com',
    creation: stamp(3),
    modified: stamp(7),
    idx: 2,
  },
  {
    name: 'O4',
    title: null,
    status: null,
    priority: 0,
    amount: 0,
    due_date: '2025-02-01',
    starts_at: '2025-02-01 00:00:00',
    start_time: null,
    territory: 'Asia',
    is_urgent: 0,
    notes: null,
    owner: 'b@example.com',
    creation: stamp(4),
    modified: stamp(8),
    idx: 0,
  },
  {
    name: 'O5',
    title: 'Delta%_',
    status: 'Cancelled',
    priority: 5,
    amount: 50,
    due_date: '2025-01-31',
    starts_at: '2025-01-31 23:59:59.500000',
    start_time: null,
    territory: 'Mumbai',
    is_urgent: 1,
    notes: 'y',
    owner: 'a@example.com',
    creation: stamp(5),
    modified: stamp(9),
    idx: 4,
  },
]

const item = (
  name: string,
  parent: string,
  parentfield: string,
  idx: number,
  item_code: string,
  qty: number,
) => ({
  name,
  parent,
  parentfield,
  parenttype: 'Query Order',
  idx,
  item_code,
  qty,
  rate: qty * 5,
  creation: stamp(1),
  modified: stamp(1),
})

const ITEMS = [
  item('I1', 'O1', 'items', 1, 'ITEM-A', 1),
  item('I2', 'O1', 'items', 2, 'ITEM-B', 2),
  item('I6', 'O1', 'extra_items', 1, 'ITEM-Z', 9),
  item('I3', 'O2', 'items', 1, 'ITEM-A', 3),
  item('I4', 'O3', 'items', 1, 'ITEM-C', 4),
  item('I5', 'O5', 'items', 1, 'ITEM-B', 5),
]

// All Territories ⊃ Asia ⊃ India ⊃ Maharashtra ⊃ Mumbai; Asia ⊃ China; All ⊃ Europe
const TERRITORIES = [
  ['All Territories', null, 1, 14],
  ['Asia', 'All Territories', 2, 11],
  ['India', 'Asia', 3, 8],
  ['Maharashtra', 'India', 4, 7],
  ['Mumbai', 'Maharashtra', 5, 6],
  ['China', 'Asia', 9, 10],
  ['Europe', 'All Territories', 12, 13],
] as const

const NOTES = [
  { name: 'N1', body: 'one', idx: 1, modified: stamp(3) },
  { name: 'N2', body: 'two', idx: 2, modified: stamp(1) },
  { name: 'N3', body: 'three', idx: 2, modified: stamp(2) },
]

export interface QueryFixture {
  readonly database: SiteDatabase
  readonly db: Executor
  readonly metaOf: (doctype: string) => DocTypeMeta
  /** getList on the fixture, with today pinned to Wednesday 2025-01-15. */
  list(doctype: string, args: ListArgs, options?: ListOptions): Promise<ListRows>
  /** getList's rows as objects. */
  rows(
    doctype: string,
    args: ListArgs,
    options?: ListOptions,
  ): Promise<Array<Record<string, unknown>>>
  /** The sorted names of the orders a filter matches. */
  names(args: ListArgs, doctype?: string): Promise<string[]>
  count(doctype: string, args: CountArgs): Promise<number>
  close(): Promise<void>
}

export const TODAY = '2025-01-15'

export async function createQueryFixture(): Promise<QueryFixture> {
  const directory = mkdtempSync(join(tmpdir(), 'cortado-'))
  const database = createSqliteDatabase({ file: join(directory, 'site.db') })
  const registry = createMetaRegistry()
  registry.define(DEFINITIONS.map((definition) => ({ definition, source: 'test' })))
  const metaOf = (doctype: string): DocTypeMeta => registry.get(doctype)

  const tx = await database.beginWrite()
  for (const meta of registry.all()) await syncTable(tx, database, meta)
  await tx.insertInto(tableName('Query Order')).values(ORDERS).execute()
  await tx.insertInto(tableName('Query Item')).values(ITEMS).execute()
  const territories = TERRITORIES.map(([name, parent, lft, rgt]) => ({
    name,
    territory_name: name,
    parent_query_territory: parent,
    lft,
    rgt,
    is_group: 1,
    modified: stamp(1),
  }))
  await tx.insertInto(tableName('Query Territory')).values(territories).execute()
  await tx.insertInto(tableName('Query Note')).values(NOTES).execute()
  await tx.commit().execute()

  const db = database.reader
  const list = (doctype: string, args: ListArgs, options: ListOptions = {}): Promise<ListRows> =>
    getList(db, metaOf, doctype, args, { today: TODAY, ...options })
  const rows = async (doctype: string, args: ListArgs, options?: ListOptions) =>
    (await list(doctype, args, options)) as Array<Record<string, unknown>>
  return {
    database,
    db,
    metaOf,
    list,
    rows,
    async names(args, doctype = 'Query Order') {
      const found = await list(doctype, { ...args, pluck: 'name', limit_page_length: 0 })
      return (found as string[]).sort()
    },
    count: (doctype, args) => getCount(db, metaOf, doctype, args, { today: TODAY }),
    async close() {
      await database.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
