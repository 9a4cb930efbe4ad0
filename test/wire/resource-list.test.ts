import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'

describe('GET /api/resource/:doctype', () => {
  let bench: TestBench
  let server: RunningServer
  let headers: Record<string, string>

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
    const site = await bench.newSite()
    server = await bench.startServer()
    headers = { Authorization: basicAuth('Administrator', 'admin'), 'X-Frappe-Site-Name': site.name, 'Content-Type': 'application/json' }
    for (const [name, limit] of [['Alpha Co', 100], ['Beta Co', 200], ['Gamma Co', 300]] as const) {
      const response = await fetch(`${server.url}/api/resource/Customer`, { method: 'POST', headers, body: JSON.stringify({ customer_name: name, credit_limit: limit }) })
      expect(response.status).toBe(200)
    }
  })
  afterAll(() => bench.close())

  const list = async (query: string) => {
    const response = await fetch(`${server.url}/api/resource/Customer?${query}`, { headers })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('filters, orders and pages with JSON-encoded query parameters', async () => {
    const fields = encodeURIComponent('["name","credit_limit"]')
    const filters = encodeURIComponent('[["credit_limit",">=",200]]')
    const { status, body } = await list(`fields=${fields}&filters=${filters}&order_by=credit_limit%20desc&limit_page_length=1`)
    expect(status).toBe(200)
    expect(body.data).toEqual([{ name: 'Gamma Co', credit_limit: 300 }])
  })

  it('defaults to the name field', async () => {
    const { body } = await list('order_by=name%20asc')
    expect(body.data).toEqual([{ name: 'Alpha Co' }, { name: 'Beta Co' }, { name: 'Gamma Co' }])
  })

  it('answers an unknown field with a 417 DataError and no SQL from the client', async () => {
    const { status, body } = await list(`fields=${encodeURIComponent('["name","(select 1)"]')}`)
    expect(status).toBe(417)
    expect(body.exc_type).toBe('DataError')
    const injected = await list(`order_by=${encodeURIComponent('name; drop table "tabCustomer"')}`)
    expect(injected.status).toBe(417)
    expect((await list('')).body.data).toHaveLength(3)
  })

  it('refuses a Guest with 403', async () => {
    const response = await fetch(`${server.url}/api/resource/Customer`, { headers: { 'X-Frappe-Site-Name': headers['X-Frappe-Site-Name'] ?? '' } })
    expect(response.status).toBe(403)
    expect(((await response.json()) as Record<string, unknown>).exc_type).toBe('PermissionError')
  })
})
