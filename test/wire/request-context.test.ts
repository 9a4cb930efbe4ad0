import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'

const USERS = 20
const REQUESTS = 2000

let bench: TestBench
let sites: Site[]
let url: string
const users = Array.from({ length: USERS }, (_, index) => ({
  email: `context-user-${index}@example.com`,
  password: `secret-${index}-${randomId(6)}`,
}))

beforeAll(async () => {
  bench = await createTestBench({ apps: ['context_test'], appsPath: APPS_PATHS.fixtures })
  sites = [await bench.newSite('context-a.test'), await bench.newSite('context-b.test')]
  await Promise.all(
    sites.map((site) =>
      runAs(site, async () => {
        for (const [index, user] of users.entries()) {
          await insertDocument(newDocument('User', { email: user.email, first_name: `Context ${index}`, new_password: user.password }))
        }
      }),
    ),
  )
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

function headersFor(user: (typeof users)[number], site: Site): Record<string, string> {
  return { authorization: basicAuth(user.email, user.password), 'x-frappe-site-name': site.name }
}

interface ProbeResult {
  user: string
  site: string
  inserted: string[]
  logged_user: string
  gate_reached: boolean
  rows: Array<{ name: string; owner: string; probe_user: string; probe_site: string; hook_users: string }>
}

describe('request context under concurrency', () => {
  it('authenticates each user by Basic auth on each site', async () => {
    // The first success per user and site pays the scrypt check; later requests hit the cache.
    const answers = await Promise.all(
      sites.flatMap((site) =>
        users.map(async (user) => {
          const response = await sendRequest(`${url}/api/method/context_test.api.whoami`, { headers: headersFor(user, site) })
          return [response.status, (response.body as { message: Record<string, string> }).message] as const
        }),
      ),
    )
    const expected = sites.flatMap((site) => users.map((user) => [200, expect.objectContaining({ user: user.email, site: site.name })]))
    expect(answers).toEqual(expected)
  })

  it(`keeps ${REQUESTS} requests in flight at once apart: user, site and writes`, async () => {
    const run = `ctx${randomId(8)}`
    const plan = Array.from({ length: REQUESTS }, (_, index) => {
      const site = sites[index % sites.length] as Site
      const user = users[Math.floor(index / sites.length) % USERS] as (typeof users)[number]
      return { site, user, prefix: `${run}-${site.name}-${user.email}-${index}` }
    })
    const responses = await Promise.all(
      plan.map(({ site, user, prefix }) =>
        sendRequest(`${url}/api/method/context_test.api.probe`, {
          method: 'POST',
          headers: headersFor(user, site),
          body: { prefix, gate: run, expected: REQUESTS },
        }),
      ),
    )

    for (const [index, response] of responses.entries()) {
      const { site, user, prefix } = plan[index] as (typeof plan)[number]
      expect(response.status, response.text).toBe(200)
      const result = (response.body as { message: ProbeResult }).message
      expect(result).toEqual({
        user: user.email,
        site: site.name,
        logged_user: user.email,
        inserted: [`${prefix}-0`],
        gate_reached: true, // all REQUESTS requests were inside the server at the same time
        rows: [
          {
            name: `${prefix}-0`,
            owner: user.email,
            probe_user: user.email,
            probe_site: site.name,
            hook_users: JSON.stringify([user.email, user.email, user.email]),
          },
        ],
      })
    }

    for (const site of sites) {
      const rows = await site.services.database.reader
        .selectFrom('tabContext Probe')
        .select(['name', 'owner', 'probe_user', 'probe_site'])
        .where('name', 'like', `${run}-%`)
        .orderBy('name')
        .execute()
      const expected = plan
        .filter((entry) => entry.site === site)
        .map(({ user, prefix }) => ({ name: `${prefix}-0`, owner: user.email, probe_user: user.email, probe_site: site.name }))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
      expect(rows).toHaveLength(REQUESTS / sites.length)
      // Compared in code-point order: MariaDB's collation orders names its own way.
      expect(rows.sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1))).toEqual(expected)
    }
  })
})
