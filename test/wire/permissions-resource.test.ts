import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { getDocument } from '../../src/model/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { createUser, headersFor, insertAsAdmin } from '../helpers/permission-users.js'

const title = (right: string): string => `Matrix ${right.charAt(0).toUpperCase()}${right.slice(1)}`

let bench: TestBench
let server: RunningServer
let site: Site

beforeAll(async () => {
  bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite()
  server = await bench.startServer()
})
afterAll(() => bench.close())

async function request(headers: Record<string, string>, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const data = (reply: { body: Record<string, unknown> }) => reply.body.data as Record<string, unknown>

describe('/api/resource by DocPerm (spec 9.1)', () => {
  const users = new Map<string, Promise<Record<string, string>>>()
  const matrixUser = (...rights: string[]): Promise<Record<string, string>> => {
    const key = rights.join('+')
    if (!users.has(key)) users.set(key, createUser(site, rights.map(title), 'matrix').then((user) => headersFor(site, user)))
    return users.get(key) as Promise<Record<string, string>>
  }

  it('reads with read, and refuses without it', async () => {
    const name = await insertAsAdmin(site, 'Perm Matrix', { title: 'readable' })
    expect((await request(await matrixUser('read'), 'GET', `/api/resource/Perm Matrix/${name}`)).status).toBe(200)
    const denied = await request(await matrixUser('write'), 'GET', `/api/resource/Perm Matrix/${name}`)
    expect([denied.status, denied.body.exc_type]).toEqual([403, 'PermissionError'])
    expect((await request(await matrixUser('write'), 'GET', '/api/resource/Perm Matrix')).status).toBe(403)
    expect((await request(await matrixUser('read'), 'GET', '/api/resource/Perm Matrix')).status).toBe(200)
  })

  it('creates with create, writes with write, deletes with delete', async () => {
    expect((await request(await matrixUser('read'), 'POST', '/api/resource/Perm Matrix', { title: 'x' })).status).toBe(403)
    const created = await request(await matrixUser('create'), 'POST', '/api/resource/Perm Matrix', { title: 'made' })
    expect(created.status).toBe(200)
    const name = String(data(created).name)
    expect((await request(await matrixUser('read'), 'PUT', `/api/resource/Perm Matrix/${name}`, { title: 'no' })).status).toBe(403)
    const written = await request(await matrixUser('read', 'write'), 'PUT', `/api/resource/Perm Matrix/${name}`, { title: 'yes' })
    expect([written.status, data(written).title]).toEqual([200, 'yes'])
    expect((await request(await matrixUser('read', 'write'), 'DELETE', `/api/resource/Perm Matrix/${name}`)).status).toBe(403)
    expect((await request(await matrixUser('read', 'delete'), 'DELETE', `/api/resource/Perm Matrix/${name}`)).status).toBe(202)
  })

  it('submits with submit, cancels with cancel and amends with amend', async () => {
    const name = await insertAsAdmin(site, 'Perm Matrix', { title: 'flow' })
    const path = `/api/resource/Perm Matrix/${name}`
    expect((await request(await matrixUser('read', 'write'), 'PUT', path, { docstatus: 1 })).status).toBe(403)
    expect(data(await request(await matrixUser('read', 'write', 'submit'), 'PUT', path, { docstatus: 1 })).docstatus).toBe(1)
    expect((await request(await matrixUser('read', 'write', 'submit'), 'PUT', path, { docstatus: 2 })).status).toBe(403)
    expect(data(await request(await matrixUser('read', 'write', 'cancel'), 'PUT', path, { docstatus: 2 })).docstatus).toBe(2)
    expect((await request(await matrixUser('create'), 'POST', '/api/resource/Perm Matrix', { title: 'v2', amended_from: name })).status).toBe(403)
    const amended = await request(await matrixUser('create', 'amend'), 'POST', '/api/resource/Perm Matrix', { title: 'v2', amended_from: name })
    expect([amended.status, data(amended).amended_from]).toEqual([200, name])
  })

  it('refuses every action to Guest and allows every one to Administrator', async () => {
    const name = await insertAsAdmin(site, 'Perm Matrix', { title: 'guarded' })
    const guest = { 'X-Frappe-Site-Name': site.name, 'Content-Type': 'application/json' }
    expect((await request(guest, 'GET', '/api/resource/Perm Matrix')).status).toBe(403)
    expect((await request(guest, 'GET', `/api/resource/Perm Matrix/${name}`)).status).toBe(403)
    expect((await request(guest, 'POST', '/api/resource/Perm Matrix', { title: 'g' })).status).toBe(403)
    expect((await request(guest, 'PUT', `/api/resource/Perm Matrix/${name}`, { title: 'g' })).status).toBe(403)
    expect((await request(guest, 'DELETE', `/api/resource/Perm Matrix/${name}`)).status).toBe(403)
    const admin = { ...guest, Authorization: basicAuth('Administrator', 'admin') }
    expect((await request(admin, 'PUT', `/api/resource/Perm Matrix/${name}`, { title: 'admin' })).status).toBe(200)
    expect((await request(admin, 'DELETE', `/api/resource/Perm Matrix/${name}`)).status).toBe(202)
  })

  it('gives System Manager what its DocPerms grant and no more', async () => {
    const manager = headersFor(site, await createUser(site, ['System Manager'], 'manager'))
    const name = await insertAsAdmin(site, 'Perm Customer', { customer_name: 'Managed Co', credit_limit: 5 })
    expect(data(await request(manager, 'GET', `/api/resource/Perm Customer/${encodeURIComponent(name)}`)).credit_limit).toBe(5)
    // Perm Order Item is a child table: no direct access, whatever the role.
    expect((await request(manager, 'GET', '/api/resource/Perm Order Item')).status).toBe(403)
  })

  it('lists only the user own documents under an if_owner read', async () => {
    const alice = headersFor(site, await createUser(site, ['Perm Owner'], 'alice'))
    const bob = headersFor(site, await createUser(site, ['Perm Owner'], 'bob'))
    expect((await request(alice, 'POST', '/api/resource/Perm Customer', { customer_name: 'Alice Owned' })).status).toBe(200)
    expect((await request(bob, 'POST', '/api/resource/Perm Customer', { customer_name: 'Bob Owned' })).status).toBe(200)
    expect((await request(alice, 'GET', '/api/resource/Perm Customer')).body.data).toEqual([{ name: 'Alice Owned' }])
    expect((await request(bob, 'GET', '/api/resource/Perm Customer/Alice%20Owned')).status).toBe(403)
    expect((await request(bob, 'PUT', '/api/resource/Perm Customer/Alice%20Owned', { territory: null })).status).toBe(403)
    expect((await request(alice, 'DELETE', '/api/resource/Perm Customer/Alice%20Owned')).status).toBe(202)
  })
})

describe('mass assignment over /api/resource (issue #3, point 6)', () => {
  it('ignores owner, creation, modified_by, idx, parent fields and docstatus 2 on insert', async () => {
    const user = await createUser(site, ['Perm User'], 'mass')
    const headers = headersFor(site, user)
    const sent = {
      name: 'chosen-name', title: 'mass', owner: 'Administrator', creation: '2000-01-01 00:00:00', modified_by: 'Administrator', idx: 42,
      parent: 'X', parenttype: 'Perm Matrix', parentfield: 'items', doctype: 'User',
      items: [{ item_name: 'row', owner: 'Administrator', creation: '2000-01-01 00:00:00', docstatus: 1, idx: 9, parent: 'other', parenttype: 'User' }],
    }
    const created = await request(headers, 'POST', '/api/resource/Perm Order', sent)
    expect(created.status).toBe(200)
    const name = String(data(created).name)
    expect(name).not.toBe('chosen-name') // a supplied name counts only for Prompt naming (spec 1.3)
    const stored = await runAs(site, () => getDocument('Perm Order', name))
    expect([stored.doctype, stored.get('owner'), stored.get('modified_by'), Number(stored.get('idx')), stored.get('parent')]).toEqual(['Perm Order', user, user, 0, undefined])
    expect(String(stored.get('creation'))).not.toContain('2000-01-01')
    const [row] = stored.getTable('items')
    expect([row?.get('owner'), row?.get('parent'), row?.get('parenttype'), row?.docstatus, row?.get('idx')]).toEqual([user, name, 'Perm Order', 0, 1])
    const cancelled = await request(headers, 'POST', '/api/resource/Perm Order', { title: 'born cancelled', docstatus: 2 })
    expect(cancelled.status).toBe(417)
  })

  it('ignores owner, creation, modified_by, name and idx on update, and moves docstatus only by transition', async () => {
    const user = await createUser(site, ['Perm User'], 'massput')
    const headers = headersFor(site, user)
    const name = String(data(await request(headers, 'POST', '/api/resource/Perm Order', { title: 'put' })).name)
    const before = await runAs(site, () => getDocument('Perm Order', name))
    const reply = await request(headers, 'PUT', `/api/resource/Perm Order/${name}`, {
      name: 'renamed', owner: 'Administrator', creation: '2000-01-01 00:00:00', modified_by: 'Administrator', idx: 7, title: 'put 2',
    })
    expect(reply.status).toBe(200)
    const after = await runAs(site, () => getDocument('Perm Order', name))
    expect([after.name, after.get('owner'), after.get('creation'), after.get('modified_by'), after.get('title')]).toEqual([name, user, before.get('creation'), user, 'put 2'])
    expect((await request(headers, 'PUT', `/api/resource/Perm Order/${name}`, { docstatus: 2 })).status).toBe(417)
    expect(data(await request(headers, 'PUT', `/api/resource/Perm Order/${name}`, { docstatus: 1 })).docstatus).toBe(1)
    expect((await request(headers, 'PUT', `/api/resource/Perm Order/${name}`, { docstatus: 0 })).status).toBe(417)
  })
})
