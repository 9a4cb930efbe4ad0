import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverMessages } from '../helpers/http-request.js'
import { createCustomer, createOrder, freshEmail, startDemoServer, type DemoServer } from '../helpers/demo-server.js'
import { addUserPermission, share } from '../helpers/permission-users.js'

type Row = Record<string, unknown>
type Body = Record<string, unknown>

let demo: DemoServer
const tag = Date.now().toString(36)
const body = (response: { body: unknown }): Body => response.body as Body

beforeAll(async () => {
  demo = await startDemoServer()
  for (const [index, name] of ['Ann', 'Bob', 'Cat', 'Annex'].entries()) {
    await createCustomer(demo, { customer_name: `${name} ${tag}`, credit_limit: (index + 1) * 100 })
  }
})
afterAll(() => demo.close())

const post = (path: string, payload: unknown, headers = demo.admin) => demo.request('POST', `/api/method/${path}`, { headers, body: payload })
const get = (path: string, query: Record<string, string>, headers = demo.admin) =>
  demo.request('GET', `/api/method/${path}?${new URLSearchParams(query).toString()}`, { headers })

describe('POST /api/method/frappe.client.get_list', () => {
  it('tolerates the extra keys frappe-ui sends and pages with limit_page_length', async () => {
    const response = await post('frappe.client.get_list', {
      doctype: 'Customer',
      fields: ['name', 'credit_limit'],
      filters: { name: ['like', `%${tag}`] },
      order_by: 'credit_limit asc',
      start: 0,
      limit: 1,
      limit_start: 1,
      limit_page_length: 2,
      group_by: null,
      parent: null,
      debug: false,
      cache: true,
    })
    expect(response.status).toBe(200)
    expect(body(response).message).toEqual([
      { name: `Bob ${tag}`, credit_limit: 200 },
      { name: `Cat ${tag}`, credit_limit: 300 },
    ])
  })

  it('accepts JSON-encoded arguments from a query string', async () => {
    const response = await get('frappe.client.get_list', {
      doctype: 'Customer',
      fields: '["name"]',
      filters: JSON.stringify([['credit_limit', '>', 300]]),
      or_filters: JSON.stringify({ name: ['like', `Annex%`] }),
    })
    expect(body(response).message).toEqual([{ name: `Annex ${tag}` }])
  })

  it('reads a child table only through a readable parent', async () => {
    const order = await createOrder(demo, `Ann ${tag}`, [{ item_name: `Kettle ${tag}`, qty: 1, rate: 30 }])
    const filters = JSON.stringify([['item_name', '=', `Kettle ${tag}`]])
    const withParent = await get('frappe.client.get_list', { doctype: 'Sales Order Item', parent: 'Sales Order', fields: '["item_name","parent"]', filters })
    expect(body(withParent).message).toEqual([{ item_name: `Kettle ${tag}`, parent: order.name }])
    expect((await get('frappe.client.get_list', { doctype: 'Sales Order Item', filters })).status).toBe(403)
    expect((await get('frappe.client.get_list', { doctype: 'Sales Order Item', parent: 'Customer', filters })).status).toBe(403)
    const resource = await demo.request('GET', `/api/resource/Sales%20Order%20Item?parent=Sales%20Order&fields=["item_name"]&filters=${encodeURIComponent(filters)}`, { headers: demo.admin })
    expect(body(resource).data).toEqual([{ item_name: `Kettle ${tag}` }])
  })
})

