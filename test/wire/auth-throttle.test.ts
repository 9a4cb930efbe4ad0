import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'

const ATTEMPTS = 3

let bench: TestBench
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['demo'], appsPath: APPS_PATHS.demo })
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

/** Each test has its own site: the counters are per site, so tests cannot disturb each other. */
function newSite(config: Record<string, unknown> = {}): Promise<Site> {
  return bench.newSite(`throttle-${randomId(4)}.test`, { allow_consecutive_login_attempts: ATTEMPTS, allow_login_after_fail: 600, ...config })
}

async function newUser(site: Site): Promise<{ email: string; password: string }> {
  const email = `throttle-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  await runAs(site, () => insertDocument(newDocument('User', { email, first_name: 'Throttled', new_password: password })))
  return { email, password }
}

function login(site: Site, usr: string, pwd: string, forwardedFor?: string): Promise<Response> {
  return fetch(`${url}/api/method/login`, {
    method: 'POST',
    headers: { 'x-frappe-site-name': site.name, 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ usr, pwd }),
  })
}

describe('login throttling', () => {
  it('answers 429 TooManyRequestsError after N failures for a user, even to the right password', async () => {
    const site = await newSite()
    const user = await newUser(site)
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) expect((await login(site, user.email, 'wrong')).status).toBe(401)
    const throttled = await login(site, user.email, user.password)
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await throttled.json()).toMatchObject({ exc_type: 'TooManyRequestsError', exception: expect.stringMatching(/^frappe\.exceptions\.TooManyRequestsError: /) })
  })

  it('counts per user wherever the attempts come from', async () => {
    const site = await newSite({ trusted_proxies: ['127.0.0.1'] })
    const user = await newUser(site)
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) await login(site, user.email, 'wrong', `203.0.113.${attempt + 1}`)
    expect((await login(site, user.email, user.password, '203.0.113.50')).status).toBe(429)
    const other = await newUser(site)
    expect((await login(site, other.email, other.password, '203.0.113.51')).status).toBe(200)
  })

  it('counts per client address across user names', async () => {
    const site = await newSite({ trusted_proxies: ['127.0.0.1'] })
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) await login(site, `guess-${attempt}@example.com`, 'wrong', '198.51.100.7')
    const user = await newUser(site)
    expect((await login(site, user.email, user.password, '198.51.100.7')).status).toBe(429)
    expect((await login(site, user.email, user.password, '198.51.100.8')).status).toBe(200)
  })

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const site = await newSite()
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) await login(site, `guess-${attempt}@example.com`, 'wrong', `192.0.2.${attempt + 1}`)
    const user = await newUser(site)
    expect((await login(site, user.email, user.password, '192.0.2.99')).status).toBe(429)
  })

  it('reads the client from the right of X-Forwarded-For, so a forged first hop changes nothing', async () => {
    const site = await newSite({ trusted_proxies: ['127.0.0.1'] })
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) await login(site, `guess-${attempt}@example.com`, 'wrong', `10.9.9.${attempt}, 198.51.100.20`)
    const user = await newUser(site)
    expect((await login(site, user.email, user.password, '10.9.9.99, 198.51.100.20')).status).toBe(429)
  })

  it('resets a user\'s count on a successful login', async () => {
    const site = await newSite({ trusted_proxies: ['127.0.0.1'] })
    const user = await newUser(site)
    for (let attempt = 0; attempt < ATTEMPTS - 1; attempt++) await login(site, user.email, 'wrong', '198.51.100.30')
    expect((await login(site, user.email, user.password, '198.51.100.30')).status).toBe(200)
    for (let attempt = 0; attempt < ATTEMPTS - 1; attempt++) await login(site, user.email, 'wrong', '198.51.100.30')
    expect((await login(site, user.email, user.password, '198.51.100.30')).status).toBe(200)
  })

  it('throttles password guessing through Basic auth as well', async () => {
    const site = await newSite()
    const user = await newUser(site)
    const whoami = (password: string) =>
      fetch(`${url}/api/method/frappe.auth.get_logged_user`, { headers: { authorization: basicAuth(user.email, password), 'x-frappe-site-name': site.name } })
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) expect((await whoami('wrong')).status).toBe(401)
    expect((await whoami(user.password)).status).toBe(429)
  })
})
