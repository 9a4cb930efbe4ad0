import { join } from 'node:path'
import { FrappeApp } from 'frappe-js-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSites, startServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { inTransaction } from '../../src/db/index.js'
import { getDocument, insertDocument, newDocument, saveDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, createTestBench, runAs, silentLogger, type TestBench } from '../helpers/bench.js'
import { CookieJar, cookiesOf } from '../helpers/cookie-jar.js'

let bench: TestBench
let site: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  site = await bench.newSite('auth-login.test', { session_expiry: '06:00' })
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

interface NewUser {
  readonly email: string
  readonly password: string
}

async function newUser(values: Record<string, unknown> = {}): Promise<NewUser> {
  const email = `login-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  await runAs(site, () => insertDocument(newDocument('User', { email, first_name: 'Jane', last_name: 'Doe', new_password: password, ...values })))
  return { email, password }
}

const siteHeader = () => ({ 'x-frappe-site-name': site.name })

function login(jar: CookieJar, user: NewUser, body: 'json' | 'form' = 'json'): Promise<Response> {
  const payload = body === 'json'
    ? { headers: { ...siteHeader(), 'content-type': 'application/json' }, body: JSON.stringify({ usr: user.email, pwd: user.password }) }
    : { headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ usr: user.email, pwd: user.password }).toString() }
  return jar.fetch(`${url}/api/method/login`, { method: 'POST', ...payload })
}

async function loggedUser(jar: CookieJar, query = ''): Promise<{ status: number; user?: string }> {
  const response = await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user${query}`, { headers: siteHeader() })
  const body = (await response.json()) as { message?: string }
  return { status: response.status, user: body.message }
}

async function sessionRows(user: string): Promise<Array<Record<string, unknown>>> {
  return site.services.database.reader.selectFrom('tabSessions').selectAll().where('user', '=', user).execute()
}