describe('frappe.client document methods', () => {
  it('gets a document by name, by filters and with nulls', async () => {
    const byName = body(await get('frappe.client.get', { doctype: 'Customer', name: `Bob ${tag}` })).message as Row
    expect(byName).toMatchObject({ name: `Bob ${tag}`, doctype: 'Customer', email_id: null, docstatus: 0 })
    const byFilters = body(await get('frappe.client.get', { doctype: 'Customer', filters: JSON.stringify({ credit_limit: 300 }) })).message as Row
    expect(byFilters.name).toBe(`Cat ${tag}`)
    expect((await get('frappe.client.get', { doctype: 'Customer', name: 'Nobody' })).status).toBe(404)
  })

  it('inserts many documents, at most 200', async () => {
    const docs = [1, 2].map((n) => ({ doctype: 'Customer', customer_name: `Many ${n} ${tag}` }))
    expect(body(await post('frappe.client.insert_many', { docs })).message).toEqual([`Many 1 ${tag}`, `Many 2 ${tag}`])
    const tooMany = await post('frappe.client.insert_many', { docs: JSON.stringify(Array.from({ length: 201 }, (_, n) => ({ doctype: 'Customer', customer_name: `Over ${n}` }))) })
    expect(tooMany.status).toBe(417)
    expect(serverMessages(tooMany.body).at(-1)?.message).toBe('Only 200 inserts allowed in one request')
  })

  it('inserts a child row through its parent and returns the parent', async () => {
    const order = await createOrder(demo, `Ann ${tag}`, [{ item_name: 'Tea', qty: 1, rate: 4 }])
    const response = await post('frappe.client.insert', {
      doc: { doctype: 'Sales Order Item', parenttype: 'Sales Order', parent: order.name, parentfield: 'items', item_name: 'Milk', qty: 2, rate: 1 },
    })
    const parent = body(response).message as Row
    expect(parent).toMatchObject({ name: order.name, doctype: 'Sales Order', grand_total: 6 })
    expect((parent.items as Row[]).map((row) => row.item_name)).toEqual(['Tea', 'Milk'])
  })

  it('saves the document as posted, checked against modified', async () => {
    const order = await createOrder(demo, `Ann ${tag}`, [{ item_name: 'Tea', qty: 1, rate: 4 }])
    const read = body(await get('frappe.client.get', { doctype: 'Sales Order', name: String(order.name) })).message as Row
    const saved = body(await post('frappe.client.save', { doc: { ...read, remarks: 'saved whole' } })).message as Row
    expect(saved).toMatchObject({ remarks: 'saved whole', grand_total: 4 })
    const stale = await post('frappe.client.save', { doc: { ...read, remarks: 'stale' } })
    expect(body(stale).exc_type).toBe('TimestampMismatchError')
  })

  it('updates documents in bulk, reporting failures', async () => {
    const response = await post('frappe.client.bulk_update', {
      docs: JSON.stringify([
        { doctype: 'Customer', docname: `Ann ${tag}`, credit_limit: 150 },
        { doctype: 'Customer', docname: 'Missing Co', credit_limit: 1 },
      ]),
    })
    const failed = (body(response).message as { failed_docs: Array<{ doc: Row; exc: string }> }).failed_docs
    expect(failed).toHaveLength(1)
    expect(failed[0]?.doc.docname).toBe('Missing Co')
    expect(failed[0]?.exc).toContain('DoesNotExistError')
    expect(body(await get('frappe.client.get_value', { doctype: 'Customer', fieldname: 'credit_limit', filters: `Ann ${tag}` })).message).toEqual({ credit_limit: 150 })
  })

  it('answers permission questions about one document', async () => {
    expect(body(await get('frappe.client.has_permission', { doctype: 'Customer', docname: `Ann ${tag}`, perm_type: 'write' })).message).toEqual({ has_permission: true })
    const permissions = (body(await get('frappe.client.get_doc_permissions', { doctype: 'Customer', docname: `Ann ${tag}` })).message as { permissions: Row }).permissions
    expect(permissions).toMatchObject({ read: 1, write: 1, delete: 1 })
  })

  it('validates a link case-insensitively and fetches fields', async () => {
    const response = await get('frappe.client.validate_link', { doctype: 'Customer', docname: `bob ${tag}`.toUpperCase(), fields: '["credit_limit"]' })
    expect(body(response).message).toEqual({ name: `Bob ${tag}`, credit_limit: 200 })
    expect(body(await get('frappe.client.validate_link', { doctype: 'Customer', docname: 'Nope' })).message).toEqual({ name: null })
  })

  it('reports amendments and the time zone', async () => {
    expect(body(await get('frappe.client.is_document_amended', { doctype: 'Sales Order', docname: 'SO-NONE' }))).toEqual({})
    const zone = await demo.request('GET', '/api/method/frappe.client.get_time_zone')
    expect(zone.status).toBe(200)
    expect(typeof (body(zone).message as { time_zone: unknown }).time_zone).toBe('string')
  })

  it('never returns a password', async () => {
    const response = await get('frappe.client.get_password', { doctype: 'User', name: 'Administrator', fieldname: 'api_secret' })
    expect(response.status).toBe(417)
    expect(response.text).not.toContain('scrypt')
  })
})

