import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest, type RawResponse } from '../helpers/http-request.js'
import { PASSWORD, createUser, insertAsAdmin } from '../helpers/permission-users.js'
import { connectSocket, messagesOf, type TestSocket } from '../helpers/realtime-client.js'

let bench: TestBench
let site: Site
let server: RunningServer
let outsider: string
const sockets: TestSocket[] = []
const ADMIN = basicAuth('Administrator', 'admin')
let counter = 0

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('realtime-docs.test')
  server = await bench.startServer()
  outsider = await createUser(site, [], 'outsider')
})

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await bench.close()
})

const fresh = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++counter}`

async function connect(authorization = ADMIN): Promise<TestSocket> {
  const socket = await connectSocket(server.url, `/${site.name}`, { Authorization: authorization })
  sockets.push(socket)
  return socket
}

function request(method: string, path: string, body?: unknown): Promise<RawResponse> {
  return sendRequest(`${server.url}${path}`, { method, headers: { authorization: ADMIN, 'x-frappe-site-name': site.name }, body })
}

async function ok(response: Promise<RawResponse>): Promise<Record<string, unknown>> {
  const done = await response
  expect(done.status, done.text).toBe(200)
  return ((done.body as { data?: unknown; message?: unknown }).data ?? {}) as Record<string, unknown>
}

/** A `sentinel` to the Administrator's user room: it arrives after everything published before it. */
async function sentinel(socket: TestSocket, user = 'Administrator'): Promise<void> {
  const id = fresh('sentinel')
  await ok(request('POST', '/api/method/realtime_test.api.publish', { event: 'sentinel', message: { id }, user }))
  await socket.waitFor('sentinel', (message) => (message as { id: string }).id === id)
}

const NOTE = '/api/resource/Realtime Note'

describe('doc_update and list_update', () => {
  it('follow a committed insert with Frappe payloads', async () => {
    const socket = await connect()
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const title = fresh('insert')
    const doc = await ok(request('POST', NOTE, { title }))
    expect(await socket.waitFor('list_update', (message) => (message as { name: string }).name === title)).toEqual({
      doctype: 'Realtime Note',
      name: title,
      user: 'Administrator',
    })
    expect(doc.name).toBe(title)
  })

  it('follow save, submit, cancel and delete, with the stored modified', async () => {
    const title = await insertAsAdmin(site, 'Realtime Note', { title: fresh('cycle') })
    const socket = await connect()
    socket.socket.emit('doc_subscribe', 'Realtime Note', title)
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const path = `${NOTE}/${encodeURIComponent(title)}`
    const saved = await ok(request('PUT', path, { explode: 0 }))
    expect(await socket.waitForCount('doc_update', 1)).toEqual({ modified: saved.modified, doctype: 'Realtime Note', name: title })
    const submitted = await ok(request('PUT', path, { docstatus: 1 }))
    expect(await socket.waitForCount('doc_update', 2)).toEqual({ modified: submitted.modified, doctype: 'Realtime Note', name: title })
    const cancelled = await ok(request('PUT', path, { docstatus: 2 }))
    expect(await socket.waitForCount('doc_update', 3)).toEqual({ modified: cancelled.modified, doctype: 'Realtime Note', name: title })
    expect((await request('DELETE', path)).status).toBe(202) // Frappe answers a delete with 202
    expect(await socket.waitForCount('doc_update', 4)).toEqual({ modified: cancelled.modified, doctype: 'Realtime Note', name: title })
    await sentinel(socket)
    expect(messagesOf(socket, 'list_update')).toEqual(Array(4).fill({ doctype: 'Realtime Note', name: title, user: 'Administrator' }))
  })

  it('never follow a request that rolls back', async () => {
    const socket = await connect()
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const failed = await request('POST', NOTE, { title: fresh('explodes'), explode: 1 }) // onUpdate throws after the write
    expect(failed.status).toBe(417)
    const title = fresh('after')
    await ok(request('POST', NOTE, { title }))
    await socket.waitFor('list_update', (message) => (message as { name: string }).name === title)
    expect(messagesOf(socket, 'list_update')).toEqual([{ doctype: 'Realtime Note', name: title, user: 'Administrator' }])
    expect(messagesOf(socket, 'doc_update')).toEqual([])
  })

  it('are sent once per document and transaction', async () => {
    const socket = await connect()
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const title = fresh('twice')
    await ok(request('POST', '/api/method/realtime_test.api.save_twice', { title }))
    await sentinel(socket)
    expect(messagesOf(socket, 'list_update')).toEqual([{ doctype: 'Realtime Note', name: title, user: 'Administrator' }])
  })

  it('skip list_update for a read_only DocType', async () => {
    const socket = await connect()
    socket.socket.emit('doctype_subscribe', 'Realtime Log')
    await socket.settle()
    const title = fresh('log')
    await ok(request('POST', '/api/resource/Realtime Log', { title }))
    socket.socket.emit('doc_subscribe', 'Realtime Log', title)
    await socket.settle()
    const saved = await ok(request('PUT', `/api/resource/Realtime Log/${title}`, {}))
    expect(await socket.waitFor('doc_update')).toEqual({ modified: saved.modified, doctype: 'Realtime Log', name: title })
    expect(messagesOf(socket, 'list_update')).toEqual([])
  })

  it('reach nobody who may not read the document', async () => {
    const title = await insertAsAdmin(site, 'Realtime Note', { title: fresh('private') })
    const socket = await connect(basicAuth(outsider, PASSWORD))
    socket.socket.emit('doc_subscribe', 'Realtime Note', title)
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    await ok(request('PUT', `${NOTE}/${title}`, { explode: 0 }))
    await sentinel(socket, outsider)
    expect(socket.received.map((entry) => entry.event)).toEqual(['pong', 'sentinel'])
  })
})
