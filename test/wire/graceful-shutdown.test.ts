import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { basicAuth } from '../helpers/bench.js'
import { CLI_APPS, freePort, runCli, startCli, temporarySites, type RunningCli } from '../helpers/cli.js'
import { sendRequest } from '../helpers/http-request.js'

const cleanups: Array<() => void> = []

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** Starts `cortado serve` on a fresh bench whose one site has the context_test app. */
async function serveFreshBench(adminPassword: string): Promise<{ server: RunningCli; base: string }> {
  const { root, sitesPath } = temporarySites(['context_test'])
  const env = { CORTADO_SITES: sitesPath, CORTADO_APPS: CLI_APPS.fixtures }
  const created = await runCli(['new-site', 'shutdown.test', '--admin-password', adminPassword], env)
  expect(created.code, created.stderr).toBe(0)
  const port = await freePort()
  const server = startCli(['serve'], { ...env, PORT: String(port) })
  cleanups.push(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  })
  await server.waitForLog((line) => line.msg === 'Cortado is serving')
  return { server, base: `http://127.0.0.1:${port}` }
}

/**
 * Opens new connections until one is refused outright. While Fastify is closing, a connection
 * that still got in is answered 503 or reset; those are not refusals yet.
 */
async function waitForRefusal(base: string): Promise<string | undefined> {
  let last: string | undefined
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      last = String((await sendRequest(`${base}/api/method/ping`)).status)
    } catch (error) {
      last = (error as NodeJS.ErrnoException).code
      if (last === 'ECONNREFUSED') return last
    }
    await sleep(10)
  }
  return last
}

const isRequestLine = (url: string) => (line: Record<string, unknown>) =>
  line.msg === 'incoming request' && (line.req as { url?: unknown } | undefined)?.url === url

describe('cortado serve', () => {
  it('on SIGTERM finishes the request in flight, refuses new connections and exits 0', async () => {
    const { server, base } = await serveFreshBench('pw-shutdown')
    const slow = sendRequest(`${base}/api/method/context_test.api.slow`, {
      method: 'POST',
      headers: { authorization: basicAuth('Administrator', 'pw-shutdown') },
      body: { ms: 1000 },
    })
    let slowSettled = false
    const markSettled = () => {
      slowSettled = true
    }
    slow.then(markSettled, markSettled)
    await server.waitForLog(isRequestLine('/api/method/context_test.api.slow'))

    server.child.kill('SIGTERM')
    await server.waitForLog((line) => line.msg === 'shutting down: finishing requests in flight')
    expect(await waitForRefusal(base)).toBe('ECONNREFUSED')
    expect(slowSettled).toBe(false) // the listener closed while the slow request was still running

    const response = await slow
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ message: 'slow done' })
    const exit = await server.exited
    expect(exit.code).toBe(0)
    expect(exit.signal).toBeNull()
  })

  it('writes pino JSON lines to stdout, each request with its own reqId', async () => {
    const { server, base } = await serveFreshBench('pw-logs')
    const ping = await sendRequest(`${base}/api/method/ping`)
    expect(ping.text).toBe('{"message":"pong"}')
    const denied = await sendRequest(`${base}/api/method/context_test.api.whoami`, {
      headers: { authorization: basicAuth('Administrator', 'wrong') },
    })
    expect(denied.status).toBe(401)
    server.child.kill('SIGTERM')
    expect((await server.exited).code).toBe(0)

    const lines = server.stdout().split('\n').filter((line) => line.trim() !== '')
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const line of parsed) expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) })

    const incoming = parsed.filter((line) => line.msg === 'incoming request')
    expect(incoming.map((line) => (line.req as { url: string }).url)).toEqual(['/api/method/ping', '/api/method/context_test.api.whoami'])
    const ids = incoming.map((line) => line.reqId)
    for (const id of ids) expect(id).toEqual(expect.stringMatching(/\S/))
    expect(new Set(ids).size).toBe(2)
    const completed = parsed.filter((line) => line.msg === 'request completed')
    expect(completed.map((line) => [line.reqId, (line.res as { statusCode: number }).statusCode])).toEqual([
      [ids[0], 200],
      [ids[1], 401],
    ])
  })
})
