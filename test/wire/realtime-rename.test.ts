import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest, type RawResponse } from '../helpers/http-request.js'
import { insertAsAdmin } from '../helpers/permission-users.js'
import { connectSocket, messagesOf, type TestSocket } from '../helpers/realtime-client.js'

let bench: TestBench
let site: Site
let server: RunningServer
const sockets: TestSocket[] = []
const ADMIN = basicAuth('Administrator', 'admin')
let counter = 0

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('realtime-rename.test')
  server = await bench.startServer()
})

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await bench.close()
})

const fresh = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++counter}`

async function connect(): Promise<TestSocket> {
  const socket = await connectSocket(server.url, `/${site.name}`, { Authorization: ADMIN })
  sockets.push(socket)
  return socket
}

function call(method: string, body: Record<string, unknown>): Promise<RawResponse> {
  return sendRequest(`${server.url}/api/method/${method}`, { method: 'POST', headers: { authorization: ADMIN, 'x-frappe-site-name': site.name }, body })
}

describe('renameDocument', () => {
  it('tells the old form doc_rename and the list list_update once the rename commits', async () => {
    const oldName = await insertAsAdmin(site, 'Realtime Note', { title: fresh('before') })
    const newName = fresh('after')
    const socket = await connect()
    socket.socket.emit('doc_subscribe', 'Realtime Note', oldName)
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const response = await call('frappe.client.rename_doc', { doctype: 'Realtime Note', old_name: oldName, new_name: newName })
    expect(response.status, response.text).toBe(200)
    expect(await socket.waitFor('doc_rename')).toEqual({ doctype: 'Realtime Note', old: oldName, new: newName })
    expect(await socket.waitFor('list_update')).toEqual({ doctype: 'Realtime Note', name: newName, user: 'Administrator' })
    // Frappe's update_autoname_field: the title the name came from follows it.
    const stored = await sendRequest(`${server.url}/api/resource/Realtime Note/${newName}`, { headers: { authorization: ADMIN, 'x-frappe-site-name': site.name } })
    expect((stored.body as { data: { title: string } }).data.title).toBe(newName)
  })

  it('publishes nothing when the rename fails', async () => {
    const [first, second] = [await insertAsAdmin(site, 'Realtime Note', { title: fresh('one') }), await insertAsAdmin(site, 'Realtime Note', { title: fresh('two') })]
    const socket = await connect()
    socket.socket.emit('doc_subscribe', 'Realtime Note', first)
    socket.socket.emit('doctype_subscribe', 'Realtime Note')
    await socket.settle()
    const response = await call('frappe.client.rename_doc', { doctype: 'Realtime Note', old_name: first, new_name: second })
    expect(response.status).toBe(409) // DuplicateEntryError
    const id = fresh('sentinel')
    expect((await call('realtime_test.api.publish', { event: 'sentinel', message: { id }, user: 'Administrator' })).status).toBe(200)
    await socket.waitFor('sentinel')
    expect([...messagesOf(socket, 'doc_rename'), ...messagesOf(socket, 'list_update')]).toEqual([])
  })
})
