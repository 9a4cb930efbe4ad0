import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { CookieJar } from '../helpers/cookie-jar.js'

let bench: TestBench
let site: Site
let url: string
let host: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  site = await bench.newSite('auth-csrf.test', { allow_cors: ['https://partner.example'] })
  url = (await bench.startServer()).url
  host = new URL(url).host
})

afterAll(async () => {
  await bench.close()
})

const siteHeader = () => ({ 'x-frappe-site-name': site.name })

async function loggedIn(): Promise<CookieJar> {
  const jar = new CookieJar()
  const response = await jar.fetch(`${url}/api/method/login`, {
    method: 'POST',
    headers: { ...siteHeader(), 'content-type': 'application/json' },
    body: JSON.stringify({ usr: 'Administrator', pwd: 'admin' }),
  })
  expect(response.status).toBe(200)
  return jar
}

/** Boot info as the desk loads it: this hands the session its CSRF token. */
async function bootToken(jar: CookieJar): Promise<string> {
  const response = await jar.fetch(`${url}/api/method/frappe.sessions.get`, { headers: siteHeader() })
  const body = (await response.json()) as { message: { user: { name: string }; csrf_token: string } }
  expect(body.message.user.name).toBe('Administrator')
  return body.message.csrf_token
}

function createTodo(jar: CookieJar, headers: Record<string, string> = {}): Promise<Response> {
  return jar.fetch(`${url}/api/resource/ToDo`, {
    method: 'POST',
    headers: { ...siteHeader(), 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ description: `csrf ${randomId(4)}` }),
  })
}

describe('CSRF tokens (spec 5.4)', () => {
  it('lets a session that was never handed a token write without one, as Frappe does', async () => {
    const jar = await loggedIn()
    expect((await createTodo(jar)).status).toBe(200)
  })

  it('refuses unsafe requests without the token once frappe.sessions.get handed it out', async () => {
    const jar = await loggedIn()
    const token = await bootToken(jar)
    expect(token).toMatch(/^[0-9a-f]{56}$/)
    const missing = await createTodo(jar)
    expect(missing.status).toBe(400)
    expect(await missing.json()).toMatchObject({ exc_type: 'CSRFTokenError', exception: 'frappe.exceptions.CSRFTokenError: Invalid Request' })
    expect((await createTodo(jar, { 'x-frappe-csrf-token': 'f'.repeat(56) })).status).toBe(400)
    expect((await createTodo(jar, { 'x-frappe-csrf-token': token })).status).toBe(200)
  })

  it('hands the same token out again and leaves safe requests unchecked', async () => {
    const jar = await loggedIn()
    const token = await bootToken(jar)
    expect(await bootToken(jar)).toBe(token)
    const read = await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: siteHeader() })
    expect(read.status).toBe(200)
  })

  it('accepts the token as a csrf_token form field', async () => {
    const jar = await loggedIn()
    const token = await bootToken(jar)
    const response = await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: token }).toString(),
    })
    expect(response.status).toBe(200)
  })

  it('embeds the token in the desk page /app and checks it from then on', async () => {
    const jar = await loggedIn()
    const page = await jar.fetch(`${url}/app`, { headers: siteHeader() })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const token = /frappe\.csrf_token = "([0-9a-f]{56})"/.exec(await page.text())?.[1]
    expect(token).toBeDefined()
    expect(await bootToken(jar)).toBe(token)
    expect((await createTodo(jar)).status).toBe(400)
    expect((await createTodo(jar, { 'x-frappe-csrf-token': token ?? '' })).status).toBe(200)
  })

  it('sends a Guest at /app to the login page', async () => {
    const response = await fetch(`${url}/app`, { headers: siteHeader(), redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?redirect-to=%2Fapp')
  })

  it('makes logout an unsafe request like any other', async () => {
    const jar = await loggedIn()
    const token = await bootToken(jar)
    expect((await jar.fetch(`${url}/api/method/logout`, { method: 'POST', headers: siteHeader() })).status).toBe(400)
    expect((await jar.fetch(`${url}/api/method/logout`, { method: 'POST', headers: { ...siteHeader(), 'x-frappe-csrf-token': token } })).status).toBe(200)
  })
})

describe('cross-site requests with cookies', () => {
  it('refuses an unsafe request marked Sec-Fetch-Site: cross-site, even with the right token', async () => {
    const jar = await loggedIn()
    const token = await bootToken(jar)
    const response = await createTodo(jar, { 'x-frappe-csrf-token': token, 'sec-fetch-site': 'cross-site' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ exc_type: 'CSRFTokenError' })
  })

  it('refuses an unsafe request whose Origin is not the host, and allows a matching one', async () => {
    const jar = await loggedIn()
    expect((await createTodo(jar, { origin: 'https://evil.example' })).status).toBe(400)
    expect((await createTodo(jar, { origin: 'null' })).status).toBe(400)
    expect((await createTodo(jar, { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200)
  })

  it('trusts origins that allow_cors lists', async () => {
    const jar = await loggedIn()
    expect((await createTodo(jar, { origin: 'https://partner.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200)
  })

  it('lets cross-site reads through', async () => {
    const jar = await loggedIn()
    const response = await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: { ...siteHeader(), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
    expect(response.status).toBe(200)
  })

  it('refuses a login posted from another site', async () => {
    const response = await fetch(`${url}/api/method/login`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ usr: 'Administrator', pwd: 'admin' }).toString(),
    })
    expect(response.status).toBe(400)
    expect(response.headers.getSetCookie().some((cookie) => /^sid=[0-9a-f]/.test(cookie))).toBe(false)
  })
})

describe('header authentication and CSRF', () => {
  it('needs no CSRF token and no same-site context for token or Basic auth', async () => {
    const keys = await fetch(`${url}/api/method/frappe.core.doctype.user.user.generate_keys`, {
      method: 'POST',
      headers: { ...siteHeader(), authorization: basicAuth('Administrator', 'admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'Administrator' }),
    })
    const secret = ((await keys.json()) as { message: { api_secret: string } }).message.api_secret
    const row = await site.services.database.reader.selectFrom('tabUser').select('api_key').where('name', '=', 'Administrator').executeTakeFirstOrThrow()
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
    const guestJar = new CookieJar()
    expect((await createTodo(guestJar, { authorization: `token ${String(row.api_key)}:${secret}`, ...crossSite })).status).toBe(200)
    expect((await createTodo(guestJar, { authorization: basicAuth('Administrator', 'admin'), ...crossSite })).status).toBe(200)
  })
})
