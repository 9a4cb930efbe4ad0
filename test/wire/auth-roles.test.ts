import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'

let bench: TestBench
let site: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  site = await bench.newSite('auth-roles.test')
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

/** A user with these Has Role rows; returns Basic-auth headers for it. */
async function newUser(userType: 'System User' | 'Website User', roles: string[] = []): Promise<Record<string, string>> {
  const email = `roles-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  await runAs(site, () =>
    insertDocument(newDocument('User', { email, first_name: 'Role', new_password: password, user_type: userType, roles: roles.map((role) => ({ role })) })),
  )
  return { authorization: basicAuth(email, password), 'x-frappe-site-name': site.name }
}

/** The roles the request runs with, as the boot info (`frappe.sessions.get`) reports them. */
async function rolesOfRequest(headers: Record<string, string>): Promise<string[]> {
  const response = await fetch(`${url}/api/method/frappe.sessions.get`, { headers })
  expect(response.status).toBe(200)
  return ((await response.json()) as { message: { user: { roles: string[] } } }).message.user.roles
}

/** `frappe.client.get_list` of User, which Frappe v15 opens to `Desk User` (select). */
async function listUsers(headers: Record<string, string>): Promise<number> {
  return (await fetch(`${url}/api/method/frappe.client.get_list?doctype=User&limit_page_length=1`, { headers })).status
}

// Issue 3: the automatic roles of Frappe v15's `frappe.get_roles` (permissions.py AUTOMATIC_ROLES).
describe('the roles of a request', () => {
  it('gives a System User its roles plus All, Guest and Desk User', async () => {
    const headers = await newUser('System User', ['Blogger'])
    expect(await rolesOfRequest(headers)).toEqual(['Blogger', 'All', 'Guest', 'Desk User'])
    expect(await listUsers(headers)).toBe(200)
  })

  it('gives a Website User All and Guest, but not Desk User', async () => {
    const headers = await newUser('Website User', ['Blogger'])
    expect(await rolesOfRequest(headers)).toEqual(['Blogger', 'All', 'Guest'])
    expect(await listUsers(headers)).toBe(403)
  })

  it('ignores Has Role rows naming an automatic role', async () => {
    const headers = await newUser('Website User', ['Desk User', 'Administrator', 'All'])
    expect(await rolesOfRequest(headers)).toEqual(['All', 'Guest'])
    expect(await listUsers(headers)).toBe(403)
    expect((await fetch(`${url}/api/resource/Role?limit_page_length=1`, { headers })).status).toBe(403)
  })

  it('gives Administrator every Role there is', async () => {
    const roles = await rolesOfRequest({ authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name })
    const stored = await site.services.database.reader.selectFrom('tabRole').select('name').execute()
    expect([...roles].sort()).toEqual(stored.map((row) => String(row.name)).sort())
    expect(roles).toEqual(expect.arrayContaining(['Administrator', 'System Manager', 'Desk User', 'All', 'Guest', 'Sales User']))
  })
})
