import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'

let bench: TestBench
let url: string

beforeAll(async () => {
  // default_site and developer_mode come from common_site_config.json; gamma turns the latter off.
  bench = await createTestBench({
    apps: ['context_test'],
    appsPath: APPS_PATHS.fixtures,
    common: { default_site: 'beta.test', developer_mode: 1 },
  })
  await bench.newSite('alpha.test')
  await bench.newSite('beta.test')
  await bench.newSite('gamma.test', { developer_mode: 0 })
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

async function whoami(headers: Record<string, string>): Promise<{ site: string; body: Record<string, unknown> }> {
  const response = await sendRequest(`${url}/api/method/context_test.api.whoami`, {
    headers: { authorization: basicAuth('Administrator', 'admin'), ...headers },
  })
  expect(response.status, response.text).toBe(200)
  const body = response.body as { message: { site: string } }
  return { site: body.message.site, body: response.body as Record<string, unknown> }
}

describe('site resolution', () => {
  it('takes X-Frappe-Site-Name before the Host header', async () => {
    expect((await whoami({ 'x-frappe-site-name': 'alpha.test', host: 'gamma.test' })).site).toBe('alpha.test')
    expect((await whoami({ 'x-frappe-site-name': 'gamma.test', host: 'alpha.test' })).site).toBe('gamma.test')
  })

  it('takes the Host header, without its port, when there is no X-Frappe-Site-Name', async () => {
    expect((await whoami({ host: 'gamma.test' })).site).toBe('gamma.test')
    expect((await whoami({ host: 'alpha.test:8000' })).site).toBe('alpha.test')
  })

  it('answers 404 when X-Frappe-Site-Name names a site that does not exist, as Frappe does', async () => {
    const response = await sendRequest(`${url}/api/method/context_test.api.whoami`, {
      headers: { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': 'missing.test', host: 'gamma.test' },
    })
    expect(response.status).toBe(404)
    expect((response.body as Record<string, unknown>).exc_type).toBe('DoesNotExistError')
  })

  it('falls back to default_site from common_site_config.json', async () => {
    expect((await whoami({})).site).toBe('beta.test') // Host is 127.0.0.1:<port>
    expect((await whoami({ host: 'unknown.test' })).site).toBe('beta.test')
  })

  it('never resolves a path-like site name', async () => {
    const response = await sendRequest(`${url}/api/method/context_test.api.whoami`, {
      headers: { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': '../beta.test' },
    })
    expect(response.status).toBe(404)
    expect((await whoami({ host: '..' })).site).toBe('beta.test') // an unusable Host falls back to default_site
  })
})

describe('common_site_config.json', () => {
  it('reaches every site unless the site config overrides it', async () => {
    for (const site of ['alpha.test', 'beta.test']) {
      const { body } = await whoami({ 'x-frappe-site-name': site })
      expect(body._debug_trace).toEqual([]) // developer mode is on; a method that runs no SQL traces nothing
    }
    const { body } = await whoami({ 'x-frappe-site-name': 'gamma.test' })
    expect(body).not.toHaveProperty('_debug_trace')
  })
})
