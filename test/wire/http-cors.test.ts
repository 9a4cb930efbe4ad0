import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'

// Spec 12.2: `allow_cors` decides which origins may call the API from a browser.
describe('CORS on /api', () => {
  let bench: TestBench
  let server: RunningServer
  const APP = 'https://app.example.com'

  beforeAll(async () => {
    bench = await createTestBench()
    await bench.newSite('listed.test', { allow_cors: [APP] })
    await bench.newSite('star.test', { allow_cors: '*' })
    await bench.newSite('closed.test')
    server = await bench.startServer()
  })
  afterAll(() => bench.close())

  const call = (site: string, origin: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/method/frappe.auth.get_logged_user`, {
      ...init,
      headers: { 'X-Frappe-Site-Name': site, Origin: origin, Authorization: basicAuth('Administrator', 'admin'), ...(init.headers as Record<string, string>) },
    })

  it('echoes a listed origin with credentials', async () => {
    const response = await call('listed.test', APP)
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP)
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
  })

  it('answers a preflight with an empty 200, the methods and the requested headers, cacheable for a day', async () => {
    const response = await call('listed.test', APP, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-frappe-csrf-token' },
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,x-frappe-csrf-token')
    expect(response.headers.get('access-control-max-age')).toBe('86400')
  })

  it('admits any origin for "*" but never with credentials', async () => {
    const response = await call('star.test', 'https://anywhere.example.org')
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example.org')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('sends no CORS headers for an origin the site does not list', async () => {
    for (const [site, origin] of [['listed.test', 'https://evil.example.com'], ['closed.test', APP]] as const) {
      const response = await call(site, origin)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
  })
})
