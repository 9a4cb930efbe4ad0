import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { enqueue } from '../../src/jobs/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { freePort, startCli, temporarySites, type RunningCli } from '../helpers/cli.js'
import { sendRequest } from '../helpers/http-request.js'
import { PASSWORD, createUser, insertAsAdmin } from '../helpers/permission-users.js'
import { connectSocket, messagesOf, type TestSocket } from '../helpers/realtime-client.js'
import { REDIS_URL, requireRedis } from '../helpers/services.js'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const hasRedis = await requireRedis()
const ADMIN = basicAuth('Administrator', 'admin')

describe.skipIf(!hasRedis)('realtime across processes with Redis', () => {
  let bench: TestBench
  let site: Site
  let server: RunningServer
  let worker: RunningCli
  let otherServe: RunningCli
  let otherUrl: string
  const sockets: TestSocket[] = []
  const cliEnv = (): Record<string, string> => ({ CORTADO_SITES: bench.sites.sitesPath, CORTADO_APPS: APPS_PATHS.fixtures, LOG_LEVEL: 'info' })

  beforeAll(async () => {
    const prefix = `cortado-test-${randomUUID()}` // this run's own queues and channels in the shared Redis
    bench = await createTestBench({
      apps: ['jobs_test', 'realtime_test'],
      appsPath: APPS_PATHS.fixtures,
      common: { redis_queue: REDIS_URL, redis_queue_prefix: prefix, pause_scheduler: 1 },
    })
    site = await bench.newSite()
    server = await bench.startServer()
    worker = startCli(['worker'], cliEnv())
    const port = await freePort()
    otherServe = startCli(['serve'], { ...cliEnv(), PORT: String(port), HOST: '127.0.0.1' })
    otherUrl = `http://127.0.0.1:${port}`
    await Promise.all([worker.waitForLog((line) => line.msg === 'worker started'), otherServe.waitForLog((line) => line.msg === 'Cortado is serving')])
  })

  afterAll(async () => {
    for (const socket of sockets) socket.close()
    for (const child of [worker, otherServe]) child?.child.kill('SIGTERM')
    await Promise.all([worker?.exited, otherServe?.exited])
    await bench?.close()
  })

  async function connect(namespace = `/${site.name}`): Promise<TestSocket> {
    const socket = await connectSocket(server.url, namespace, { Authorization: ADMIN, 'X-Frappe-Site-Name': site.name })
    sockets.push(socket)
    return socket
  }

  it('delivers the progress and result of a job run by a cortado worker process to a socket of the web process', async () => {
    const socket = await connect()
    const taskId = randomUUID()
    socket.socket.emit('task_subscribe', taskId)
    await socket.settle()
    const job = await runAs(site, () => enqueue('jobs_test.tasks.count_up', { steps: 3, jobId: taskId, queue: 'short' }))
    expect(job?.job_id).toBe(`${site.name}::${taskId}`)
    const end = (await socket.waitFor('task_status_change')) as Record<string, unknown>
    expect(end).toEqual({ task_id: taskId, status: 'finished', result: { counted: 3, pid: worker.child.pid } })
    await socket.waitFor('task_progress', (message) => (message as { status?: string }).status === 'finished')
    expect(messagesOf(socket, 'task_progress')).toEqual([
      { title: 'Counting', task_id: taskId, progress: [1, 3] },
      { title: 'Counting', task_id: taskId, progress: [2, 3] },
      { title: 'Counting', task_id: taskId, progress: [3, 3] },
      { task_id: taskId, status: 'finished', result: { counted: 3, pid: worker.child.pid } },
    ])
  })

  it('delivers an event published by another serve process to sockets here, on /<site> and on / with the site prefix', async () => {
    const [onSite, onRoot] = [await connect(), await connect('/')]
    const response = await sendRequest(`${otherUrl}/api/method/realtime_test.api.publish`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'x-frappe-site-name': site.name },
      body: { event: 'from_afar', message: JSON.stringify({ n: 7 }), user: 'Administrator' },
    })
    expect(response.status).toBe(200)
    expect(await onSite.waitFor('from_afar')).toEqual({ n: 7 })
    expect(await onRoot.waitFor('from_afar')).toEqual({ n: 7 })
  })

  it('counts the viewers of a document across serve processes in doc_viewers', async () => {
    const title = await insertAsAdmin(site, 'Realtime Note', { title: `viewed-${randomUUID()}` })
    const manager = await createUser(site, ['System Manager'], 'viewer')
    const there = await connectSocket(otherUrl, `/${site.name}`, { Authorization: basicAuth(manager, PASSWORD) })
    sockets.push(there)
    there.socket.emit('doc_open', 'Realtime Note', title)
    await there.settle()
    const here = await connect()
    here.socket.emit('doc_open', 'Realtime Note', title)
    const viewers = (await here.waitFor('doc_viewers')) as { users: string[] }
    expect({ ...viewers, users: [...viewers.users].sort() }).toEqual({ doctype: 'Realtime Note', docname: title, users: ['Administrator', manager].sort() })
    expect(await there.waitFor('doc_viewers')).toEqual(viewers)
  })
})

describe('serve with an unreachable realtime Redis', () => {
  let serve: RunningCli
  let url: string

  beforeAll(async () => {
    const { sitesPath } = temporarySites(['realtime_test'])
    const deadPort = await freePort() // nobody listens there
    writeFileSync(join(sitesPath, 'common_site_config.json'), JSON.stringify({ redis_socketio: `redis://127.0.0.1:${deadPort}` }))
    const env = { CORTADO_SITES: sitesPath, CORTADO_APPS: APPS_PATHS.fixtures, LOG_LEVEL: 'info', ADMIN_PASSWORD: 'admin' }
    const created = startCli(['new-site', 'down.test'], env)
    expect((await created.exited).code).toBe(0)
    const port = await freePort()
    serve = startCli(['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1' })
    url = `http://127.0.0.1:${port}`
    await serve.waitForLog((line) => line.msg === 'Cortado is serving')
  })

  afterAll(async () => {
    serve?.child.kill('SIGTERM')
    await serve?.exited
  })

  it('keeps serving HTTP and sockets on this process, and logs that Redis is unreachable', async () => {
    const logged = await serve.waitForLog((line) => String(line.msg).startsWith('realtime Redis unreachable'))
    expect(logged.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
    const socket = await connectSocket(url, '/down.test', { Authorization: ADMIN })
    try {
      const response = await sendRequest(`${url}/api/method/realtime_test.api.publish`, {
        method: 'POST',
        headers: { authorization: ADMIN, 'x-frappe-site-name': 'down.test' },
        body: { event: 'still_here', message: JSON.stringify({ ok: 1 }), user: 'Administrator' },
      })
      expect(response.status).toBe(200)
      expect(await socket.waitFor('still_here')).toEqual({ ok: 1 })
      // The publish to Redis fails in the background; the process stays up and answers.
      await new Promise((resolve) => setTimeout(resolve, 500))
      const ping = await fetch(`${url}/api/method/ping`, { headers: { 'x-frappe-site-name': 'down.test' } })
      expect(await ping.json()).toEqual({ message: 'pong' })
      expect(serve.child.exitCode).toBeNull()
      expect(serve.logLines().filter((line) => line.level === 60 || /unhandled/i.test(String(line.msg)))).toEqual([])
    } finally {
      socket.close()
    }
  })
})
