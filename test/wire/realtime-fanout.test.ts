// Issue 5, item 3: a fan-out larger than one slice of writes goes out over several event-loop
// turns; every permitted member still gets every event, each socket in emit order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { WRITES_PER_TURN } from '../../src/realtime/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { PASSWORD, createUser } from '../helpers/permission-users.js'
import { connectSocket, loginSid, messagesOf, type TestSocket } from '../helpers/realtime-client.js'

const MEMBERS = WRITES_PER_TURN + 44 // more than one turn ever writes, so always two slices or more
const SEQUENCE = 5
const ADMIN = basicAuth('Administrator', 'admin')

let bench: TestBench
let site: Site
let server: RunningServer
let members: TestSocket[] = []
let outsider: TestSocket

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('realtime-fanout.test')
  server = await bench.startServer()
  const sid = await login('Administrator', 'admin')
  for (let first = 0; first < MEMBERS; first += 50) {
    const batch = Array.from({ length: Math.min(50, MEMBERS - first) }, () => connectSocket(server.url, `/${site.name}`, { Cookie: `sid=${sid}` }))
    members.push(...(await Promise.all(batch)))
  }
  outsider = await connectSocket(server.url, `/${site.name}`, { Authorization: basicAuth(await createUser(site, [], 'outsider'), PASSWORD) })
  for (const socket of [...members, outsider]) socket.socket.emit('doctype_subscribe', 'Realtime Note')
  await Promise.all([...members, outsider].map((socket) => socket.settle()))
}, 60_000)

afterAll(async () => {
  for (const socket of [...members, outsider]) socket?.close()
  members = []
  await bench.close()
})

const login = (user: string, password: string): Promise<string> => loginSid(server.url, site.name, user, password)

async function post(path: string, body: Record<string, unknown>): Promise<unknown> {
  const response = await sendRequest(`${server.url}${path}`, { method: 'POST', headers: { authorization: ADMIN, 'x-frappe-site-name': site.name }, body })
  expect(response.status, response.text).toBe(200)
  return response.body
}

describe('fan-out to a room larger than one slice', () => {
  it('reaches every permitted member with every event, in emit order', async () => {
    // Two emits in one request (msgprint, then progress) to the Administrator's user room…
    await post('/api/method/realtime_test.api.notify', { text: 'hello' })
    // …then a numbered sequence to the DocType's room, each sent before the last one has drained…
    for (let n = 1; n <= SEQUENCE; n += 1) {
      await post('/api/method/realtime_test.api.publish', { event: 'numbered', message: { n }, room: 'doctype:Realtime Note' })
    }
    // …and a committed insert, whose list_update goes to the same room after the commit.
    const { data } = (await post('/api/resource/Realtime Note', { title: `fanout-${Date.now().toString(36)}` })) as { data: { name: string } }
    await Promise.all(members.map((socket) => socket.waitFor('list_update', (message) => (message as { name: string }).name === data.name)))

    for (const socket of members) {
      const events = socket.received.map((entry) => entry.event).filter((event) => event !== 'pong')
      expect(events).toEqual(['msgprint', 'progress', ...Array(SEQUENCE).fill('numbered'), 'list_update'])
      expect(messagesOf(socket, 'numbered')).toEqual(Array.from({ length: SEQUENCE }, (_, at) => ({ n: at + 1 })))
      expect(messagesOf(socket, 'list_update')).toEqual([{ doctype: 'Realtime Note', name: data.name, user: 'Administrator' }])
    }
  }, 60_000)

  it('leaves out a subscriber without read permission', async () => {
    await outsider.settle() // everything sent before this ping has been handled and written
    expect(messagesOf(outsider, 'list_update')).toEqual([])
    expect(messagesOf(outsider, 'numbered')).toEqual([])
  })
})