describe('document methods', () => {
  it('runs a whitelisted method with run_method: GET reads, POST writes', async () => {
    const order = await createOrder(demo, `Cat ${tag}`, [{ item_name: 'Pot', qty: 1, rate: 9 }, { item_name: 'Pan', qty: 1, rate: 8 }])
    const path = `/api/resource/Sales%20Order/${encodeURIComponent(String(order.name))}`
    expect(body(await demo.request('GET', `${path}?run_method=pending_items`, { headers: demo.admin }))).toEqual({ data: ['Pot', 'Pan'] })
    const submitted = await demo.request('POST', path, { headers: demo.admin, body: { run_method: 'submit' } })
    expect(body(submitted).data).toMatchObject({ name: order.name, docstatus: 1 })
    const delivered = await demo.request('POST', path, { headers: demo.admin, body: { run_method: 'mark_delivered', item_name: 'Pot' } })
    expect(body(delivered)).toMatchObject({ data: ['Pan'] })
    const viaV1 = await demo.request('POST', `/api/v1/resource/Sales%20Order/${encodeURIComponent(String(order.name))}`, { headers: demo.admin, body: { run_method: 'pending_items' } })
    expect(body(viaV1).data).toEqual(['Pan'])
  })

  it('refuses methods that are not whitelisted or not allowed for the verb', async () => {
    const order = await createOrder(demo, `Cat ${tag}`, [{ item_name: 'Pot', qty: 1, rate: 9 }])
    const path = `/api/resource/Sales%20Order/${encodeURIComponent(String(order.name))}`
    for (const method of ['validate', 'markDelivered', 'constructor', '__proto__', 'pendingItems']) {
      const response = await demo.request('GET', `${path}?run_method=${method}`, { headers: demo.admin })
      expect(response.status, method).toBe(403)
    }
    const wrongVerb = await demo.request('GET', `${path}?run_method=mark_delivered`, { headers: demo.admin })
    expect(wrongVerb.status).toBe(403)
  })

  it('runs run_doc_method on a stored document and on a posted one, with docs in the reply', async () => {
    const order = await createOrder(demo, `Cat ${tag}`, [{ item_name: 'Fork', qty: 1, rate: 2 }])
    const stored = body(await post('run_doc_method', { dt: 'Sales Order', dn: order.name, method: 'pending_items' }))
    expect(stored.message).toEqual(['Fork'])
    expect((stored.docs as Row[])[0]).toMatchObject({ name: order.name, doctype: 'Sales Order' })
    const posted = { ...order, items: [...(order.items as Row[]), { item_name: 'Knife', qty: 1, rate: 3 }] }
    const inMemory = body(await post('runserverobj', { docs: JSON.stringify(posted), method: 'pending_items' }))
    expect(inMemory.message).toEqual(['Fork', 'Knife'])
    const stale = await post('run_doc_method', { docs: { ...order, modified: '2000-01-01 00:00:00' }, method: 'pending_items' })
    expect(body(stale).exc_type).toBe('TimestampMismatchError')
    const hidden = await post('run_doc_method', { dt: 'Sales Order', dn: order.name, method: 'checkCredit' })
    expect(hidden.status).toBe(403)
  })
})

