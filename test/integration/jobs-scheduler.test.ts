import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { nextExecution, runSchedulerTick, syncScheduledJobTypes, type JobRecord } from '../../src/jobs/index.js'
import { createTestBench, runAs, silentLogger, type TestBench } from '../helpers/bench.js'

let bench: TestBench
let site: Site

async function waitForEnd(jobId: string): Promise<JobRecord> {
  for (;;) {
    const job = await site.services.jobs?.get(jobId)
    if (job && (job.status === 'finished' || job.status === 'failed')) return job
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const types = () =>
  runAs(site, () => database().selectFrom('tabScheduled Job Type').select(['name', 'method', 'frequency', 'cron_format', 'last_execution']).orderBy('name').execute())

beforeAll(async () => {
  bench = await createTestBench({ apps: ['jobs_test'] })
  site = await bench.newSite()
  await syncScheduledJobTypes(site, silentLogger)
})
afterAll(() => bench.close())

describe('syncScheduledJobTypes', () => {
  it('writes one Scheduled Job Type per scheduler_events entry', async () => {
    expect(await types()).toEqual([
      { name: 'tasks.make_note', method: 'jobs_test.tasks.make_note', frequency: 'Cron', cron_format: '*/5 * * * *', last_execution: null },
      { name: 'tasks.tick', method: 'jobs_test.tasks.tick', frequency: 'All', cron_format: null, last_execution: null },
    ])
  })
})

describe('nextExecution', () => {
  it('follows the cron expression from the last execution', () => {
    const next = nextExecution({ frequency: 'Cron', cron_format: '*/5 * * * *', last_execution: '2024-01-01 10:03:00', creation: '2023-01-01 00:00:00' })
    expect([next.getHours(), next.getMinutes()]).toEqual([10, 5])
    const hourly = nextExecution({ frequency: 'Hourly Long', cron_format: null, last_execution: '2024-01-01 10:03:00', creation: '2023-01-01 00:00:00' })
    expect([hourly.getHours(), hourly.getMinutes()]).toEqual([11, 0])
  })
})

describe('runSchedulerTick', () => {
  it('runs each due event exactly once when two schedulers race, and logs the run', async () => {
    const now = new Date(Date.now() + 10 * 60 * 1000) // both types are due ten minutes on
    const [first, second] = await Promise.all([
      runSchedulerTick(site, silentLogger, { owner: 'scheduler-a', now }),
      runSchedulerTick(site, silentLogger, { owner: 'scheduler-b', now }),
    ])
    expect([...first, ...second].sort()).toEqual(['tasks.make_note', 'tasks.tick'])
    // The same tick again, even from the lease holder, finds nothing due.
    expect(await runSchedulerTick(site, silentLogger, { owner: 'scheduler-a', now })).toEqual([])
    site.services.jobs?.start()
    const tick = await waitForEnd(`${site.name}::scheduled_job||jobs_test.tasks.tick`)
    expect(tick.status).toBe('finished')
    const logs = await runAs(site, () => database().selectFrom('tabScheduled Job Log').select(['scheduled_job_type', 'status']).where('scheduled_job_type', '=', 'tasks.tick').execute())
    expect(logs).toEqual([{ scheduled_job_type: 'tasks.tick', status: 'Complete' }])
    const ticked = await runAs(site, () => database().selectFrom('tabNote').select('title').where('title', 'like', 'tick %').execute())
    expect(ticked).toHaveLength(1)
    expect((await types()).every((type) => type.last_execution !== null)).toBe(true)
  })

  it('gives nothing to a second scheduler while another holds the lease', async () => {
    const now = new Date(Date.now() + 60 * 60 * 1000)
    await runSchedulerTick(site, silentLogger, { owner: 'holder', now, leaseMs: 60_000 })
    const later = new Date(now.getTime() + 10 * 60 * 1000)
    expect(await runSchedulerTick(site, silentLogger, { owner: 'other', now: new Date(now.getTime() + 1000) })).toEqual([])
    expect((await runSchedulerTick(site, silentLogger, { owner: 'holder', now: later })).sort()).toEqual(['tasks.make_note', 'tasks.tick'])
  })
})
