import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { PASSWORD, createUser, insertAsAdmin } from '../helpers/permission-users.js'
import { connectSocket, loginSid, messagesOf, openSocket, type TestSocket } from '../helpers/realtime-client.js'

let bench: TestBench
let site: Site
let server: RunningServer
let manager: string
let outsider: string
const sockets: TestSocket[] = []
const ADMIN = basicAuth('Administrator', 'admin')

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('realtime-socket.test')
  server = await bench.startServer()
  manager = await createUser(site, ['System Manager'], 'manager')
  outsider = await createUser(site, [], 'outsider')
})

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await bench.close()
})

async function connect(headers: Record<string, string>, namespace = `/${site.name}`): Promise<TestSocket> {
  const socket = await connectSocket(server.url, namespace, headers)
  sockets.push(socket)
  return socket
}

async function refusal(headers: Record<string, string>, namespace = `/${site.name}`): Promise<string | undefined> {
  const { socket, outcome } = openSocket(server.url, namespace, headers)
  const error = await outcome
  socket.close()
  return error?.message
}

/** Publishes through `realtime_test.api.publish` as Administrator (the event leaves at once). */
async function publish(args: Record<string, unknown>): Promise<void> {
  const response = await sendRequest(`${server.url}/api/method/realtime_test.api.publish`, {
    method: 'POST',
    headers: { authorization: ADMIN, 'x-frappe-site-name': site.name },
    body: args,
  })
  expect(response.status).toBe(200)
}

const login = (user: string, password: string): Promise<string> => loginSid(server.url, site.name, user, password)

describe('socket handshake', () => {
  it('accepts an Authorization header and answers ping with pong', async () => {
    const socket = await connect({ Authorization: ADMIN })
    await socket.settle()
    expect(messagesOf(socket, 'pong')).toHaveLength(1)
  })

  it('accepts the sid cookie of a login session', async () => {
    const sid = await login(manager, PASSWORD)
    const socket = await connect({ Cookie: `sid=${sid}` })
    await publish({ event: 'hello', message: { to: 'manager' }, user: manager })
    expect(await socket.waitFor('hello')).toEqual({ to: 'manager' })
  })

  it('refuses wrong credentials, no credentials and a foreign origin', async () => {
    expect(await refusal({ Authorization: basicAuth('Administrator', 'wrong') })).toBe('Unauthorized: Invalid login credentials')
    expect(await refusal({ Authorization: 'token nokey:nosecret' })).toBe('Unauthorized: Invalid API key or secret')
    expect(await refusal({})).toBe('Unauthorized: No authentication method used.')
    expect(await refusal({ Authorization: ADMIN, Origin: 'https://evil.example' })).toBe('Unauthorized: Invalid origin')
  })

  it('refuses a namespace that names no site, or another site than the header names', async () => {
    expect(await refusal({ Authorization: ADMIN }, '/no-such-site.test')).toBe('Invalid namespace')
    expect(await refusal({ Authorization: ADMIN, 'X-Frappe-Site-Name': 'other.test' })).toBe('Unauthorized: Invalid namespace')
  })

  it('connects a Guest sid cookie as Guest', async () => {
    const socket = await connect({ Cookie: 'sid=Guest' })
    await publish({ event: 'guest_hello', message: { ok: 1 }, user: 'Guest' })
    expect(await socket.waitFor('guest_hello')).toEqual({ ok: 1 })
  })
})

describe('automatic rooms', () => {
  it('puts System Users in all and website, Guests in website only', async () => {
    const guest = await connect({ Cookie: 'sid=Guest' })
    const admin = await connect({ Authorization: ADMIN })
    await publish({ event: 'to_all', message: { n: 1 } }) // no room, user or doc: `all`
    await publish({ event: 'to_website', message: { n: 2 }, room: 'website' })
    expect(await admin.waitFor('to_all')).toEqual({ n: 1 })
    expect(await admin.waitFor('to_website')).toEqual({ n: 2 })
    expect(await guest.waitFor('to_website')).toEqual({ n: 2 })
    expect(messagesOf(guest, 'to_all')).toEqual([]) // `to_all` was sent first, on the same server
  })

  it('delivers a user event only to that user', async () => {
    const admin = await connect({ Authorization: ADMIN })
    const other = await connect({ Authorization: basicAuth(outsider, PASSWORD) })
    await publish({ event: 'private', message: { for: 'admin' }, user: 'Administrator' })
    await publish({ event: 'private', message: { for: 'outsider' }, user: outsider })
    expect(await other.waitFor('private')).toEqual({ for: 'outsider' })
    expect(await admin.waitFor('private')).toEqual({ for: 'admin' })
    expect(messagesOf(other, 'private')).toEqual([{ for: 'outsider' }])
  })

  it('sends msgprint and progress from a request to its user', async () => {
    const socket = await connect({ Authorization: ADMIN })
    const response = await sendRequest(`${server.url}/api/method/realtime_test.api.notify`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'x-frappe-site-name': site.name },
      body: { text: 'Saved elsewhere' },
    })
    expect(response.status).toBe(200)
    expect(await socket.waitFor('msgprint')).toEqual({ message: 'Saved elsewhere', title: 'Message', indicator: 'green' })
    expect(await socket.waitFor('progress')).toEqual({ percent: 50, title: 'Halfway', description: 'one of two' })
  })
})

