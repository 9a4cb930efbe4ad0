import { FrappeApp } from 'frappe-js-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { cookiesOf } from '../helpers/cookie-jar.js'

let bench: TestBench
let site: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  site = await bench.newSite('auth-token.test')
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

const admin = () => ({ authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name })

async function newUser(roles: string[] = []): Promise<{ email: string; password: string }> {
  const email = `token-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  await runAs(site, () => insertDocument(newDocument('User', { email, first_name: 'Tok', new_password: password, roles: roles.map((role) => ({ role })) })))
  return { email, password }
}

async function generateKeys(user: string, headers: Record<string, string> = admin(), method = 'POST'): Promise<Response> {
  return fetch(`${url}/api/method/frappe.core.doctype.user.user.generate_keys`, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify({ user }),
  })
}

async function keysFor(user: string): Promise<{ key: string; secret: string }> {
  const response = await generateKeys(user)
  expect(response.status).toBe(200)
  const secret = ((await response.json()) as { message: { api_secret: string } }).message.api_secret
  const row = await site.services.database.reader.selectFrom('tabUser').select('api_key').where('name', '=', user).executeTakeFirstOrThrow()
  return { key: String(row.api_key), secret }
}

function sdk(token: string): FrappeApp {
  return new FrappeApp(url, { useToken: true, token: () => token, type: 'token' }, 'token-sdk', { 'X-Frappe-Site-Name': site.name })
}

function whoami(authorization: string): Promise<Response> {
  return fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: { authorization, 'x-frappe-site-name': site.name } })
}

describe('frappe.core.doctype.user.user.generate_keys', () => {
  it('returns a 15-character secret once and gives the user a 15-character api_key', async () => {
    const user = await newUser()
    const { key, secret } = await keysFor(user.email)
    expect(key).toMatch(/^[0-9a-f]{15}$/)
    expect(secret).toMatch(/^[0-9a-f]{15}$/)
  })

  it('stores the secret only as a scrypt hash, never readable through the API', async () => {
    const user = await newUser()
    const { secret } = await keysFor(user.email)
    const stored = await site.services.database.reader
      .selectFrom('__Auth')
      .select('password')
      .where('doctype', '=', 'User')
      .where('name', '=', user.email)
      .where('fieldname', '=', 'api_secret')
      .executeTakeFirstOrThrow()
    expect(String(stored.password)).toMatch(/^scrypt\$/)
    expect(String(stored.password)).not.toContain(secret)
    const read = await fetch(`${url}/api/resource/User/${encodeURIComponent(user.email)}`, { headers: admin() })
    const text = await read.text()
    expect(read.status).toBe(200)
    expect((JSON.parse(text) as { data: Record<string, unknown> }).data.api_secret).toBe('*****')
    expect(text).not.toContain(secret)
    const value = await fetch(`${url}/api/method/frappe.client.get_value?${new URLSearchParams({ doctype: 'User', filters: user.email, fieldname: 'api_secret' })}`, { headers: admin() })
    expect(await value.text()).not.toContain(secret)
  })

  it('keeps the api_key but replaces the secret when called again', async () => {
    const user = await newUser()
    const first = await keysFor(user.email)
    const second = await keysFor(user.email)
    expect(second.key).toBe(first.key)
    expect(second.secret).not.toBe(first.secret)
    expect((await whoami(`token ${first.key}:${first.secret}`)).status).toBe(401)
    expect((await whoami(`token ${second.key}:${second.secret}`)).status).toBe(200)
  })

  it('lets users make their own keys but not another user\'s, unless System Manager', async () => {
    const user = await newUser()
    const other = await newUser()
    const asUser = { authorization: basicAuth(user.email, user.password), 'x-frappe-site-name': site.name }
    expect((await generateKeys(user.email, asUser)).status).toBe(200)
    const refused = await generateKeys(other.email, asUser)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ exc_type: 'PermissionError' })
    const manager = await newUser(['System Manager'])
    const asManager = { authorization: basicAuth(manager.email, manager.password), 'x-frappe-site-name': site.name }
    expect((await generateKeys(other.email, asManager)).status).toBe(200)
    expect((await generateKeys('Administrator', asManager)).status).toBe(403)
  })

  it('accepts POST only', async () => {
    const user = await newUser()
    const response = await fetch(`${url}/api/method/frappe.core.doctype.user.user.generate_keys?user=${encodeURIComponent(user.email)}`, { headers: admin() })
    expect(response.status).toBe(403)
  })
})

describe('Authorization: token <api_key>:<api_secret>', () => {
  it('authenticates frappe-js-sdk in token mode', async () => {
    const user = await newUser(['System Manager'])
    const { key, secret } = await keysFor(user.email)
    const app = sdk(`${key}:${secret}`)
    expect(await app.auth().getLoggedInUser()).toBe(user.email)
    const todo = await app.db().createDoc('ToDo', { description: 'made with a token' })
    expect(todo).toMatchObject({ owner: user.email, description: 'made with a token' })
    expect(await app.call().get('frappe.auth.get_logged_user')).toEqual({ message: user.email })
  })

  it('refuses a wrong secret with 401 and clears the auth cookies', async () => {
    const user = await newUser()
    const { key } = await keysFor(user.email)
    const response = await whoami(`token ${key}:0123456789abcde`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ exc_type: 'AuthenticationError' })
    expect(new Date(String(cookiesOf(response).get('sid')?.attributes.expires)).getTime()).toBeLessThan(Date.now())
    await expect(sdk(`${key}:0123456789abcde`).auth().getLoggedInUser()).rejects.toMatchObject({ httpStatus: 401 })
  })

  it('accepts the same keys as Basic base64(api_key:api_secret), as Frappe does', async () => {
    const user = await newUser()
    const { key, secret } = await keysFor(user.email)
    expect(await (await whoami(basicAuth(key, secret))).json()).toEqual({ message: user.email })
  })

  it('answers malformed headers as Frappe does: 401 for unknown schemes and bad pairs, 400 for bad base64', async () => {
    const cases: Array<[string, number, string]> = [
      ['token onlykey', 401, 'AuthenticationError'],
      ['token :', 401, 'AuthenticationError'],
      ['Bearer some-oauth-token', 401, 'AuthenticationError'],
      ['Digest abc', 401, 'AuthenticationError'],
      ['Basic %%%not-base64', 400, 'InvalidAuthorizationToken'],
      ['token a:b extra', 400, 'InvalidAuthorizationHeader'],
      ['token', 400, 'InvalidAuthorizationHeader'],
    ]
    for (const [header, status, excType] of cases) {
      const response = await whoami(header)
      expect([header, response.status]).toEqual([header, status])
      expect(await response.json()).toMatchObject({ exc_type: excType })
    }
  })
})
