import { FrappeApp } from 'frappe-js-sdk'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from './bench.js'
import { sendRequest, type RawResponse } from './http-request.js'

/** The demo app served on a free port, with helpers to call it as a client would. */
export interface DemoServer {
  readonly bench: TestBench
  readonly site: Site
  readonly server: RunningServer
  /** Headers for Administrator (Basic auth) on the demo site, JSON body. */
  readonly admin: Record<string, string>
  /** One request with any method, headers and body; JSON bodies are sent as JSON. */
  request(method: string, path: string, options?: { headers?: Record<string, string>; body?: unknown }): Promise<RawResponse>
  /** frappe-js-sdk's FrappeApp with `token key:secret` auth on the demo site. */
  sdk(token: string): FrappeApp
  /** frappe-js-sdk with Basic auth passed as a custom header. */
  sdkBasic(user: string, password: string): FrappeApp
  /** Creates a user with a password and roles; returns its Basic-auth headers. */
  createUser(email: string, roles: readonly string[]): Promise<Record<string, string>>
  /** Generates an API key pair for a user (as Administrator) and returns `key:secret`. */
  apiToken(user: string): Promise<string>
  close(): Promise<void>
}

let userCounter = 0

/** A unique email for a test user. */
export function freshEmail(prefix = 'user'): string {
  return `${prefix}${Date.now().toString(36)}${++userCounter}@example.com`
}

export async function startDemoServer(): Promise<DemoServer> {
  const bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  const site = await bench.newSite()
  const server = await bench.startServer()
  const siteHeader = { 'X-Frappe-Site-Name': site.name }
  const admin = { ...siteHeader, Authorization: basicAuth('Administrator', 'admin'), 'Content-Type': 'application/json' }
  const request: DemoServer['request'] = (method, path, options = {}) =>
    sendRequest(`${server.url}${path}`, { method, headers: { ...siteHeader, ...options.headers }, body: options.body })
  const demo: DemoServer = {
    bench,
    site,
    server,
    admin,
    request,
    sdk: (token) => new FrappeApp(server.url, { useToken: true, token: () => token, type: 'token' }, 'cortado', siteHeader),
    sdkBasic: (user, password) => new FrappeApp(server.url, undefined, 'cortado', { ...siteHeader, Authorization: basicAuth(user, password) }),
    async createUser(email, roles) {
      const body = { email, first_name: email.split('@')[0], new_password: 'secret-Pass-1', roles: roles.map((role) => ({ role })) }
      const response = await request('POST', '/api/resource/User', { headers: admin, body })
      if (response.status !== 200) throw new Error(`creating ${email}: ${response.status} ${response.text}`)
      return { ...siteHeader, Authorization: basicAuth(email, 'secret-Pass-1'), 'Content-Type': 'application/json' }
    },
    async apiToken(user) {
      const keys = await request('POST', '/api/method/frappe.core.doctype.user.user.generate_keys', { headers: admin, body: { user } })
      const secret = (keys.body as { message?: { api_secret?: string } }).message?.api_secret
      const stored = await request('GET', `/api/resource/User/${encodeURIComponent(user)}`, { headers: admin })
      const key = (stored.body as { data?: { api_key?: string } }).data?.api_key
      if (!secret || !key) throw new Error(`no API key for ${user}: ${keys.text}`)
      return `${key}:${secret}`
    },
    close: () => bench.close(),
  }
  return demo
}

/** A customer through the API; returns its name. */
export async function createCustomer(demo: DemoServer, values: Record<string, unknown>): Promise<string> {
  const response = await demo.request('POST', '/api/resource/Customer', { headers: demo.admin, body: values })
  if (response.status !== 200) throw new Error(`creating a customer: ${response.status} ${response.text}`)
  return String((response.body as { data: { name: string } }).data.name)
}

/** A draft Sales Order for `customer` with the given items; returns the document. */
export async function createOrder(demo: DemoServer, customer: string, items: ReadonlyArray<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const response = await demo.request('POST', '/api/resource/Sales%20Order', { headers: demo.admin, body: { customer, items } })
  if (response.status !== 200) throw new Error(`creating an order: ${response.status} ${response.text}`)
  return (response.body as { data: Record<string, unknown> }).data
}
