import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createOrder, freshEmail, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

type Row = Record<string, unknown>
type Body = Record<string, unknown>

let demo: DemoServer
const tag = Date.now().toString(36)
const body = (response: { body: unknown }): Body => response.body as Body
const v2 = (method: string, path: string, payload?: unknown, headers = demo.admin) => demo.request(method, `/api/v2${path}`, { headers, body: payload })

beforeAll(async () => {
  demo = await startDemoServer()
  for (const [index, name] of ['Ivy', 'Jay', 'Kim'].entries()) await createCustomer(demo, { customer_name: `${name} ${tag}`, credit_limit: (index + 1) * 10 })
})
afterAll(() => demo.close())

describe('/api/v2/document', () => {
  it('lists with fields, filters, order and limit', async () => {
    const query = new URLSearchParams({
      fields: '["name","credit_limit"]',
      filters: JSON.stringify({ name: ['like', `%${tag}`] }),
      order_by: 'credit_limit desc',
      limit: '2',
      start: '1',
    })
    const response = await v2('GET', `/document/Customer?${query.toString()}`)
    expect(response.status).toBe(200)
    // v15 pages with `limit` and ignores `start`.
    expect(body(response)).toEqual({ data: [{ name: `Kim ${tag}`, credit_limit: 30 }, { name: `Jay ${tag}`, credit_limit: 20 }] })
  })

  it('inserts, reads, patches and deletes', async () => {
    const name = `Lou ${tag}`
    const inserted = await v2('POST', '/document/Customer', { customer_name: name, credit_limit: 5, doctype: 'User' })
    expect(body(inserted).data).toMatchObject({ name, doctype: 'Customer', credit_limit: 5 })
    const path = `/document/Customer/${encodeURIComponent(name)}`
    expect(body(await v2('GET', path)).data).toMatchObject({ name, credit_limit: 5 })
    expect(body(await v2('PATCH', path, { credit_limit: 6 })).data).toMatchObject({ credit_limit: 6 })
    expect(body(await v2('PUT', path, { credit_limit: 7 })).data).toMatchObject({ credit_limit: 7 })
    const deleted = await v2('DELETE', path)
    expect(deleted.status).toBe(202)
    expect(body(deleted)).toEqual({ data: 'ok' })
    const missing = await v2('GET', path)
    expect(missing.status).toBe(404)
    expect(body(missing)).toMatchObject({ errors: [{ type: 'DoesNotExistError', message: `Customer ${name} not found`, indicator: 'red' }] })
  })

  it('runs a document method with the document in docs', async () => {
    const order = await createOrder(demo, `Ivy ${tag}`, [{ item_name: 'Bowl', qty: 1, rate: 1 }])
    const path = `/document/Sales%20Order/${encodeURIComponent(String(order.name))}/method`
    const read = body(await v2('GET', `${path}/pending_items`))
    expect(read.data).toEqual(['Bowl'])
    expect((read.docs as Row[])[0]).toMatchObject({ name: order.name, docstatus: 0 })
    const submitted = body(await v2('POST', `${path}/submit`))
    expect((submitted.docs as Row[])[0]).toMatchObject({ docstatus: 1 })
    expect(submitted.messages).toEqual([expect.objectContaining({ message: expect.stringContaining('is submitted'), alert: 1 })])
    expect((await v2('GET', `${path}/mark_delivered`)).status).toBe(403)
  })
})

