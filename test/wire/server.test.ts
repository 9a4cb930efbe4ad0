import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { buildServer } from '../../src/http/index.js'
import { APPS_PATHS, basicAuth, createTestBench, silentLogger, type TestBench } from '../helpers/bench.js'
import { sendRequest, serverMessages } from '../helpers/http-request.js'

let bench: TestBench
let site: Site
let url: string
let admin: Record<string, string>
let run = 0

beforeAll(async () => {
  bench = await createTestBench({ apps: ['context_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('server.test')
  url = (await bench.startServer()).url
  admin = { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name }
})

afterAll(async () => {
  await bench.close()
})

/** Every row of the tables a bad request could touch, to show that it wrote nothing. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const reader = site.services.database.reader
  const tables = ['tabContext Probe', 'tabContext Order', 'tabContext Order Item', 'tabContext Log', 'tabVersion']
  const rows: Record<string, unknown[]> = {}
  for (const table of tables) rows[table] = await reader.selectFrom(table).selectAll().orderBy('name').execute()
  return rows
}

/** The Frappe error shape (spec 4.1): exc_type, exception and one message that says why. */
function expectFrappeError(body: unknown, excType: string, message: RegExp): void {
  expect(body).toMatchObject({ exc_type: excType, exception: expect.stringMatching(new RegExp(`^frappe\\.exceptions\\.${excType}: `)) })
  const messages = serverMessages(body)
  expect(messages).toHaveLength(1)
  expect(messages[0]).toMatchObject({ message: expect.stringMatching(message), title: 'Message', indicator: 'red', raise_exception: 1 })
}

describe('GET /api/method/ping', () => {
  it('answers exactly {"message":"pong"} under /api and /api/v1', async () => {
    for (const path of ['/api/method/ping', '/api/v1/method/ping']) {
      const response = await sendRequest(`${url}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.text).toBe('{"message":"pong"}')
    }
  })
})

describe('unknown routes', () => {
  it('answer 404 with only exc_type', async () => {
    for (const path of ['/api/no/such/route', '/api/v1/nothing', '/not-an-api-path']) {
      const response = await sendRequest(`${url}${path}`, { headers: admin })
      expect(response.status).toBe(404)
      expect(response.body).toEqual({ exc_type: 'DoesNotExistError' })
    }
  })
})

describe('bad request bodies', () => {
  it('refuses malformed JSON with a Frappe-shaped 4xx and writes nothing', async () => {
    const before = await snapshot()
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"title": "broken-json",',
    })
    expect(response.status).toBe(417)
    expectFrappeError(response.body, 'ValidationError', /^Bad request: /)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a JSON list where a document is expected with 417 FrappeTypeError', async () => {
    const before = await snapshot()
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '[{"title": "in-a-list"}]', // a JSON list becomes {data: [...]} (spec 0.1)
    })
    expect(response.status).toBe(417)
    expectFrappeError(response.body, 'FrappeTypeError', /^The document must be a JSON object$/)
    expect(await snapshot()).toEqual(before)
  })

  it('drops __proto__ and constructor keys without polluting any prototype', async () => {
    const title = `proto-${++run}`
    const body = `{"title": "${title}", "__proto__": {"polluted": "yes", "probe_user": "intruder"}, "constructor": {"prototype": {"polluted": "yes"}}}`
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body,
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ data: { name: title, title, probe_user: 'Administrator', probe_site: site.name } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    const row = await site.services.database.reader.selectFrom('tabContext Probe').selectAll().where('name', '=', title).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ probe_user: 'Administrator' })
    expect(row).not.toHaveProperty('polluted')
  })

  it('refuses a poisoned body that is otherwise invalid with a 4xx and writes nothing', async () => {
    const before = await snapshot()
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"__proto__": {"title": "from-the-prototype"}, "constructor": {"prototype": {"title": "x"}}}',
    })
    expect(response.status).toBe(417)
    // As Frappe's `_field_autoname`: naming by a missing field fails before the mandatory check.
    expectFrappeError(response.body, 'ValidationError', /^Title is required$/)
    expect(({} as Record<string, unknown>).title).toBeUndefined()
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a list in a scalar field with 417 FrappeTypeError and writes nothing', async () => {
    const before = await snapshot()
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: admin,
      body: { title: [`list-${++run}`, 'second'] },
    })
    expect(response.status).toBe(417)
    expectFrappeError(response.body, 'FrappeTypeError', /^Context Probe: Title cannot be a list or an object$/)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses an unknown DocType with 404 DoesNotExistError and writes nothing', async () => {
    const before = await snapshot()
    const insert = await sendRequest(`${url}/api/resource/No Such DocType`, { method: 'POST', headers: admin, body: { title: 'x' } })
    expect(insert.status).toBe(404)
    expect(insert.body).toMatchObject({ exc_type: 'DoesNotExistError' })
    const read = await sendRequest(`${url}/api/resource/No Such DocType/x`, { headers: admin })
    expect(read.status).toBe(404)
    expect(read.body).toMatchObject({ exc_type: 'DoesNotExistError' })
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a body larger than the limit with 413 in Frappe\'s shape and writes nothing', async () => {
    const small = await buildServer({ sites: bench.sites, logger: silentLogger, bodyLimit: 1024 })
    const smallUrl = await small.listen({ host: '127.0.0.1', port: 0 })
    try {
      const before = await snapshot()
      const response = await sendRequest(`${smallUrl}/api/resource/Context Probe`, {
        method: 'POST',
        headers: admin,
        body: { title: `big-${++run}`, hook_users: 'x'.repeat(4096) },
      })
      expect(response.status).toBe(413)
      expectFrappeError(response.body, 'ValidationError', /^Request body is too large$/)
      expect(await snapshot()).toEqual(before)
      const fits = await sendRequest(`${smallUrl}/api/method/ping`, { method: 'POST', headers: admin, body: { note: 'small' } })
      expect(fits.body).toEqual({ message: 'pong' })
    } finally {
      await small.close()
    }
  })

  it('refuses a body over the default 10 MB limit with 413', async () => {
    const before = await snapshot()
    const response = await sendRequest(`${url}/api/resource/Context Probe`, {
      method: 'POST',
      headers: admin,
      body: { title: `huge-${++run}`, hook_users: 'x'.repeat(10 * 1024 * 1024 + 1) },
    })
    expect(response.status).toBe(413)
    expect(response.body).toMatchObject({ exc_type: 'ValidationError' })
    expect(await snapshot()).toEqual(before)
  })
})
