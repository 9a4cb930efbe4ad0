import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverMessages } from '../helpers/http-request.js'
import { createCustomer, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

type Body = Record<string, unknown>

let demo: DemoServer
const tag = Date.now().toString(36)
const body = (response: { body: unknown }): Body => response.body as Body

beforeAll(async () => {
  demo = await startDemoServer()
  await createCustomer(demo, { customer_name: `Hal ${tag}`, credit_limit: 10 })
})
afterAll(() => demo.close())

/** Every failure is a Frappe-shaped 4xx (issue #3, point 4). */
function expectFrappeError(response: { status: number; body: unknown }, status: number, excType?: string): void {
  expect(response.status).toBe(status)
  const payload = body(response)
  if (excType) expect(payload.exc_type).toBe(excType)
  expect(typeof payload.exc_type).toBe('string')
  expect(serverMessages(payload).length).toBeGreaterThan(0)
}

describe('malformed and oversized bodies', () => {
  it('answers malformed JSON with 417', async () => {
    const headers = { ...demo.admin, 'Content-Type': 'application/json' }
    for (const text of ['{"doctype": "Customer"', '{doctype: Customer}', '[1,', 'nul']) {
      expectFrappeError(await demo.request('POST', '/api/method/frappe.client.insert', { headers, body: text }), 417, 'ValidationError')
    }
    const v2 = await demo.request('POST', '/api/v2/document/Customer', { headers, body: '{"customer_name":' })
    expect(v2.status).toBe(417)
    expect(body(v2).errors).toEqual([expect.objectContaining({ type: 'ValidationError' })])
  })

  it('refuses a body nested deeper than 32 levels with 417', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`
    expectFrappeError(await demo.request('POST', '/api/method/frappe.client.insert', { headers: demo.admin, body: deep }), 417, 'ValidationError')
    const deepList = `{"docs": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    expectFrappeError(await demo.request('POST', '/api/method/frappe.client.insert_many', { headers: demo.admin, body: deepList }), 417)
  })

  it('refuses a body over the size limit with 413', async () => {
    const huge = JSON.stringify({ customer_name: 'x'.repeat(11 * 1024 * 1024) })
    const response = await demo.request('POST', '/api/resource/Customer', { headers: demo.admin, body: huge })
    expect(response.status).toBe(413)
    expect(body(response).exc_type).toBe('ValidationError')
  })
})

describe('wrong argument types', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['frappe.client.get_list', { doctype: ['Customer'] }],
    ['frappe.client.get_list', { doctype: 'Customer', fields: 'name, (select 1)' }],
    ['frappe.client.get_list', { doctype: 'Customer', filters: 42 }],
    ['frappe.client.get_list', { doctype: 'Customer', order_by: ['name'] }],
    ['frappe.client.get', { doctype: 'Customer', name: { $ne: null } }],
    ['frappe.client.get_value', { doctype: 'Customer', fieldname: { a: 1 } }],
    ['frappe.client.insert', { doc: 'not json' }],
    ['frappe.client.insert', { doc: ['Customer'] }],
    ['frappe.client.insert', { doc: { customer_name: 'No DocType' } }],
    ['frappe.client.insert', { doc: { doctype: 'Customer', customer_name: 'Rows', credit_limit: [1, 2] } }],
    ['frappe.client.insert', { doc: { doctype: 'Sales Order', customer: `Hal ${tag}`, items: 'not a list' } }],
    ['frappe.client.insert_many', { docs: { doctype: 'Customer' } }],
    ['frappe.client.insert_many', { docs: ['Customer'] }],
    ['frappe.client.save', {}],
    ['frappe.client.set_value', { doctype: 'Customer', name: `Hal ${tag}`, fieldname: ['credit_limit'], value: 5 }],
    ['frappe.client.set_value', { doctype: 'Customer', name: `Hal ${tag}`, fieldname: '[1,2]' }],
    ['frappe.client.rename_doc', { doctype: 'Customer', old_name: `Hal ${tag}`, new_name: { x: 1 } }],
    ['frappe.client.bulk_update', { docs: 'nope' }],
    ['frappe.client.has_permission', { doctype: 'Customer', docname: `Hal ${tag}`, perm_type: 'everything' }],
    ['frappe.desk.reportview.get', { doctype: 'Customer', fields: ['name'], page_length: 'all' }],
    ['frappe.desk.search.search_link', { doctype: 'Customer', txt: 'a', page_length: -1 }],
    ['frappe.desk.form.save.savedocs', { doc: {}, action: 'Explode' }],
    ['run_doc_method', { dt: 'Customer', dn: `Hal ${tag}` }],
    ['run_doc_method', { docs: '[]', method: 'submit' }],
  ]
  for (const [path, payload] of cases) {
    it(`answers ${path} ${JSON.stringify(payload).slice(0, 60)} with a 4xx`, async () => {
      const response = await demo.request('POST', `/api/method/${path}`, { headers: demo.admin, body: payload })
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      expect(typeof body(response).exc_type).toBe('string')
    })
  }

  it('ignores fields the DocType does not have, and does not echo them', async () => {
    const response = await demo.request('POST', '/api/resource/Customer', { headers: demo.admin, body: { customer_name: `Ike ${tag}`, no_such_field: 'x', __islocal: 1 } })
    expect(response.status).toBe(200)
    expect(body(response).data).not.toHaveProperty('no_such_field')
    const fetched = body(await demo.request('POST', '/api/method/frappe.client.get', { headers: demo.admin, body: { doctype: 'Customer', name: `Ike ${tag}` } })).message
    expect(fetched).not.toHaveProperty('no_such_field')
  })
})

