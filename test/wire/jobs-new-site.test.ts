import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { awaitJob } from '../../src/client/await-job.js'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { enqueue, type JobRecord } from '../../src/jobs/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { runCli } from '../helpers/cli.js'

let bench: TestBench
let server: RunningServer

beforeAll(async () => {
  bench = await createTestBench({ apps: ['jobs_test'], appsPath: APPS_PATHS.fixtures })
  await bench.newSite('first.test')
  server = await bench.startServer()
})

afterAll(async () => {
  await bench?.close()
})

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The Scheduled Job Types of a site, once the scheduler has synced them. */
function scheduledTypes(site: Site): Promise<string[]> {
  return until(async () => {
    const rows = await runAs(site, async () => {
      const columns = await site.services.database.listColumns(database(), 'tabScheduled Job Type')
      return columns.length > 0 ? database().selectFrom('tabScheduled Job Type').select('method').where('method', 'like', 'jobs_test.%').execute() : []
    })
    return rows.length > 0 ? rows.map((row) => String(row.method)).sort() : undefined
  })
}

describe('a site created after serve started', () => {
  it('runs the jobs and scheduler of a site made by cortado new-site in another process, from its first request', async () => {
    const created = await runCli(['new-site', 'late-cli.test'], { CORTADO_SITES: bench.sites.sitesPath, CORTADO_APPS: APPS_PATHS.fixtures, ADMIN_PASSWORD: 'admin' })
    expect(created.code, created.stderr).toBe(0)
    const headers = { Authorization: basicAuth('Administrator', 'admin'), 'X-Frappe-Site-Name': 'late-cli.test' }
    const response = await fetch(`${server.url}/api/method/jobs_test.api.slow_echo?text=late`, { headers })
    expect(response.status).toBe(202)
    const { message } = (await response.json()) as { message: { job_id: string } }
    expect(await awaitJob(message.job_id, { url: server.url, headers, pollInterval: 50 })).toEqual({ echo: 'late', user: 'Administrator' })
    expect(await scheduledTypes(await bench.sites.get('late-cli.test'))).toEqual(['jobs_test.tasks.make_note', 'jobs_test.tasks.tick'])
  })

  it('runs the jobs and scheduler of a site made in this process with newSite', async () => {
    const site = await bench.newSite('late-bench.test')
    const job = await runAs(site, () => enqueue('jobs_test.tasks.whoami'))
    const done = await until<JobRecord>(async () => {
      const record = await site.services.jobs?.get(job!.job_id)
      return record?.status === 'finished' ? record : undefined
    })
    expect(done.result).toEqual({ pid: process.pid, user: 'Administrator' })
    expect(await scheduledTypes(site)).toEqual(['jobs_test.tasks.make_note', 'jobs_test.tasks.tick'])
  })
})