describe('frappe.desk endpoints', () => {
  it('answers reportview.get with keys, values and user_info', async () => {
    const response = await post('frappe.desk.reportview.get', {
      doctype: 'Customer',
      fields: ['`tabCustomer`.`name`', '`tabCustomer`.`credit_limit`'],
      filters: [['Customer', 'name', 'like', `%${tag}`], ['Customer', 'credit_limit', '<=', 300]],
      order_by: '`tabCustomer`.`credit_limit` desc',
      start: 1,
      page_length: 2,
      view: 'List',
      with_comment_count: 1,
    })
    expect(body(response).message).toEqual({
      keys: ['name', 'credit_limit'],
      values: [[`Bob ${tag}`, 200], [`Ann ${tag}`, 150]],
      user_info: {},
    })
    const none = await post('frappe.desk.reportview.get', { doctype: 'Customer', fields: ['name'], filters: [['name', '=', 'none']] })
    expect(body(none).message).toEqual([])
  })

  it('counts with reportview.get_count and lists with reportview.get_list', async () => {
    const filters = JSON.stringify([['name', 'like', `%${tag}`]])
    expect(body(await get('frappe.desk.reportview.get_count', { doctype: 'Customer', filters })).message).toBeGreaterThanOrEqual(4)
    expect(body(await get('frappe.desk.reportview.get_count', { doctype: 'Customer', filters, limit: '2' })).message).toBe(2)
    const rows = body(await get('frappe.desk.reportview.get_list', { doctype: 'Customer', fields: '["name"]', filters, order_by: 'name asc', page_length: '1' })).message
    expect(rows).toEqual([{ name: `Ann ${tag}` }])
  })

  it('searches links, prefix matches first', async () => {
    const response = await get('frappe.desk.search.search_link', { doctype: 'Customer', txt: 'ann', page_length: '10' })
    const results = body(response).message as Array<{ value: string; description: string }>
    expect(results.map((result) => result.value)).toEqual([`Ann ${tag}`, `Annex ${tag}`])
    expect(results[0]).toEqual({ value: `Ann ${tag}`, description: `Ann ${tag}` })
  })

  it('loads a document with docinfo, and a missing one as an empty message', async () => {
    const response = await get('frappe.desk.form.load.getdoc', { doctype: 'Customer', name: `Bob ${tag}` })
    const payload = body(response)
    expect(payload).not.toHaveProperty('message')
    expect((payload.docs as Row[])[0]).toMatchObject({ name: `Bob ${tag}`, doctype: 'Customer' })
    expect(payload.docinfo).toMatchObject({ doctype: 'Customer', name: `Bob ${tag}`, attachments: [], permissions: { read: 1 } })
    expect((payload.docinfo as { versions: unknown[] }).versions.length).toBeGreaterThanOrEqual(0)
    expect(body(await get('frappe.desk.form.load.getdoc', { doctype: 'Customer', name: 'Nobody' }))).toEqual({ message: [] })
  })

  it('loads a DocType with its child tables', async () => {
    const payload = body(await get('frappe.desk.form.load.getdoctype', { doctype: 'Sales Order' }))
    const docs = payload.docs as Row[]
    expect(docs.map((doc) => doc.name)).toEqual(['Sales Order', 'Sales Order Item'])
    expect(docs[0]).toMatchObject({ doctype: 'DocType', is_submittable: 1 })
    expect((docs[0]?.fields as Row[]).find((field) => field.fieldname === 'customer')).toMatchObject({ doctype: 'DocField', fieldtype: 'Link', options: 'Customer' })
    expect(payload.user_settings).toBe('{}')
  })

  it('saves, submits and cancels through savedocs with a Saved alert', async () => {
    const doc = { doctype: 'Sales Order', name: 'new-sales-order-abc', __islocal: 1, customer: `Bob ${tag}`, items: [{ doctype: 'Sales Order Item', name: 'new-sales-order-item-1', __islocal: 1, item_name: 'Jar', qty: 3, rate: 2 }] }
    const saved = await post('frappe.desk.form.save.savedocs', { doc: JSON.stringify(doc), action: 'Save' })
    expect(saved.status).toBe(200)
    const [first] = body(saved).docs as Row[]
    expect(first).toMatchObject({ doctype: 'Sales Order', localname: 'new-sales-order-abc', docstatus: 0, grand_total: 6 })
    expect(String(first?.name)).toMatch(/^SO-/)
    expect(serverMessages(saved.body)).toEqual([{ message: 'Saved', title: 'Message', indicator: 'green', alert: 1 }])
    const submitted = body(await post('frappe.desk.form.save.savedocs', { doc: first, action: 'Submit' })).docs as Row[]
    expect(submitted[0]).toMatchObject({ docstatus: 1, status: 'To Deliver' })
    const cancelled = await post('frappe.desk.form.save.cancel', { doctype: 'Sales Order', name: first?.name })
    expect((body(cancelled).docs as Row[])[0]).toMatchObject({ docstatus: 2 })
    expect(serverMessages(cancelled.body).at(-1)).toMatchObject({ message: 'Cancelled', indicator: 'red' })
  })
})

describe('legacy cmd', () => {
  it('calls the function named by cmd on any path', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: demo.admin.Authorization ?? '' }
    const atRoot = await demo.request('POST', '/', { headers: form, body: 'cmd=frappe.client.get_count&doctype=Customer&filters=%7B%22name%22%3A%22Ann%20' + tag + '%22%7D' })
    expect(body(atRoot)).toEqual({ message: 1 })
    expect(body(await demo.request('GET', '/some/page?cmd=ping'))).toEqual({ message: 'pong' })
    expect((await demo.request('GET', '/no/such/page')).status).toBe(404)
  })
})

