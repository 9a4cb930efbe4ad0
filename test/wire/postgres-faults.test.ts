import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { POSTGRES, postgresSiteConfig, requirePostgres } from '../helpers/services.js'
import { Relay } from '../helpers/tcp-relay.js'

const hasPostgres = await requirePostgres()

describe.skipIf(!hasPostgres)('a PostgreSQL site whose database goes away and comes back', () => {
  const relay = new Relay(POSTGRES.host, POSTGRES.port)
  let bench: TestBench
  let site: Site
  let url: string
  const headers = () => ({ 'X-Frappe-Site-Name': site.name, Authorization: basicAuth('Administrator', 'admin'), 'Content-Type': 'application/json' })

  beforeAll(async () => {
    await relay.open()
    bench = await createTestBench()
    site = await bench.newSite(undefined, { ...postgresSiteConfig(), db_port: relay.port })
    url = (await bench.startServer()).url
  }, 120_000)

  afterAll(async () => {
    await relay.open() // the bench drops the site's database through the relay's port
    await bench?.close()
    await relay.cut()
  })

  it('answers 503 in Frappe\'s shape at once while it is unreachable, and serves again once it is back, without a restart', async () => {
    const before = await sendRequest(`${url}/api/resource/ToDo`, { method: 'POST', headers: headers(), body: { description: 'before the cut' } })
    expect(before.status, before.text).toBe(200)

    await relay.cut()
    for (const [method, path, body] of [
      ['GET', '/api/resource/ToDo', undefined],
      ['POST', '/api/resource/ToDo', { description: 'during the cut' }],
    ] as const) {
      const started = Date.now()
      const refused = await sendRequest(`${url}${path}`, { method, headers: headers(), body })
      expect(refused.status, refused.text).toBe(503)
      expect(refused.body).toMatchObject({ exc_type: 'DatabaseUnavailableError' })
      expect(Date.now() - started).toBeLessThan(5000) // fails fast, not at some far timeout
    }

    await relay.open()
    const after = await sendRequest(`${url}/api/resource/ToDo`, { method: 'POST', headers: headers(), body: { description: 'after the cut' } })
    expect(after.status, after.text).toBe(200)
    const list = await sendRequest(`${url}/api/resource/ToDo?fields=["description"]&limit_page_length=0`, { headers: headers() })
    expect((list.body as { data: Array<{ description: string }> }).data.map((row) => row.description).sort()).toEqual(['after the cut', 'before the cut'])
  })
})
