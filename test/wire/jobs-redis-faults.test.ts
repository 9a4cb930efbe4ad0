import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { REDIS_URL, requireRedis } from '../helpers/services.js'
import { Relay } from '../helpers/tcp-relay.js'

const hasRedis = await requireRedis()

describe.skipIf(!hasRedis)('a site whose job queue Redis goes away and comes back', () => {
  const { hostname, port } = new URL(REDIS_URL)
  const relay = new Relay(hostname || '127.0.0.1', Number(port || 6379))
  let bench: TestBench
  let site: Site
  let url: string
  const call = (path: string, body?: unknown) =>
    sendRequest(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'X-Frappe-Site-Name': site.name, Authorization: basicAuth('Administrator', 'admin'), 'Content-Type': 'application/json' },
      body,
    })

  beforeAll(async () => {
    await relay.open()
    const prefix = `cortado-test-${randomUUID()}` // this run's own keys in the shared Redis
    bench = await createTestBench({ apps: ['jobs_test'], common: { redis_queue: `redis://127.0.0.1:${relay.port}`, redis_queue_prefix: prefix, pause_scheduler: 1 } })
    site = await bench.newSite()
    url = (await bench.startServer()).url
  }, 120_000)

  afterAll(async () => {
    await bench?.close()
    await relay.cut()
  })

  it('answers a request that enqueues 503 at once while Redis is away, keeps serving the rest, and enqueues again once it is back', async () => {
    const before = await call('/api/method/jobs_test.api.slow_echo', { text: 'before' })
    expect(before.status, before.text).toBe(202) // a long call: enqueued, answered with its ticket

    await relay.cut()
    const started = Date.now()
    const refused = await call('/api/method/jobs_test.api.slow_echo', { text: 'during' })
    expect(refused.status, refused.text).toBe(503)
    expect(refused.body).toMatchObject({ exc_type: 'QueueUnavailableError' })
    expect(Date.now() - started).toBeLessThan(5000)
    expect((await call('/api/method/ping')).status).toBe(200) // HTTP keeps serving
    expect((await call('/api/resource/ToDo', { description: 'written while the queue is away' })).status).toBe(200)

    await relay.open()
    let after = await call('/api/method/jobs_test.api.slow_echo', { text: 'after' })
    for (let attempt = 0; after.status !== 202 && attempt < 20; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250)) // ioredis reconnects with a growing delay
      after = await call('/api/method/jobs_test.api.slow_echo', { text: 'after' })
    }
    expect(after.status, after.text).toBe(202)
  })
})
