import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { enqueue, type JobRecord } from '../../src/jobs/index.js'
import { createTestBench, runAs, type TestBench } from '../helpers/bench.js'

let bench: TestBench
let site: Site

async function waitForEnd(target: Site, jobId: string): Promise<JobRecord> {
  for (;;) {
    const job = await target.services.jobs?.get(jobId)
    if (job && (job.status === 'finished' || job.status === 'failed')) return job
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const notes = (target: Site, title: string) =>
  runAs(target, () => database().selectFrom('tabNote').select(['title', 'owner']).where('title', '=', title).execute())

beforeAll(async () => {
  bench = await createTestBench({ apps: ['jobs_test'] })
  site = await bench.newSite(undefined, { job_retry_delay: 0 })
  site.services.jobs?.start()
})
afterAll(() => bench.close())

describe('enqueue (embedded queue)', () => {
  it('runs the job as the enqueuing user on its site and commits', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.make_note', { title: 'as-admin-1' }))
    const done = await waitForEnd(site, job!.job_id)
    expect(done.status).toBe('finished')
    expect(done.result).toEqual({ user: 'Administrator', site: site.name })
    expect(done.job_id.startsWith(`${site.name}::`)).toBe(true)
    expect(await notes(site, 'as-admin-1')).toEqual([{ title: 'as-admin-1', owner: 'Administrator' }])
  })

  it('rolls a failing job back and writes an Error Log', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.fail', { title: 'failing-1' }))
    const done = await waitForEnd(site, job!.job_id)
    expect(done.status).toBe('failed')
    expect(done.exc_info).toContain('failing on purpose: failing-1')
    expect(await notes(site, 'failing-1')).toEqual([])
    const logs = await runAs(site, () => database().selectFrom('tabError Log').select(['method', 'error']).where('trace_id', '=', done.job_id).execute())
    expect(logs).toHaveLength(1)
    expect(logs[0]?.method).toBe('jobs_test.tasks.fail')
  })

  it('retries a job that raises RetryBackgroundJobError', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.flaky', { title: 'flaky-1', failures: 2 }))
    const done = await waitForEnd(site, job!.job_id)
    expect(done.status).toBe('finished')
    expect(done.result).toBe(3)
    expect(await notes(site, 'flaky-1')).toHaveLength(1)
  })

  it('marks a job that runs past its timeout as failed and keeps none of its writes', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.hang', { timeout: 0.2 }))
    const done = await waitForEnd(site, job!.job_id)
    expect(done.status).toBe('failed')
    expect(done.exc_info).toContain('JobTimeoutError')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await notes(site, 'written after the timeout')).toEqual([])
  })

  it('queues an enqueue_after_commit job only when the transaction commits', async () => {
    await runAs(site, async () => void (await enqueue('jobs_test.tasks.make_note', { title: 'after-rollback', jobId: 'after-rollback', enqueueAfterCommit: true })), { rollback: true })
    expect(await site.services.jobs?.get(`${site.name}::after-rollback`)).toBeUndefined()
    await runAs(site, async () => void (await enqueue('jobs_test.tasks.make_note', { title: 'after-commit', jobId: 'after-commit', enqueueAfterCommit: true })))
    expect((await waitForEnd(site, `${site.name}::after-commit`)).status).toBe('finished')
  })

  it('skips a duplicate of a queued job and re-queues a finished one', async () => {
    const other = await bench.newSite() // not started: jobs stay queued
    const first = await runAs(other, () => enqueue('jobs_test.tasks.make_note', { title: 'dedup', jobId: 'dedup-1', deduplicate: true }))
    const second = await runAs(other, () => enqueue('jobs_test.tasks.make_note', { title: 'dedup', jobId: 'dedup-1', deduplicate: true }))
    expect(first?.job_id).toBe(`${other.name}::dedup-1`)
    expect(second).toBeUndefined()
    other.services.jobs?.start()
    await waitForEnd(other, `${other.name}::dedup-1`)
    const third = await runAs(other, () => enqueue('jobs_test.tasks.make_note', { title: 'dedup', jobId: 'dedup-1', deduplicate: true }))
    expect(third?.status).toBe('queued')
    await waitForEnd(other, `${other.name}::dedup-1`)
    expect(await notes(other, 'dedup')).toHaveLength(2)
  })

  it('runs a job function on a worker thread', async () => {
    const job = await runAs(site, () => enqueue('jobs_test.tasks.square', { n: 300 }))
    const done = await waitForEnd(site, job!.job_id)
    expect([done.status, done.exc_info]).toEqual(['finished', null])
    expect(done.result).toBe(90000)
  })

  it('runs a job that was queued when the sites closed once they open again', async () => {
    const later = await bench.newSite()
    const job = await runAs(later, () => enqueue('jobs_test.tasks.make_note', { title: 'survives-restart' }))
    expect(job?.status).toBe('queued')
    await bench.sites.close()
    const reopened = await bench.sites.get(later.name)
    reopened.services.jobs?.start()
    expect((await waitForEnd(reopened, job!.job_id)).status).toBe('finished')
    expect(await notes(reopened, 'survives-restart')).toHaveLength(1)
    site = await bench.sites.get(site.name)
    site.services.jobs?.start()
  })
})