describe('permissions through the client API', () => {
  let sales: Record<string, string>
  let nobody: Record<string, string>

  beforeAll(async () => {
    sales = await demo.createUser(freshEmail('sales'), ['Sales User'])
    nobody = await demo.createUser(freshEmail('nobody'), [])
  })

  it('lets a Sales User list and read, but not delete customers', async () => {
    const rows = body(await post('frappe.client.get_list', { doctype: 'Customer', filters: { name: `Ann ${tag}` } }, sales)).message
    expect(rows).toEqual([{ name: `Ann ${tag}` }])
    const deleted = await post('frappe.client.delete', { doctype: 'Customer', name: `Ann ${tag}` }, sales)
    expect(deleted.status).toBe(403)
    expect(body(await post('frappe.client.has_permission', { doctype: 'Customer', docname: `Ann ${tag}`, perm_type: 'delete' }, sales)).message).toEqual({ has_permission: false })
  })

  it('refuses a user without roles everywhere with 403', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['frappe.client.get_list', { doctype: 'Customer' }],
      ['frappe.client.get_count', { doctype: 'Customer' }],
      ['frappe.client.get', { doctype: 'Customer', name: `Ann ${tag}` }],
      ['frappe.client.get_value', { doctype: 'Customer', fieldname: 'credit_limit', filters: `Ann ${tag}` }],
      ['frappe.client.set_value', { doctype: 'Customer', name: `Ann ${tag}`, fieldname: 'credit_limit', value: 1 }],
      ['frappe.client.insert', { doc: { doctype: 'Customer', customer_name: `Intruder ${tag}` } }],
      ['frappe.desk.reportview.get', { doctype: 'Customer', fields: ['name'] }],
      ['frappe.desk.reportview.get_count', { doctype: 'Customer' }],
      ['frappe.desk.search.search_link', { doctype: 'Customer', txt: 'a' }],
      ['frappe.desk.form.load.getdoc', { doctype: 'Customer', name: `Ann ${tag}` }],
      ['run_doc_method', { dt: 'Customer', dn: `Ann ${tag}`, method: 'submit' }],
      ['frappe.client.get_password', { doctype: 'User', name: 'Administrator', fieldname: 'password' }],
    ]
    for (const [path, payload] of calls) expect((await post(path, payload, nobody)).status, path).toBe(403)
  })

  it('refuses Guest except for guest functions', async () => {
    expect((await demo.request('POST', '/api/method/frappe.client.get_list', { body: { doctype: 'Customer' } })).status).toBe(403)
    expect((await demo.request('GET', '/api/method/frappe.client.get_time_zone')).status).toBe(200)
  })

  // Issue 3: counting is reading; what a user may not list, they may not count either.
  it('refuses Guest a count or a list of any DocType with 403 PermissionError', async () => {
    for (const doctype of ['Customer', 'Note', 'ToDo', 'User']) {
      for (const path of ['frappe.client.get_count', 'frappe.client.get_list', 'frappe.desk.reportview.get_count', 'frappe.desk.reportview.get_list']) {
        const response = await demo.request('POST', `/api/method/${path}`, { body: { doctype } })
        expect(response.status, `${path} ${doctype}`).toBe(403)
        expect(body(response).exc_type).toBe('PermissionError')
      }
      expect((await demo.request('GET', `/api/v2/doctype/${doctype}/count`)).status).toBe(403)
      expect((await demo.request('GET', `/api/resource/${doctype}`)).status).toBe(403)
    }
  })

  it('counts for a user exactly the rows the same filters list', async () => {
    const restricted = freshEmail('restricted')
    const headers = await demo.createUser(restricted, ['Sales User'])
    await addUserPermission(demo.site, restricted, 'Customer', `Bob ${tag}`)
    const sharedOnly = freshEmail('shared')
    const sharedHeaders = await demo.createUser(sharedOnly, [])
    await share(demo.site, 'Customer', `Cat ${tag}`, sharedOnly)
    const filters = JSON.stringify([['name', 'like', `%${tag}`]])
    const cases = [[headers, [`Bob ${tag}`]], [sharedHeaders, [`Cat ${tag}`]], [demo.admin, undefined]] as const
    for (const [user, names] of cases) {
      const listed = body(await post('frappe.client.get_list', { doctype: 'Customer', filters, order_by: 'name asc', limit_page_length: 0 }, user)).message as Row[]
      if (names) expect(listed.map((row) => row.name)).toEqual(names)
      else expect(listed.length).toBeGreaterThanOrEqual(4) // Administrator sees every customer of the file
      expect(body(await post('frappe.client.get_count', { doctype: 'Customer', filters }, user)).message).toBe(listed.length)
      expect(body(await post('frappe.desk.reportview.get_count', { doctype: 'Customer', filters }, user)).message).toBe(listed.length)
      const reportRows = body(await post('frappe.desk.reportview.get_list', { doctype: 'Customer', fields: ['name'], filters, page_length: 0 }, user)).message as Row[]
      expect(reportRows).toHaveLength(listed.length)
      const v2Count = await demo.request('GET', `/api/v2/doctype/Customer/count?filters=${encodeURIComponent(filters)}`, { headers: user })
      expect(body(v2Count)).toEqual({ data: listed.length })
    }
  })
})