describe('bad limits', () => {
  it('answers negative and non-numeric limits with 417 everywhere', async () => {
    const paths = [
      '/api/resource/Customer?limit_page_length=-1',
      '/api/resource/Customer?limit=abc',
      '/api/resource/Customer?limit_start=-5',
      '/api/resource/Customer?limit_page_length=1.5',
      '/api/method/frappe.client.get_list?doctype=Customer&limit_page_length=ten',
      '/api/method/frappe.desk.reportview.get_count?doctype=Customer&limit=-1',
      '/api/v2/document/Customer?limit=-3',
    ]
    for (const path of paths) {
      const response = await demo.request('GET', path, { headers: demo.admin })
      expect(response.status, path).toBe(417)
    }
  })

  it('treats limit=0 as every row on /api/resource and limit_page_length=0 likewise', async () => {
    for (let n = 0; n < 21; n++) await createCustomer(demo, { customer_name: `Bulk ${n} ${tag}` })
    const filters = encodeURIComponent(JSON.stringify([['name', 'like', `Bulk %${tag}`]]))
    const page = body(await demo.request('GET', `/api/resource/Customer?filters=${filters}`, { headers: demo.admin })).data as unknown[]
    expect(page).toHaveLength(20)
    const all = body(await demo.request('GET', `/api/resource/Customer?filters=${filters}&limit=0`, { headers: demo.admin })).data as unknown[]
    expect(all).toHaveLength(21)
    const allToo = body(await demo.request('GET', `/api/v1/resource/Customer?filters=${filters}&limit_page_length=0`, { headers: demo.admin })).data as unknown[]
    expect(allToo).toHaveLength(21)
    const limited = body(await demo.request('GET', `/api/resource/Customer?filters=${filters}&limit=5`, { headers: demo.admin })).data as unknown[]
    expect(limited).toHaveLength(5)
  })
})

describe('prototype keys', () => {
  it('change nothing in bodies, filters and documents', async () => {
    const poisoned = `{"customer_name": "Poison ${tag}", "__proto__": {"polluted": "yes", "credit_limit": 999}, "constructor": {"prototype": {"polluted": "yes"}}}`
    const inserted = await demo.request('POST', '/api/resource/Customer', { headers: demo.admin, body: poisoned })
    expect(inserted.status).toBe(200)
    expect(body(inserted).data).not.toHaveProperty('credit_limit', 999)
    const viaClient = await demo.request('POST', '/api/method/frappe.client.insert', {
      headers: demo.admin,
      body: `{"doc": {"doctype": "Customer", "customer_name": "Poison2 ${tag}", "__proto__": {"polluted": "yes"}}}`,
    })
    expect(viaClient.status).toBe(200)
    const setValue = await demo.request('POST', '/api/method/frappe.client.set_value', {
      headers: demo.admin,
      body: { doctype: 'Customer', name: `Poison ${tag}`, fieldname: '{"__proto__": {"polluted": "yes"}, "credit_limit": 3}' },
    })
    expect(setValue.status).toBe(200)
    expect((body(setValue).message as Body).credit_limit).toBe(3)
    for (const filters of ['{"__proto__": {"name": "x"}}', '[["__proto__", "=", "x"]]', '{"constructor": "x"}']) {
      const response = await demo.request('GET', `/api/resource/Customer?filters=${encodeURIComponent(filters)}`, { headers: demo.admin })
      expect(response.status, filters).toBeLessThan(500)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('never a 500', () => {
  it('answers a spread of odd requests with 2xx or 4xx', async () => {
    const values: unknown[] = [null, true, 0, -1, 1e309, '', ' ', 'x'.repeat(5000), [], {}, [[]], { a: { b: [] } }, '[]', '{}', 'null', '"', '\u0000', '%', "'; drop table x; --"]
    const paths = [
      'frappe.client.get_list', 'frappe.client.get_count', 'frappe.client.get', 'frappe.client.get_value', 'frappe.client.set_value',
      'frappe.client.insert', 'frappe.client.delete', 'frappe.client.validate_link', 'frappe.desk.reportview.get', 'frappe.desk.search.search_link',
      'frappe.desk.form.load.getdoc', 'run_doc_method',
    ]
    const keys = ['doctype', 'name', 'filters', 'fields', 'fieldname', 'doc', 'docs', 'txt', 'method', 'dt', 'dn', 'value']
    let n = 0
    for (const path of paths) {
      for (const value of values) {
        const key = keys[n++ % keys.length] ?? 'doctype'
        const payload = { doctype: 'Customer', name: `Hal ${tag}`, fieldname: 'credit_limit', txt: 'h', method: 'pending_items', [key]: value }
        const response = await demo.request('POST', `/api/method/${path}`, { headers: demo.admin, body: payload })
        expect(response.status, `${path} ${key}=${JSON.stringify(value)?.slice(0, 40)}: ${response.text.slice(0, 200)}`).toBeLessThan(500)
      }
    }
  })
})
