import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'
import { connectSocket, openSocket } from '../helpers/realtime-client.js'

let bench: TestBench
let server: RunningServer
const ADMIN = basicAuth('Administrator', 'admin')
const APP_ORIGIN = 'https://app.example.com'

beforeAll(async () => {
  bench = await createTestBench({ apps: ['realtime_test'], appsPath: APPS_PATHS.fixtures })
  await bench.newSite('cors-list.test', { allow_cors: [APP_ORIGIN, 'https://other.example.com'] })
  await bench.newSite('cors-star.test', { allow_cors: '*' })
  await bench.newSite('cors-none.test')
  server = await bench.startServer()
})

afterAll(async () => {
  await bench.close()
})

/** The engine.io polling handshake a browser sends first, from `origin` to `site`. */
function pollingHandshake(site: string, origin: string, method = 'GET'): ReturnType<typeof sendRequest> {
  return sendRequest(`${server.url}/socket.io/?EIO=4&transport=polling`, { method, headers: { origin, 'x-frappe-site-name': site } })
}

async function refusal(site: string, origin: string): Promise<string | undefined> {
  const { socket, outcome } = openSocket(server.url, `/${site}`, { Authorization: ADMIN, Origin: origin })
  const error = await outcome
  socket.close()
  return error?.message
}

describe('socket.io CORS', () => {
  it('echoes an origin listed in allow_cors, with credentials, on the handshake and its preflight', async () => {
    const handshake = await pollingHandshake('cors-list.test', APP_ORIGIN)
    expect(handshake.status).toBe(200)
    expect(handshake.headers['access-control-allow-origin']).toBe(APP_ORIGIN)
    expect(handshake.headers['access-control-allow-credentials']).toBe('true')
    const preflight = await pollingHandshake('cors-list.test', APP_ORIGIN, 'OPTIONS')
    expect(preflight.headers['access-control-allow-origin']).toBe(APP_ORIGIN)
    expect(preflight.headers['access-control-allow-credentials']).toBe('true')
  })

  it('sends no CORS headers to an origin the site does not allow', async () => {
    for (const site of ['cors-list.test', 'cors-none.test']) {
      const handshake = await pollingHandshake(site, 'https://evil.example.com')
      expect(handshake.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('does not open sockets to every origin when allow_cors is "*": a socket carries the session cookie', async () => {
    const handshake = await pollingHandshake('cors-star.test', 'https://anywhere.example.org')
    expect(handshake.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('lets an allowed origin connect to the site namespace and refuses the others', async () => {
    const socket = await connectSocket(server.url, '/cors-list.test', { Authorization: ADMIN, Origin: APP_ORIGIN })
    socket.close()
    expect(await refusal('cors-list.test', 'https://evil.example.com')).toBe('Unauthorized: Invalid origin')
    expect(await refusal('cors-none.test', APP_ORIGIN)).toBe('Unauthorized: Invalid origin')
    expect(await refusal('cors-star.test', 'https://anywhere.example.org')).toBe('Unauthorized: Invalid origin')
  })
})