describe('subscriptions', () => {
  it('joins a task room and adds task_id to its events', async () => {
    const socket = await connect({ Authorization: basicAuth(outsider, PASSWORD) })
    socket.socket.emit('task_subscribe', 'task-abc')
    await socket.settle()
    await publish({ event: 'task_progress', message: { progress: [1, 3] }, task_id: 'task-abc' })
    expect(await socket.waitFor('task_progress')).toEqual({ progress: [1, 3], task_id: 'task-abc' })
    socket.socket.emit('task_unsubscribe', 'task-abc')
    await socket.settle()
    await publish({ event: 'task_progress', message: { progress: [2, 3] }, task_id: 'task-abc' })
    await publish({ event: 'sentinel', message: {}, user: outsider })
    await socket.waitFor('sentinel')
    expect(messagesOf(socket, 'task_progress')).toEqual([{ progress: [1, 3], task_id: 'task-abc' }])
  })

  it('refuses document and DocType rooms to a user who cannot read them', async () => {
    const name = await insertAsAdmin(site, 'Realtime Note', { title: `secret-${Date.now()}` })
    const socket = await connect({ Authorization: basicAuth(outsider, PASSWORD) })
    socket.socket.emit('doc_subscribe', 'Realtime Note', name)
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    socket.socket.emit('doc_open', 'Realtime Note', name)
    await socket.settle()
    await publish({ event: 'doc_probe', message: { name }, doctype: 'Realtime Note', docname: name })
    await publish({ event: 'list_update', message: { doctype: 'Realtime Note', name } })
    await publish({ event: 'sentinel', message: {}, user: outsider })
    await socket.waitFor('sentinel')
    expect(socket.received.map((entry) => entry.event)).toEqual(['pong', 'sentinel'])
  })

  it('tells the viewers of a document who views it, on open, close and disconnect', async () => {
    const name = await insertAsAdmin(site, 'Realtime Note', { title: `viewed-${Date.now()}` })
    const admin = await connect({ Authorization: ADMIN })
    const other = await connect({ Authorization: basicAuth(manager, PASSWORD) })
    admin.socket.emit('doc_open', 'Realtime Note', name)
    await admin.settle()
    expect(messagesOf(admin, 'doc_viewers')).toEqual([]) // the only viewer hears nothing
    other.socket.emit('doc_open', 'Realtime Note', name)
    const both = (message: unknown): boolean => (message as { users: string[] }).users.length === 2
    const seen = (await admin.waitFor('doc_viewers', both)) as { doctype: string; docname: string; users: string[] }
    expect({ ...seen, users: [...seen.users].sort() }).toEqual({ doctype: 'Realtime Note', docname: name, users: ['Administrator', manager].sort() })
    expect(await other.waitFor('doc_viewers', both)).toBeDefined()
    other.socket.emit('doc_close', 'Realtime Note', name)
    const alone = (message: unknown): boolean => (message as { users: string[] }).users.length === 1
    expect(await admin.waitFor('doc_viewers', alone)).toEqual({ doctype: 'Realtime Note', docname: name, users: ['Administrator'] })

    other.socket.emit('doc_open', 'Realtime Note', name)
    expect(((await admin.waitForCount('doc_viewers', 3)) as { users: string[] }).users).toHaveLength(2)
    other.close()
    expect(await admin.waitForCount('doc_viewers', 4)).toEqual({ doctype: 'Realtime Note', docname: name, users: ['Administrator'] })
  })
})

describe('the / namespace', () => {
  it('chooses the site from X-Frappe-Site-Name and uses site-prefixed rooms', async () => {
    const socket = await connect({ Authorization: ADMIN, 'X-Frappe-Site-Name': site.name }, '/')
    await publish({ event: 'legacy', message: { ok: true }, user: 'Administrator' })
    expect(await socket.waitFor('legacy')).toEqual({ ok: true })
    const name = await insertAsAdmin(site, 'Realtime Note', { title: `legacy-${Date.now()}` })
    socket.socket.emit('doc_subscribe', 'Realtime Note', name)
    await socket.settle()
    await publish({ event: 'doc_probe', message: { name }, doctype: 'Realtime Note', docname: name })
    expect(await socket.waitFor('doc_probe')).toEqual({ name })
  })

  it('falls back to default_site when the Host names no site', async () => {
    expect(bench.sites.defaultSite()).toBe(site.name)
    const socket = await connect({ Authorization: ADMIN }, '/')
    await publish({ event: 'fallback', message: {}, user: 'Administrator' })
    expect(await socket.waitFor('fallback')).toEqual({})
  })
})