/** A Frappe datetime `minutes` ago, to make a session look idle without waiting. */
function minutesAgo(minutes: number): string {
  const date = new Date(Date.now() - minutes * 60_000)
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.000000`
}

async function ageSessions(user: string, minutes: number): Promise<void> {
  await runAs(site, () => inTransaction((tx) => tx.updateTable('tabSessions').set({ lastupdate: minutesAgo(minutes) }).where('user', '=', user).execute()))
}

describe('POST /api/method/login', () => {
  it('logs in with a JSON body and answers as Frappe does, without a CSRF token', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    const response = await login(jar, user)
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toEqual({ message: 'Logged In', home_page: '/app', full_name: 'Jane Doe' })
    expect(JSON.stringify(body)).not.toMatch(/csrf/i)
    expect(await loggedUser(jar)).toEqual({ status: 200, user: user.email })
  })

  it('logs in with a form body', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    const response = await login(jar, user, 'form')
    expect(response.status).toBe(200)
    expect(await loggedUser(jar)).toEqual({ status: 200, user: user.email })
  })

  it('sets the sid cookie HttpOnly and SameSite=Lax with the session expiry, and the user cookies', async () => {
    const user = await newUser()
    const response = await login(new CookieJar(), user)
    const cookies = cookiesOf(response)
    const sid = cookies.get('sid')
    expect(sid?.value).toMatch(/^[0-9a-f]{56}$/)
    expect(sid?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/', 'max-age': String(6 * 3600) })
    expect(cookies.get('system_user')).toMatchObject({ value: 'yes', attributes: { path: '/', samesite: 'Lax' } })
    expect(cookies.get('full_name')?.value).toBe('Jane%20Doe')
    expect(cookies.get('user_id')?.value).toBe(encodeURIComponent(user.email))
    expect(cookies.get('user_image')?.value).toBe('')
    for (const name of ['system_user', 'full_name', 'user_id', 'user_image']) {
      expect(cookies.get(name)?.attributes).not.toHaveProperty('httponly')
      expect(cookies.get(name)?.attributes).not.toHaveProperty('max-age')
    }
  })

  it('stores the session in the site database, keyed by a hash of the sid', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    const rows = await sessionRows(user.email)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ user: user.email, status: 'Active', device: 'desktop', ipaddress: '127.0.0.1' })
    expect(rows[0]?.sid).not.toBe(jar.get('sid'))
    expect(JSON.parse(String(rows[0]?.sessiondata))).toMatchObject({ user: user.email, full_name: 'Jane Doe', user_type: 'System User' })
  })

  it('answers a website user with "No App" and /me', async () => {
    const user = await newUser({ user_type: 'Website User' })
    const response = await login(new CookieJar(), user)
    expect(await response.json()).toEqual({ message: 'No App', home_page: '/me', full_name: 'Jane Doe' })
    expect(cookiesOf(response).get('system_user')?.value).toBe('no')
  })

  it('logs in with GET too, as Frappe detects login by its path', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    const query = new URLSearchParams({ usr: user.email, pwd: user.password })
    const response = await jar.fetch(`${url}/api/method/login?${query}`, { headers: siteHeader() })
    expect(response.status).toBe(200)
    expect(await loggedUser(jar)).toEqual({ status: 200, user: user.email })
  })

  it('refuses a wrong password with 401 in Frappe\'s shape and clears the auth cookies', async () => {
    const user = await newUser()
    const response = await login(new CookieJar(), { ...user, password: 'wrong' })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      message: 'Invalid login credentials',
      exc_type: 'AuthenticationError',
      exception: 'frappe.exceptions.AuthenticationError',
    })
    const cookies = cookiesOf(response)
    for (const name of ['sid', 'system_user', 'full_name', 'user_id', 'user_image']) {
      expect(new Date(String(cookies.get(name)?.attributes.expires)).getTime()).toBeLessThan(Date.now())
    }
  })

  it('gives an unknown user the same answer as a wrong password', async () => {
    const response = await login(new CookieJar(), { email: `nobody-${randomId(5)}@example.com`, password: 'whatever' })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ message: 'Invalid login credentials', exc_type: 'AuthenticationError' })
  })

  it('refuses incomplete details and a disabled user', async () => {
    const incomplete = await new CookieJar().fetch(`${url}/api/method/login`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/json' },
      body: JSON.stringify({ usr: 'Administrator' }),
    })
    expect(incomplete.status).toBe(401)
    expect(await incomplete.json()).toMatchObject({ message: 'Incomplete login details' })
    const disabled = await newUser({ enabled: 0 })
    const response = await login(new CookieJar(), disabled)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ message: 'User disabled or missing', exc_type: 'AuthenticationError' })
  })

  it('works through frappe-js-sdk with a cookie jar on its axios instance', async () => {
    const user = await newUser()
    const app = new FrappeApp(url, undefined, 'login-sdk', siteHeader())
    const jar = new CookieJar()
    jar.attach(app.axios)
    expect(await app.auth().loginWithUsernamePassword({ username: user.email, password: user.password })).toMatchObject({ message: 'Logged In', full_name: 'Jane Doe' })
    expect(await app.auth().getLoggedInUser()).toBe(user.email)
    await app.auth().logout()
    await expect(app.auth().getLoggedInUser()).rejects.toMatchObject({ httpStatus: 403 })
    await expect(app.auth().loginWithUsernamePassword({ username: user.email, password: 'wrong' })).rejects.toMatchObject({
      httpStatus: 401,
      message: 'Invalid login credentials',
    })
  })
})

// Issue 3: the deprecated `cmd` form logs in too (frappe-js-sdk and old clients post `cmd` to `/`).
describe('legacy cmd=login', () => {
  it('logs in from a form posted to / exactly as /api/method/login does', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    const response = await jar.fetch(`${url}/`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ cmd: 'login', usr: user.email, pwd: user.password }).toString(),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ message: 'Logged In', home_page: '/app', full_name: 'Jane Doe' })
    const cookies = cookiesOf(response)
    expect(cookies.get('sid')?.value).toMatch(/^[0-9a-f]{56}$/)
    expect(cookies.get('sid')?.attributes).toMatchObject({ httponly: true, samesite: 'Lax' })
    expect(cookies.get('user_id')?.value).toBe(encodeURIComponent(user.email))
    expect(await sessionRows(user.email)).toHaveLength(1)
    expect(await loggedUser(jar)).toEqual({ status: 200, user: user.email })
  })

  it('refuses a wrong password with the same 401 as /api/method/login', async () => {
    const user = await newUser()
    const response = await fetch(`${url}/some/page`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ cmd: 'login', usr: user.email, pwd: 'wrong' }).toString(),
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ message: 'Invalid login credentials', exc_type: 'AuthenticationError', exception: 'frappe.exceptions.AuthenticationError' })
    expect(await sessionRows(user.email)).toHaveLength(0)
  })
})

describe('cookie sessions', () => {
  it('gives Guest the shared sid "Guest", and get_logged_user answers 403', async () => {
    const jar = new CookieJar()
    const response = await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: siteHeader() })
    expect(response.status).toBe(403)
    const cookies = cookiesOf(response)
    expect(cookies.get('sid')?.value).toBe('Guest')
    expect(cookies.get('user_id')?.value).toBe('Guest')
  })

  it('accepts the sid as a query or form argument', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    const sid = jar.get('sid') ?? ''
    expect(await loggedUser(new CookieJar(), `?sid=${sid}`)).toEqual({ status: 200, user: user.email })
    const form = await fetch(`${url}/api/method/frappe.auth.get_logged_user`, {
      method: 'POST',
      headers: { ...siteHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sid }).toString(),
    })
    expect(await form.json()).toEqual({ message: user.email })
  })

  it('treats an unknown sid as Guest and clears the auth cookies', async () => {
    const response = await fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: { ...siteHeader(), cookie: `sid=${'0'.repeat(56)}` } })
    expect(response.status).toBe(403)
    expect(new Date(String(cookiesOf(response).get('sid')?.attributes.expires)).getTime()).toBeLessThan(Date.now())
  })

  // Issue 3: Frappe v15's `get_session_record` sets `session_expired: 1` in the reply, whatever its status.
  it('says session_expired: 1 when the sid names no live session, on success and on error', async () => {
    const unknown = { ...siteHeader(), cookie: `sid=${'1'.repeat(56)}` }
    const ping = await fetch(`${url}/api/method/ping`, { headers: unknown })
    expect(ping.status).toBe(200)
    expect(await ping.json()).toEqual({ message: 'pong', session_expired: 1 })
    const refused = await fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: unknown })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ exc_type: 'PermissionError', session_expired: 1 })
    const v2 = await fetch(`${url}/api/v2/method/ping`, { headers: unknown })
    expect(await v2.json()).toEqual({ data: 'pong', session_expired: 1 })
    const asArgument = await fetch(`${url}/api/method/ping?sid=${'2'.repeat(56)}`, { headers: siteHeader() })
    expect(await asArgument.json()).toEqual({ message: 'pong', session_expired: 1 })
  })

  it('says session_expired: 1 once a session has expired, then forgets the cleared cookie', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await ageSessions(user.email, 6 * 60 + 1)
    const expired = await jar.fetch(`${url}/api/method/ping`, { headers: siteHeader() })
    expect(await expired.json()).toEqual({ message: 'pong', session_expired: 1 })
    expect(jar.get('sid')).toBeUndefined()
    const after = await jar.fetch(`${url}/api/method/ping`, { headers: siteHeader() })
    expect(await after.json()).toEqual({ message: 'pong' })
  })

  it('does not say session_expired for Guest\'s sid, no sid or a live session', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    expect(await (await jar.fetch(`${url}/api/method/ping`, { headers: siteHeader() })).json()).toEqual({ message: 'pong' })
    expect(await (await fetch(`${url}/api/method/ping`, { headers: { ...siteHeader(), cookie: 'sid=Guest' } })).json()).toEqual({ message: 'pong' })
    expect(await (await fetch(`${url}/api/method/ping`, { headers: siteHeader() })).json()).toEqual({ message: 'pong' })
  })

  it('outlives a restart: a new process on the same sites resumes the session', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    const sites = await openSites({ sitesPath: join(bench.root, 'sites'), appsPath: APPS_PATHS.demo, logger: silentLogger })
    const server = await startServer({ sites, logger: silentLogger, host: '127.0.0.1', port: 0 })
    try {
      const response = await jar.fetch(`${server.url}/api/method/frappe.auth.get_logged_user`, { headers: siteHeader() })
      expect(await response.json()).toEqual({ message: user.email })
    } finally {
      await server.stop()
    }
  })

  it('expires a session idle for longer than session_expiry, deleting its row', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await ageSessions(user.email, 6 * 60 + 1)
    expect(await loggedUser(jar)).toEqual({ status: 403, user: undefined })
    expect(await sessionRows(user.email)).toHaveLength(0)
  })

  it('rewrites lastupdate at most every 10 minutes', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await ageSessions(user.email, 5)
    const before = (await sessionRows(user.email))[0]?.lastupdate
    await loggedUser(jar)
    expect((await sessionRows(user.email))[0]?.lastupdate).toBe(before)
    await ageSessions(user.email, 11)
    await loggedUser(jar)
    const after = String((await sessionRows(user.email))[0]?.lastupdate)
    expect(after > minutesAgo(1)).toBe(true)
  })

  it('keeps one session per user when deny_multiple_sessions is set', async () => {
    const single = await bench.newSite(`auth-single-${randomId(4)}.test`, { deny_multiple_sessions: 1 })
    const credentials = { usr: 'Administrator', pwd: 'admin' }
    const first = new CookieJar()
    const second = new CookieJar()
    for (const jar of [first, second]) {
      await jar.fetch(`${url}/api/method/login`, {
        method: 'POST',
        headers: { 'x-frappe-site-name': single.name, 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      })
    }
    const probe = async (jar: CookieJar) => (await jar.fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: { 'x-frappe-site-name': single.name } })).status
    expect(await probe(first)).toBe(403)
    expect(await probe(second)).toBe(200)
  })

  it('ends the user\'s sessions when the password changes', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await runAs(site, async () => {
      const doc = await getDocument('User', user.email)
      doc.set('new_password', `pw-${randomId(8)}`)
      await saveDocument(doc)
    })
    expect(await sessionRows(user.email)).toHaveLength(0)
    expect((await loggedUser(jar)).status).toBe(403)
  })

  it('ends the sessions of a user who is disabled', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await runAs(site, async () => {
      const doc = await getDocument('User', user.email)
      doc.set('enabled', 0)
      await saveDocument(doc)
    })
    expect(await sessionRows(user.email)).toHaveLength(0)
    expect((await loggedUser(jar)).status).toBe(403)
  })
})

describe('/api/method/logout', () => {
  it('deletes the session and clears the cookies; the sid no longer works', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    const sid = jar.get('sid') ?? ''
    const response = await jar.fetch(`${url}/api/method/logout`, { method: 'POST', headers: siteHeader() })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({})
    const cookies = cookiesOf(response)
    for (const name of ['sid', 'system_user', 'full_name', 'user_id', 'user_image']) {
      expect(new Date(String(cookies.get(name)?.attributes.expires)).getTime()).toBeLessThan(Date.now())
    }
    expect(await sessionRows(user.email)).toHaveLength(0)
    expect(await loggedUser(new CookieJar(), `?sid=${sid}`)).toEqual({ status: 403, user: undefined })
  })

  it('logs out with GET too', async () => {
    const user = await newUser()
    const jar = new CookieJar()
    await login(jar, user)
    await jar.fetch(`${url}/api/method/logout`, { headers: siteHeader() })
    expect(await sessionRows(user.email)).toHaveLength(0)
  })
})
