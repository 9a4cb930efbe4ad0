import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { getDocument } from '../../src/model/index.js'
import { APPS_PATHS, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { createUser, headersFor, insertAsAdmin } from '../helpers/permission-users.js'

/** Field-level permlevels over HTTP (spec 1.4, 3.4, 9.1): unreadable fields never leave, unwritable ones never change. */
describe('permlevels over /api/resource', () => {
  let bench: TestBench
  let server: RunningServer
  let site: Site
  let user: Record<string, string>
  let auditor: Record<string, string>
  let selector: Record<string, string>
  let customer: string
  let order: string

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
    server = await bench.startServer()
    customer = await insertAsAdmin(site, 'Perm Customer', { customer_name: 'Level Co', credit_limit: 750, internal_rating: 'AAA' })
    order = await insertAsAdmin(site, 'Perm Order', { title: 'levels', customer, internal_note: 'secret', items: [{ item_name: 'widget', cost: 3 }] })
    user = headersFor(site, await createUser(site, ['Perm User'], 'level-user'))
    auditor = headersFor(site, await createUser(site, ['Perm Auditor'], 'level-auditor'))
    selector = headersFor(site, await createUser(site, ['Perm Selector'], 'level-selector'))
  })
  afterAll(() => bench.close())

  const request = async (headers: Record<string, string>, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const list = (headers: Record<string, string>, doctype: string, params: Record<string, unknown>) => {
    const query = Object.entries(params).map(([key, value]) => `${key}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`)
    return request(headers, 'GET', `/api/resource/${encodeURIComponent(doctype)}?${query.join('&')}`)
  }

  it('leaves fields above the user level out of a document, its rows included', async () => {
    const doc = (await request(user, 'GET', `/api/resource/Perm Customer/${encodeURIComponent(customer)}`)).body.data as Record<string, unknown>
    expect(doc.customer_name).toBe('Level Co')
    expect(Object.keys(doc)).not.toContain('credit_limit')
    expect(Object.keys(doc)).not.toContain('internal_rating')
    const audited = (await request(auditor, 'GET', `/api/resource/Perm Customer/${encodeURIComponent(customer)}`)).body.data as Record<string, unknown>
    expect([audited.credit_limit, audited.internal_rating]).toEqual([750, undefined])
    const orderDoc = (await request(user, 'GET', `/api/resource/Perm Order/${order}`)).body.data as { internal_note?: string; items: Array<Record<string, unknown>> }
    expect(orderDoc.internal_note).toBeUndefined()
    expect(orderDoc.items.map((row) => [row.item_name, row.cost])).toEqual([['widget', undefined]])
  })

  it('drops unreadable fields from * and from named fields, silently', async () => {
    const star = await list(user, 'Perm Customer', { fields: ['*'], filters: { name: customer } })
    expect(star.status).toBe(200)
    const [row] = star.body.data as Array<Record<string, unknown>>
    expect(row?.customer_name).toBe('Level Co')
    expect(row?.owner).toBe('Administrator')
    expect(Object.keys(row ?? {})).not.toContain('credit_limit')
    const named = await list(user, 'Perm Customer', { fields: ['name', 'credit_limit', 'credit_limit as c', 'sum(credit_limit) as s'], filters: { name: customer } })
    expect(named.body.data).toEqual([{ name: customer }])
    const joined = await list(user, 'Perm Order', { fields: ['name', 'items.cost', 'customer.credit_limit as limit'], filters: { name: order } })
    expect(joined.body.data).toEqual([{ name: order }])
    expect((await list(user, 'Perm Customer', { fields: ['credit_limit'], filters: { name: customer } })).body.data).toEqual([{}])
    expect((await list(auditor, 'Perm Customer', { fields: ['credit_limit'], filters: { name: customer } })).body.data).toEqual([{ credit_limit: 750 }])
  })

  it('refuses an unreadable field in filters, or_filters, order_by and group_by with the unknown-field DataError', async () => {
    for (const params of [
      { filters: [['credit_limit', '>', 100]] },
      { or_filters: [['credit_limit', '>', 100]] },
      { order_by: 'credit_limit desc' },
      { fields: ['count(name) as n'], group_by: 'internal_rating' },
    ]) {
      const reply = await list(user, 'Perm Customer', params)
      expect([reply.status, reply.body.exc_type]).toEqual([417, 'DataError'])
    }
    expect((await list(auditor, 'Perm Customer', { filters: [['credit_limit', '>', 100]] })).body.data).toEqual([{ name: customer }])
  })

  it('lists only the search fields to a select-only user, and serves no document', async () => {
    const rows = await list(selector, 'Perm Customer', { fields: ['*'], filters: { name: customer } })
    expect(rows.body.data).toEqual([{ name: customer, territory: null }])
    expect((await request(selector, 'GET', `/api/resource/Perm Customer/${encodeURIComponent(customer)}`)).status).toBe(403)
  })

  it('keeps stored values of fields the user cannot write, and leaves them out of the reply', async () => {
    const reply = await request(user, 'PUT', `/api/resource/Perm Customer/${encodeURIComponent(customer)}`, { credit_limit: 1, internal_rating: 'D', territory: null })
    expect(reply.status).toBe(200)
    expect(Object.keys(reply.body.data as object)).not.toContain('credit_limit')
    const stored = await runAs(site, () => getDocument('Perm Customer', customer))
    expect([stored.get('credit_limit'), stored.get('internal_rating')]).toEqual([750, 'AAA'])
    const rows = await request(user, 'PUT', `/api/resource/Perm Order/${order}`, { internal_note: 'leaked', items: [{ item_name: 'new', cost: 99 }] })
    expect(rows.status).toBe(200)
    const saved = await runAs(site, () => getDocument('Perm Order', order))
    expect([saved.get('internal_note'), saved.getTable('items').map((row) => [row.get('item_name'), row.get('cost')])]).toEqual(['secret', [['new', 0]]])
  })

  it('gives a new document the default for fields the user cannot write', async () => {
    const reply = await request(user, 'POST', '/api/resource/Perm Customer', { customer_name: 'Fresh Level Co', credit_limit: 10_000, internal_rating: 'AAA' })
    expect(reply.status).toBe(200)
    const stored = await runAs(site, () => getDocument('Perm Customer', 'Fresh Level Co'))
    expect([stored.get('credit_limit'), stored.get('internal_rating')]).toEqual([0, null])
  })
})
