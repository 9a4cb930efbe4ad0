import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { deleteDocument, getDocument, insertDocument, newDocument, saveDocument } from '../../src/model/index.js'
import { getList } from '../../src/model/query/index.js'
import { createTestBench, runAs, type TestBench } from '../helpers/bench.js'

// Spec 7.5: tree DocTypes keep lft/rgt so that `descendants of` is one range query.
describe('nested set of a tree DocType', () => {
  let bench: TestBench
  let site: Site

  beforeAll(async () => {
    bench = await createTestBench()
    site = await bench.newSite()
    await runAs(site, async () => {
      await insertDocument(
        newDocument('DocType', {
          name: 'Test Territory',
          module: 'Custom',
          custom: 1,
          is_tree: 1,
          nsm_parent_field: 'parent_test_territory',
          autoname: 'field:territory_name',
          fields: [
            { fieldname: 'territory_name', fieldtype: 'Data', label: 'Territory Name', reqd: 1 },
            { fieldname: 'parent_test_territory', fieldtype: 'Link', label: 'Parent', options: 'Test Territory' },
            { fieldname: 'is_group', fieldtype: 'Check', label: 'Is Group' },
            { fieldname: 'lft', fieldtype: 'Int', label: 'Left', hidden: 1 },
            { fieldname: 'rgt', fieldtype: 'Int', label: 'Right', hidden: 1 },
            { fieldname: 'old_parent', fieldtype: 'Link', label: 'Old Parent', options: 'Test Territory', hidden: 1 },
          ],
          permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 }],
        }),
      )
      for (const [name, parent] of [['World', ''], ['Europe', 'World'], ['France', 'Europe'], ['Asia', 'World'], ['Japan', 'Asia']]) {
        await insertDocument(newDocument('Test Territory', { territory_name: name, parent_test_territory: parent, is_group: 1 }))
      }
    })
  })
  afterAll(() => bench.close())

  const numbers = () =>
    runAs(site, async () => {
      const rows = await database().selectFrom('tabTest Territory').select(['name', 'lft', 'rgt']).orderBy('lft').execute()
      return rows.map((row) => [row.name, row.lft, row.rgt])
    })

  const descendants = (node: string) =>
    runAs(site, () =>
      getList(database(), (doctype) => site.services.meta.get(doctype), 'Test Territory', {
        filters: [['name', 'descendants of', node]],
        order_by: 'lft asc',
        pluck: 'name',
      }),
    )

  it('numbers the nodes depth first as they are inserted', async () => {
    expect(await numbers()).toEqual([
      ['World', 1, 10],
      ['Asia', 2, 5],
      ['Japan', 3, 4],
      ['Europe', 6, 9],
      ['France', 7, 8],
    ])
    expect(await descendants('Europe')).toEqual(['France'])
  })

  it('renumbers the tree when a node moves, and records its old parent', async () => {
    await runAs(site, async () => {
      const france = await getDocument('Test Territory', 'France')
      france.set('parent_test_territory', 'Asia')
      await saveDocument(france)
    })
    expect(await descendants('Asia')).toEqual(['Japan', 'France'].sort((a, b) => (a < b ? -1 : 1)))
    expect(await descendants('Europe')).toEqual([])
    const france = await runAs(site, () => getDocument('Test Territory', 'France'))
    expect(france.get('old_parent')).toBe('Europe')
  })

  it('refuses to move a node under its own descendant', async () => {
    const moving = runAs(site, async () => {
      const asia = await getDocument('Test Territory', 'Asia')
      asia.set('parent_test_territory', 'Japan')
      await saveDocument(asia)
    })
    await expect(moving).rejects.toThrow(/own descendants/)
  })

  it('refuses to delete a node that has children', async () => {
    await expect(runAs(site, () => deleteDocument('Test Territory', 'World', { force: true }))).rejects.toThrow(/has child nodes/)
  })
})
