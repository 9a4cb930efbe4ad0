import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { enqueue, type JobRecord } from '../../src/jobs/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { sendRequest, type RawResponse } from '../helpers/http-request.js'
import { connectSocket, loginSid, messagesOf, type TestSocket } from '../helpers/realtime-client.js'
import { postgresSiteConfig, requirePostgres } from '../helpers/services.js'

// Site B is on PostgreSQL where one answers, so the two sites differ in engine as well as in name.
const siteBOnPostgres = await requirePostgres()

let bench: TestBench
let siteA: Site
let siteB: Site
let server: RunningServer
const sockets: TestSocket[] = []

const ADMIN = basicAuth('Administrator', 'admin')

function call(site: Site, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawResponse> {
  return sendRequest(`${server.url}${path}`, { method, headers: { 'x-frappe-site-name': site.name, 'content-type': 'application/json', ...headers }, body })
}

async function apiToken(site: Site): Promise<string> {
  const keys = await call(site, 'POST', '/api/method/frappe.core.doctype.user.user.generate_keys', { authorization: ADMIN }, { user: 'Administrator' })
  const secret = (keys.body as { message: { api_secret: string } }).message.api_secret
  const user = await call(site, 'GET', '/api/resource/User/Administrator', { authorization: ADMIN })
  return `${(user.body as { data: { api_key: string } }).data.api_key}:${secret}`
}

async function waitForEnd(site: Site, jobId: string): Promise<JobRecord> {
  for (;;) {
    const job = await site.services.jobs?.get(jobId)
    if (job && (job.status === 'finished' || job.status === 'failed')) return job
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const notesTitled = (site: Site, title: string) => runAs(site, () => database().selectFrom('tabNote').select('title').where('title', '=', title).execute())

beforeAll(async () => {
  bench = await createTestBench({ apps: ['jobs_test', 'realtime_test'], appsPath: APPS_PATHS.fixtures })
  siteA = await bench.newSite('a.isolation.test', { db_type: 'sqlite' })
  siteB = await bench.newSite('b.isolation.test', siteBOnPostgres ? postgresSiteConfig() : { db_type: 'sqlite' })
  siteA.services.jobs?.start()
  siteB.services.jobs?.start()
  server = await bench.startServer()
}, 120_000)

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await bench?.close()
})

describe('two sites in one process never share a session, a token, a row, a job or an event', () => {
  it('does not take site A\'s session cookie as a login on site B', async () => {
    const sid = await loginSid(server.url, siteA.name, 'Administrator', 'admin')
    const onA = await call(siteA, 'GET', '/api/method/frappe.auth.get_logged_user', { cookie: `sid=${sid}` })
    expect(onA.body).toEqual({ message: 'Administrator' })
    const onB = await call(siteB, 'GET', '/api/method/frappe.auth.get_logged_user', { cookie: `sid=${sid}` })
    expect(onB.status).toBe(403) // Guest there: B has no such session
    expect(onB.body).toMatchObject({ session_expired: 1 })
  })

  it('refuses site A\'s API token on site B, and B\'s on A', async () => {
    const [tokenA, tokenB] = [await apiToken(siteA), await apiToken(siteB)]
    expect((await call(siteA, 'GET', '/api/method/frappe.auth.get_logged_user', { authorization: `token ${tokenA}` })).body).toEqual({ message: 'Administrator' })
    for (const [site, token] of [[siteB, tokenA], [siteA, tokenB]] as const) {
      const refused = await call(site, 'GET', '/api/method/frappe.auth.get_logged_user', { authorization: `token ${token}` })
      expect(refused.status).toBe(401)
      expect(refused.body).toMatchObject({ exc_type: 'AuthenticationError' })
    }
  })

  it('keeps each site\'s documents in its own database', async () => {
    const created = await call(siteA, 'POST', '/api/resource/ToDo', { authorization: ADMIN }, { description: 'only on A' })
    const name = (created.body as { data: { name: string } }).data.name
    expect((await call(siteA, 'GET', `/api/resource/ToDo/${name}`, { authorization: ADMIN })).status).toBe(200)
    expect((await call(siteB, 'GET', `/api/resource/ToDo/${name}`, { authorization: ADMIN })).status).toBe(404)
    const listB = await call(siteB, 'GET', '/api/resource/ToDo?fields=["description"]&limit_page_length=0', { authorization: ADMIN })
    expect((listB.body as { data: Array<{ description: string }> }).data.map((row) => row.description)).not.toContain('only on A')
  })

  it('runs a job enqueued on site A against A alone', async () => {
    const title = `job-of-a-${Date.now().toString(36)}`
    const job = await runAs(siteA, () => enqueue('jobs_test.tasks.make_note', { title }))
    const done = await waitForEnd(siteA, job!.job_id)
    expect(done).toMatchObject({ status: 'finished', result: { user: 'Administrator', site: siteA.name } })
    expect(await notesTitled(siteA, title)).toEqual([{ title }])
    expect(await notesTitled(siteB, title)).toEqual([])
    expect(await siteB.services.jobs?.get(job!.job_id)).toBeUndefined()
  })

  it('sends a socket on site A the events of A only, and A\'s session is nobody on B\'s namespace', async () => {
    const socket = await connectSocket(server.url, `/${siteA.name}`, { Authorization: ADMIN })
    sockets.push(socket)
    socket.socket.emit('doctype_subscribe', 'ToDo')
    await socket.settle()
    const onB = await call(siteB, 'POST', '/api/resource/ToDo', { authorization: ADMIN }, { description: 'event on B' })
    const onA = await call(siteA, 'POST', '/api/resource/ToDo', { authorization: ADMIN }, { description: 'event on A' })
    const nameA = (onA.body as { data: { name: string } }).data.name
    const nameB = (onB.body as { data: { name: string } }).data.name
    // A's event arrives; B's, published before it, never did.
    await socket.waitFor('list_update', (message) => (message as { name: string }).name === nameA)
    expect(messagesOf(socket, 'list_update').map((message) => (message as { name: string }).name)).not.toContain(nameB)

    // A's session cookie on B's namespace is nobody there: Guest, who may not follow ToDo.
    const sid = await loginSid(server.url, siteA.name, 'Administrator', 'admin')
    const crossing = await connectSocket(server.url, `/${siteB.name}`, { cookie: `sid=${sid}` })
    const adminOnB = await connectSocket(server.url, `/${siteB.name}`, { Authorization: ADMIN })
    sockets.push(crossing, adminOnB)
    for (const each of [crossing, adminOnB]) {
      each.socket.emit('doctype_subscribe', 'ToDo')
      await each.settle()
    }
    const later = await call(siteB, 'POST', '/api/resource/ToDo', { authorization: ADMIN }, { description: 'later on B' })
    const laterName = (later.body as { data: { name: string } }).data.name
    await adminOnB.waitFor('list_update', (message) => (message as { name: string }).name === laterName)
    await crossing.settle()
    expect(messagesOf(crossing, 'list_update')).toEqual([])
  })
})
