import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { awaitJob } from '../../src/client/await-job.js'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { enqueue, type JobRecord } from '../../src/jobs/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { startCli, type RunningCli } from '../helpers/cli.js'
import { REDIS_URL, requireRedis } from '../helpers/services.js'

const hasRedis = await requireRedis()

let bench: TestBench
let site: Site
let server: RunningServer
let worker: RunningCli

async function waitForEnd(jobId: string): Promise<JobRecord> {
  for (;;) {
    const job = await site.services.jobs?.get(jobId)
    if (job && (job.status === 'finished' || job.status === 'failed')) return job
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.skipIf(!hasRedis)('enqueue with redis_queue', () => {
  beforeAll(async () => {
    const prefix = `cortado-test-${randomUUID()}` // this run's own keys in the shared Redis
    bench = await createTestBench({ apps: ['jobs_test'], common: { redis_queue: REDIS_URL, redis_queue_prefix: prefix, pause_scheduler: 1 } })
    site = await bench.newSite()
    server = await bench.startServer()
    worker = startCli(['worker', '--queue', 'short,default,long'], { CORTADO_SITES: bench.sites.sitesPath, CORTADO_APPS: APPS_PATHS.fixtures, LOG_LEVEL: 'info' })
    await worker.waitForLog((line) => line.msg === 'worker started')
  })
  afterAll(async () => {
    worker?.child.kill('SIGTERM')
    await worker?.exited
    await bench?.close()
  })

  it('runs a job enqueued by the web process in a separate cortado worker process', async () => {
    expect(site.services.jobs?.kind).toBe('redis')
    const job = await runAs(site, () => enqueue('jobs_test.tasks.whoami', { queue: 'short' }))
    const done = await waitForEnd(job!.job_id)
    expect(done.status).toBe('finished')
    expect(done.result).toEqual({ pid: worker.child.pid, user: 'Administrator' })
  })

  it('commits what the worker wrote to the site database', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.make_note', { title: 'from-redis-worker' }))
    expect((await waitForEnd(job!.job_id)).status).toBe('finished')
    const rows = await runAs(site, () => database().selectFrom('tabNote').select('title').where('title', '=', 'from-redis-worker').execute())
    expect(rows).toHaveLength(1)
  })

  it('answers a long call with 202 and lets the worker produce its result', async () => {
    const headers = { Authorization: basicAuth('Administrator', 'admin'), 'X-Frappe-Site-Name': site.name }
    const response = await fetch(`${server.url}/api/method/jobs_test.api.slow_echo?text=hello`, { headers })
    expect(response.status).toBe(202)
    const { message } = (await response.json()) as { message: { job_id: string } }
    expect(await awaitJob(message.job_id, { url: server.url, headers, pollInterval: 50 })).toEqual({ echo: 'hello', user: 'Administrator' })
  })
})