describe('/api/v2/document for DocTypes that define standard fieldnames', () => {
  // Issue 3: v2 keeps a DocField named like a standard field (Custom DocPerm's `parent`), as v1 does.
  it('keeps the parent of a Custom DocPerm on insert and patch, and the rule applies to that DocType', async () => {
    const blogger = await demo.createUser(freshEmail('v2blogger'), ['Blogger'])
    const plain = await demo.createUser(freshEmail('v2plain'), [])
    expect((await v2('GET', '/document/Note', undefined, blogger)).status).toBe(200)
    const inserted = await v2('POST', '/document/Custom DocPerm', { parent: 'Note', role: 'Blogger', read: 1 })
    expect(inserted.status).toBe(200)
    const rule = body(inserted).data as Row
    expect(rule).toMatchObject({ doctype: 'Custom DocPerm', parent: 'Note', role: 'Blogger', read: 1 })
    try {
      const path = `/document/Custom DocPerm/${String(rule.name)}`
      expect(body(await v2('PATCH', path, { parent: 'Note', write: 1 })).data).toMatchObject({ parent: 'Note', write: 1 })
      expect(body(await v2('GET', path)).data).toMatchObject({ parent: 'Note', role: 'Blogger', read: 1, write: 1 })
      expect((await v2('GET', '/document/Note', undefined, blogger)).status).toBe(200)
      expect((await v2('GET', '/document/Note', undefined, plain)).status).toBe(403)
    } finally {
      expect((await v2('DELETE', `/document/Custom DocPerm/${String(rule.name)}`)).status).toBe(202)
    }
    expect((await v2('GET', '/document/Note', undefined, plain)).status).toBe(200)
  })
})

describe('/api/v2/method', () => {
  it('answers in data', async () => {
    expect(body(await v2('GET', '/method/ping'))).toEqual({ data: 'pong' })
    const count = await v2('GET', `/method/frappe.client.get_count?doctype=Customer&filters=${encodeURIComponent(JSON.stringify({ name: `Ivy ${tag}` }))}`)
    expect(body(count)).toEqual({ data: 1 })
  })

  it('runs run_doc_method on a posted document with kwargs', async () => {
    const order = await createOrder(demo, `Jay ${tag}`, [{ item_name: 'Plate', qty: 1, rate: 1 }])
    const document = { ...order, items: [...(order.items as Row[]), { item_name: 'Glass', qty: 1, rate: 1 }] }
    const response = body(await v2('POST', '/method/run_doc_method', { method: 'pending_items', document, kwargs: {} }))
    expect(response.data).toEqual(['Plate', 'Glass'])
    expect(((response.docs as Row[])[0]?.items as Row[]).map((row) => row.item_name)).toEqual(['Plate', 'Glass'])
  })

  it('answers an unknown function and an unknown route in v2 error shape', async () => {
    const unknown = await v2('GET', '/method/frappe.nothing.here')
    expect(unknown.status).toBe(417)
    expect(body(unknown).errors).toEqual([expect.objectContaining({ type: 'ValidationError', message: 'Failed to get method for command frappe.nothing.here', title: 'Message', indicator: 'red' })])
    const route = await v2('GET', '/nowhere')
    expect(route.status).toBe(404)
    expect(body(route)).toEqual({ errors: [{ type: 'DoesNotExistError' }] })
  })

  it('resolves a DocType controller function by its module path', async () => {
    const response = await v2('GET', '/method/Sales%20Order/not_a_function')
    expect(response.status).toBe(417)
    expect(body(response).errors).toEqual([expect.objectContaining({ message: 'Failed to get method for command demo.selling.doctype.sales_order.sales_order.not_a_function' })])
  })
})

describe('/api/v2/doctype', () => {
  it('gives the meta and the count of readable rows', async () => {
    const meta = body(await v2('GET', '/doctype/Customer/meta')).data as Row
    expect(meta).toMatchObject({ name: 'Customer', doctype: 'DocType', autoname: 'field:customer_name' })
    const count = await v2('GET', `/doctype/Customer/count?filters=${encodeURIComponent(JSON.stringify([['name', 'like', `%${tag}`]]))}`)
    expect(body(count)).toEqual({ data: 3 })
  })

  it('refuses Guest and users without read', async () => {
    expect((await v2('GET', '/doctype/Customer/meta', undefined, { 'X-Frappe-Site-Name': demo.site.name })).status).toBe(403)
    const nobody = await demo.createUser(freshEmail('v2nobody'), [])
    const refused = await v2('GET', '/doctype/Customer/count', undefined, nobody)
    expect(refused.status).toBe(403)
    expect(body(refused).errors).toEqual([expect.objectContaining({ type: 'PermissionError' })])
    expect((await v2('GET', '/document/Customer', undefined, nobody)).status).toBe(403)
  })
})
