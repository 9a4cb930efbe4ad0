import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { connectSocket, messagesOf, type TestSocket } from '../helpers/realtime-client.js'

let bench: TestBench
let site: Site
let server: RunningServer
const sockets: TestSocket[] = []
const ADMIN = basicAuth('Administrator', 'admin')

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('realtime-progress.test')
  server = await bench.startServer()
})

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await bench.close()
})

async function connect(): Promise<TestSocket> {
  const socket = await connectSocket(server.url, `/${site.name}`, { Authorization: ADMIN })
  sockets.push(socket)
  return socket
}

async function publish(args: Record<string, unknown>): Promise<void> {
  const response = await sendRequest(`${server.url}/api/method/realtime_test.api.publish`, {
    method: 'POST',
    headers: { authorization: ADMIN, 'x-frappe-site-name': site.name },
    body: args,
  })
  expect(response.status, response.text).toBe(200)
}

describe('progress_subscribe', () => {
  it('joins the task room, so progress events for that task arrive and others do not', async () => {
    const [subscribed, bystander] = [await connect(), await connect()]
    const taskId = randomUUID()
    subscribed.socket.emit('progress_subscribe', taskId)
    await subscribed.settle()
    // Frappe's publish_progress: event `progress`, routed by task_id to `task_progress:<task_id>`.
    await publish({ event: 'progress', message: { percent: 40, title: 'Importing', description: '2 of 5' }, task_id: taskId })
    await publish({ event: 'progress', message: { percent: 10, title: 'Elsewhere' }, task_id: randomUUID() })
    await publish({ event: 'progress', message: { percent: 100, title: 'Importing', description: '5 of 5' }, task_id: taskId })
    await subscribed.waitForCount('progress', 2)
    expect(messagesOf(subscribed, 'progress')).toEqual([
      { percent: 40, title: 'Importing', description: '2 of 5', task_id: taskId },
      { percent: 100, title: 'Importing', description: '5 of 5', task_id: taskId },
    ])
    await publish({ event: 'sentinel', message: {}, user: 'Administrator' })
    await bystander.waitFor('sentinel')
    expect(messagesOf(bystander, 'progress')).toEqual([])
  })

  it('stops the events after task_unsubscribe', async () => {
    const socket = await connect()
    const taskId = randomUUID()
    socket.socket.emit('progress_subscribe', taskId)
    socket.socket.emit('task_unsubscribe', taskId)
    await socket.settle()
    await publish({ event: 'progress', message: { percent: 50 }, task_id: taskId })
    await publish({ event: 'sentinel', message: {}, user: 'Administrator' })
    await socket.waitFor('sentinel')
    expect(messagesOf(socket, 'progress')).toEqual([])
  })
})
