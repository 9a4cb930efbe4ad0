import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { addUserPermission, createUser, headersFor, insertAsAdmin, share } from '../helpers/permission-users.js'

/**
 * A user restricted by User Permissions to one Perm Customer never sees a row of another's,
 * whichever way they ask: documents, lists, counts, aggregates, or_filters, joins, child rows
 * and the frappe.client RPCs (issue #3, point 6).
 */
describe('User Permissions over HTTP (spec 9.2, 9.3)', () => {
  let bench: TestBench
  let server: RunningServer
  let site: Site
  let headers: Record<string, string>
  let mine: string
  let theirs: string
  let sharedCustomer: string
  let myOrder: string
  let theirOrder: string

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
    server = await bench.startServer()
    mine = await insertAsAdmin(site, 'Perm Customer', { customer_name: 'Mine Ltd' })
    theirs = await insertAsAdmin(site, 'Perm Customer', { customer_name: 'Theirs Ltd' })
    sharedCustomer = await insertAsAdmin(site, 'Perm Customer', { customer_name: 'Shared Ltd' })
    myOrder = await insertAsAdmin(site, 'Perm Order', { title: 'mine', customer: mine, amount: 10, items: [{ item_name: 'my item', customer: mine }] })
    theirOrder = await insertAsAdmin(site, 'Perm Order', { title: 'theirs', customer: theirs, amount: 1000, items: [{ item_name: 'their item', customer: theirs }] })
    await insertAsAdmin(site, 'Perm Order', { title: 'theirs again', customer: theirs, amount: 2000 })
    const user = await createUser(site, ['Perm User'], 'restricted')
    await addUserPermission(site, user, 'Perm Customer', mine)
    await share(site, 'Perm Customer', sharedCustomer, user)
    headers = headersFor(site, user)
  })
  afterAll(() => bench.close())

  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const list = (doctype: string, params: Record<string, unknown>) => {
    const query = Object.entries(params).map(([key, value]) => `${key}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`)
    return get(`/api/resource/${encodeURIComponent(doctype)}?${query.join('&')}`)
  }
  const call = async (method: string, args: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/api/method/${method}`, { method: 'POST', headers, body: JSON.stringify(args) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('refuses a document of a forbidden name with 403 and serves an allowed one', async () => {
    expect((await get(`/api/resource/Perm Customer/${encodeURIComponent(theirs)}`)).status).toBe(403)
    const allowed = await get(`/api/resource/Perm Customer/${encodeURIComponent(mine)}`)
    expect(allowed.status).toBe(200)
    expect((allowed.body.data as Record<string, unknown>).name).toBe(mine)
  })

  it('lists the allowed and the shared documents only', async () => {
    const { status, body } = await list('Perm Customer', { fields: ['name'], order_by: 'name asc' })
    expect(status).toBe(200)
    expect(body.data).toEqual([{ name: mine }, { name: sharedCustomer }])
  })

  it('lets neither filters nor or_filters widen the list', async () => {
    expect((await list('Perm Customer', { filters: [['name', '=', theirs]] })).body.data).toEqual([])
    const widened = await list('Perm Customer', { or_filters: [['name', '=', theirs], ['name', 'like', '%'], ['customer_name', 'is', 'set']], order_by: 'name asc' })
    expect(widened.body.data).toEqual([{ name: mine }, { name: sharedCustomer }])
    const both = await list('Perm Customer', { filters: { name: ['in', [theirs, mine]] }, or_filters: [['name', '=', theirs]] })
    expect(both.body.data).toEqual([])
  })

  it('counts and aggregates over the permitted rows only', async () => {
    expect((await list('Perm Customer', { fields: ['count(name) as n'] })).body.data).toEqual([{ n: 2 }])
    const grouped = await list('Perm Order', { fields: ['customer', 'count(name) as n', 'sum(amount) as total'], group_by: 'customer', order_by: 'customer asc' })
    expect(grouped.body.data).toEqual([{ customer: mine, n: 1, total: 10 }])
    const count = await call('frappe.client.get_count', { doctype: 'Perm Order' })
    expect(count.body.message).toBe(1)
    const orCount = await call('frappe.client.get_count', { doctype: 'Perm Order', filters: [['customer', '=', theirs]] })
    expect(orCount.body.message).toBe(0)
  })

  it('hides documents that link to a forbidden value, in lists, joins and by name', async () => {
    const orders = await list('Perm Order', { fields: ['name', 'customer.customer_name as customer_name'] })
    expect(orders.body.data).toEqual([{ name: myOrder, customer_name: 'Mine Ltd' }])
    expect((await get(`/api/resource/Perm Order/${theirOrder}`)).status).toBe(403)
    const items = await list('Perm Order', { fields: ['items.item_name as item'] })
    expect(items.body.data).toEqual([{ item: 'my item' }])
  })

  it('lists child rows of permitted parents only', async () => {
    const rows = await list('Perm Order Item', { fields: ['item_name'], parent: 'Perm Order' })
    expect(rows.status).toBe(200)
    expect(rows.body.data).toEqual([{ item_name: 'my item' }])
  })

  it('gives nothing away through frappe.client.get, get_value and get_list', async () => {
    expect((await call('frappe.client.get', { doctype: 'Perm Customer', name: theirs })).status).toBe(403)
    const byFilters = await call('frappe.client.get', { doctype: 'Perm Order', filters: { customer: theirs } })
    expect(byFilters.status).not.toBe(200)
    expect(JSON.stringify(byFilters.body)).not.toContain(theirOrder)
    const value = await call('frappe.client.get_value', { doctype: 'Perm Order', fieldname: 'amount', filters: { customer: theirs } })
    expect(value.body.message ?? {}).toEqual({})
    const rows = await call('frappe.client.get_list', { doctype: 'Perm Order', fields: ['amount'], or_filters: { customer: theirs, amount: ['>', 0] } })
    expect(rows.body.message).toEqual([{ amount: 10 }])
  })

  it('serves a shared document the rules would exclude', async () => {
    expect((await get(`/api/resource/Perm Customer/${encodeURIComponent(sharedCustomer)}`)).status).toBe(200)
  })
})

describe('shares and Custom DocPerm over HTTP (spec 7.1, 9.2)', () => {
  let bench: TestBench
  let server: RunningServer
  let site: Site

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
    server = await bench.startServer()
  })
  afterAll(() => bench.close())

  const get = async (headers: Record<string, string>, path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('lists and serves to a user without any role only the documents shared with them', async () => {
    const shared = await insertAsAdmin(site, 'Perm Matrix', { title: 'shared one' })
    const hidden = await insertAsAdmin(site, 'Perm Matrix', { title: 'hidden one' })
    const user = await createUser(site, [], 'sharee')
    const headers = headersFor(site, user)
    expect((await get(headers, '/api/resource/Perm Matrix')).status).toBe(403)
    await share(site, 'Perm Matrix', shared, user)
    const rows = await get(headers, `/api/resource/Perm Matrix?fields=${encodeURIComponent('["name","title"]')}`)
    expect(rows.body.data).toEqual([{ name: shared, title: 'shared one' }])
    expect((await get(headers, `/api/resource/Perm Matrix/${shared}`)).status).toBe(200)
    expect((await get(headers, `/api/resource/Perm Matrix/${hidden}`)).status).toBe(403)
  })

  it('applies a Custom DocPerm posted over the API to the next request', async () => {
    const name = await insertAsAdmin(site, 'Perm Matrix', { title: 'custom' })
    const user = await createUser(site, ['Matrix Email'], 'custom')
    const headers = headersFor(site, user)
    expect((await get(headers, `/api/resource/Perm Matrix/${name}`)).status).toBe(403)
    const admin = { ...headers, Authorization: basicAuth('Administrator', 'admin') }
    const posted = await fetch(`${server.url}/api/resource/Custom DocPerm`, { method: 'POST', headers: admin, body: JSON.stringify({ parent: 'Perm Matrix', role: 'Matrix Email', read: 1 }) })
    expect(posted.status).toBe(200)
    expect((await get(headers, `/api/resource/Perm Matrix/${name}`)).status).toBe(200)
    const rule = ((await posted.json()) as { data: { name: string } }).data.name
    expect((await fetch(`${server.url}/api/resource/Custom DocPerm/${rule}`, { method: 'DELETE', headers: admin })).status).toBe(202)
    expect((await get(headers, `/api/resource/Perm Matrix/${name}`)).status).toBe(403)
  })
})
