import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { awaitJob, callLongMethod, JobFailedError } from '../../src/client/await-job.js'
import type { Site } from '../../src/context/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { createUser, PASSWORD } from '../helpers/permission-users.js'
import { enqueue } from '../../src/jobs/index.js'

let bench: TestBench
let server: RunningServer
let site: Site
let admin: Record<string, string>

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo, common: { pause_scheduler: 1 } })
  site = await bench.newSite()
  server = await bench.startServer()
  admin = { Authorization: basicAuth('Administrator', 'admin'), 'X-Frappe-Site-Name': site.name }
})
afterAll(() => bench.close())

async function getJob(jobId: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/v2/job/${jobId}`, { headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('long calls: /api/method with a long-running method', () => {
  it('answers 202 with a queued ticket to GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${server.url}/api/method/demo.api.long_report?seconds=0`, { method, headers: admin })
      expect(response.status).toBe(202)
      const body = (await response.json()) as { message: { job_id: string; status: string } }
      expect(body.message.status).toBe('queued')
      expect(body.message.job_id).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('streams progress on task_progress and resolves with the report through the client helper', async () => {
    const socket: Socket = io(`${server.url}/${site.name}`, { extraHeaders: admin, transports: ['websocket'] })
    const progress: unknown[] = []
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      const report = await callLongMethod('demo.api.long_report', { seconds: 2 }, {
        url: server.url,
        headers: admin,
        socket,
        pollInterval: 100,
        onProgress: (message) => progress.push(message.progress),
      })
      expect(report).toMatchObject({ seconds: 2, customers: 0, user: 'Administrator' })
    } finally {
      socket.disconnect()
    }
    // The first step comes a second before the end; the poll may still win the race for the last one.
    expect(progress[0]).toEqual([1, 2])
    expect(progress.every((value, index) => JSON.stringify(value) === JSON.stringify([index + 1, 2]))).toBe(true)
  })

  it('shows the result at GET /api/v2/job to the caller and a System Manager, not to others', async () => {
    const owner = await createUser(site, ['Desk User'], 'owner')
    const stranger = await createUser(site, ['Desk User'], 'stranger')
    const ownerHeaders = { Authorization: basicAuth(owner, PASSWORD), 'X-Frappe-Site-Name': site.name }
    const response = await fetch(`${server.url}/api/method/demo.api.long_report`, { method: 'POST', headers: { ...ownerHeaders, 'Content-Type': 'application/json' }, body: JSON.stringify({ seconds: 0 }) })
    const { message } = (await response.json()) as { message: { job_id: string } }
    const result = await awaitJob(message.job_id, { url: server.url, headers: ownerHeaders, pollInterval: 50 })
    expect(result).toMatchObject({ seconds: 0, user: owner })
    const seen = await getJob(message.job_id, ownerHeaders)
    expect(seen).toMatchObject({ status: 200, body: { data: { job_id: message.job_id, status: 'finished', result: { user: owner } } } })
    expect((await getJob(message.job_id, admin)).status).toBe(200)
    expect((await getJob(message.job_id, { Authorization: basicAuth(stranger, PASSWORD), 'X-Frappe-Site-Name': site.name })).status).toBe(403)
    expect((await getJob('no-such-job', admin)).status).toBe(404)
  })

  it('rejects with the error of a failed job', async () => {
    const job = await runAs(site, () => enqueue('demo.api.long_report', { seconds: 1, queue: 'short', timeout: 0.05 }))
    const jobId = job!.job_id.split('::')[1]!
    await expect(awaitJob(jobId, { url: server.url, headers: admin, pollInterval: 50 })).rejects.toBeInstanceOf(JobFailedError)
  })
})

describe('GET /api/resource/RQ Job', () => {
  it('lists the jobs of the site and reads one by name', async () => {
    const job = await runAs(site, () => enqueue('demo.api.long_report', { seconds: 0, jobId: 'listed-job' }))
    await awaitJob('listed-job', { url: server.url, headers: admin, pollInterval: 50 })
    const list = await fetch(`${server.url}/api/resource/RQ Job?fields=["name","status","queue","job_name"]&filters={"job_name":"demo.api.long_report"}&limit_page_length=0`, { headers: admin })
    expect(list.status).toBe(200)
    const rows = ((await list.json()) as { data: Array<Record<string, unknown>> }).data
    expect(rows).toContainEqual({ name: job!.job_id, status: 'finished', queue: 'default', job_name: 'demo.api.long_report' })
    const one = await fetch(`${server.url}/api/resource/RQ Job/${encodeURIComponent(job!.job_id)}`, { headers: admin })
    expect(one.status).toBe(200)
    expect(((await one.json()) as { data: Record<string, unknown> }).data).toMatchObject({ job_id: job!.job_id, status: 'finished', arguments: '{"seconds":0}' })
  })

  it('refuses the listing to a user without System Manager', async () => {
    const user = await createUser(site, ['Desk User'], 'nojobs')
    const list = await fetch(`${server.url}/api/resource/RQ Job`, { headers: { Authorization: basicAuth(user, PASSWORD), 'X-Frappe-Site-Name': site.name } })
    expect(list.status).toBe(403)
  })
})
