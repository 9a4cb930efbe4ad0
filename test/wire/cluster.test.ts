import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Agent, type ClientRequestArgs } from 'node:http'
import { connect, type Socket as TcpSocket } from 'node:net'
import type { Duplex } from 'node:stream'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { freePort, runCli, startCli, type RunningCli } from '../helpers/cli.js'
import { sendRequest, type RawResponse } from '../helpers/http-request.js'
import { REDIS_URL, requireRedis } from '../helpers/services.js'

// Issue 6 item 4: `cortado serve --processes N`. Every request below goes on its own connection,
// so node:cluster deals them out to the workers in turn; answers carry the worker's pid.

const ADMIN = basicAuth('Administrator', 'admin')
/** Enough requests on fresh connections that both workers answer some (the primary alternates). */
const ROUNDS = 8
const hasRedis = await requireRedis()

interface Whoami {
  readonly pid: number
  readonly user: string
  readonly roles: string[]
}

interface ClusterBench {
  readonly bench: TestBench
  readonly site: Site
  readonly url: string
  readonly serve: RunningCli
  request(path: string, options?: { method?: string; authorization?: string; body?: unknown }): Promise<RawResponse>
}

/** `cortado serve` with two processes, asked for by `--processes 2` or by `WEB_CONCURRENCY=2`. */
async function startClusterBench(common: Record<string, unknown> = {}, asked: 'option' | 'environment' = 'option'): Promise<ClusterBench> {
  const bench = await createTestBench({ apps: ['cluster_test'], appsPath: APPS_PATHS.fixtures, common })
  const site = await bench.newSite()
  const port = await freePort()
  const serve = startCli(asked === 'option' ? ['serve', '--processes', '2'] : ['serve'], {
    ...(asked === 'environment' ? { WEB_CONCURRENCY: '2' } : {}),
    CORTADO_SITES: bench.sites.sitesPath,
    CORTADO_APPS: APPS_PATHS.fixtures,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
  })
  await serve.waitForLog((line) => line.msg === 'Cortado is serving')
  const url = `http://127.0.0.1:${port}`
  return {
    bench,
    site,
    url,
    serve,
    request: (path, options = {}) =>
      sendRequest(`${url}${path}`, {
        method: options.method,
        headers: { authorization: options.authorization ?? ADMIN, 'x-frappe-site-name': site.name },
        body: options.body,
      }),
  }
}

async function stopClusterBench(cluster: ClusterBench | undefined): Promise<void> {
  if (!cluster) return
  if (cluster.serve.child.exitCode === null) cluster.serve.child.kill('SIGTERM')
  await cluster.serve.exited
  await cluster.bench.close()
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 100; tries += 1) {
    const value = await attempt()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Waits for socket.io's upgrade from polling to websocket, which runs in the background after connecting. */
async function upgraded(socket: Socket): Promise<void> {
  await until('the upgrade to websocket', async () => (socket.io.engine.transport.name === 'websocket' ? true : undefined))
  expect(socket.io.engine.transport.name).toBe('websocket')
}

/** Reads one HTTP response (with a Content-Length) off a raw connection, leaving the connection open. */
function readResponse(socket: TcpSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk])
      const headerEnd = received.indexOf('\r\n\r\n')
      if (headerEnd < 0) return
      const length = Number(/content-length: *(\d+)/i.exec(received.subarray(0, headerEnd).toString('latin1'))?.[1] ?? 0)
      if (received.length < headerEnd + 4 + length) return
      socket.off('data', onData)
      resolve(received.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'))
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
}

/**
 * A keep-alive connection to the cluster that a worker other than `slot` answers: it asks
 * whoami on fresh connections until another worker replies, and keeps that connection.
 */
async function connectionAwayFrom(cluster: ClusterBench, slot: number): Promise<TcpSocket> {
  const { hostname, port } = new URL(cluster.url)
  for (let tries = 0; tries < 20; tries += 1) {
    const socket = connect(Number(port), hostname)
    await once(socket, 'connect')
    socket.write(
      `GET /api/method/cluster_test.api.whoami HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Authorization: ${ADMIN}\r\nX-Frappe-Site-Name: ${cluster.site.name}\r\n\r\n`,
    )
    const answer = JSON.parse(await readResponse(socket)) as { message: { slot: number } }
    if (answer.message.slot !== slot) return socket
    socket.destroy()
  }
  throw new Error(`worker ${slot} answered every connection`)
}

/**
 * The connections of a socket.io client: the handshake goes anywhere; every later request of the
 * session (polls, and the websocket upgrade) goes on a connection another worker than the
 * session's owner answers, so each must be passed on to the owner.
 */
class AwayFromOwner extends Agent {
  constructor(
    private readonly cluster: ClusterBench,
    private readonly sessionId: () => string | undefined,
  ) {
    super({ keepAlive: false })
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const owner = /^w(\d+)\./.exec(this.sessionId() ?? '')?.[1]
    if (owner === undefined) return super.createConnection(options, callback)
    connectionAwayFrom(this.cluster, Number(owner)).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex), // Node's callback type wants a stream even on error
    )
    return undefined
  }
}

/** A socket as Frappe's desk opens one: long polling first, then (if listed) the upgrade to a websocket. */
function openSocket(cluster: ClusterBench, transports: Array<'polling' | 'websocket'>): Promise<{ socket: Socket; events: Array<[string, unknown]> }> {
  // The handshake's connection is made inside io() itself, before `socket` is assigned.
  let socket: Socket | undefined
  const agent = new AwayFromOwner(cluster, () => socket?.io.engine?.id)
  socket = io(`${cluster.url}/${cluster.site.name}`, {
    transports,
    agent: agent as unknown as string, // socket.io-client types `agent` as string | boolean; Node clients take an http.Agent
    extraHeaders: { Authorization: ADMIN, 'X-Frappe-Site-Name': cluster.site.name },
    reconnection: false,
    forceNew: true,
  })
  const events: Array<[string, unknown]> = []
  const opened = socket
  opened.onAny((event: string, message: unknown) => events.push([event, message]))
  return new Promise((resolve, reject) => {
    opened.once('connect', () => resolve({ socket: opened, events }))
    opened.once('connect_error', reject)
  })
}

async function waitForEvent(events: Array<[string, unknown]>, event: string, match: (message: unknown) => boolean = () => true): Promise<unknown> {
  const [, message] = await until(`${event} on the socket`, async () => events.find(([name, message]) => name === event && match(message)))
  return message
}

/** Saves ToDos through the cluster until two different workers have saved one; returns each save. */
async function saveOnBothWorkers(cluster: ClusterBench): Promise<Array<{ pid: number; name: string }>> {
  const saved: Array<{ pid: number; name: string }> = []
  while (new Set(saved.map((entry) => entry.pid)).size < 2) {
    if (saved.length >= ROUNDS) throw new Error(`one worker answered every save: ${JSON.stringify(saved)}`)
    const response = await cluster.request('/api/method/cluster_test.api.add_todo', { method: 'POST', body: { description: `cluster ${randomId(6)}` } })
    expect(response.status).toBe(200)
    saved.push((response.body as { message: { pid: number; name: string } }).message)
  }
  return saved
}

async function expectListUpdates(cluster: ClusterBench, transports: Array<'polling' | 'websocket'>): Promise<Socket> {
  const { socket, events } = await openSocket(cluster, transports)
  socket.emit('doctype_subscribe', 'ToDo')
  socket.emit('ping') // answered after the subscription, which was sent first
  await waitForEvent(events, 'pong')
  for (const { name } of await saveOnBothWorkers(cluster)) {
    expect(await waitForEvent(events, 'list_update', (message) => (message as { name?: string }).name === name)).toEqual({
      doctype: 'ToDo',
      name,
      user: 'Administrator',
    })
  }
  return socket
}

describe('cortado serve --processes', () => {
  it('refuses a count that is not a positive integer or "auto"', async () => {
    const result = await runCli(['serve', '--processes', 'two'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Invalid process count "two"')
  })
})

describe('cortado serve --processes 2', () => {
  let cluster: ClusterBench
  const sockets: Socket[] = []

  beforeAll(async () => {
    cluster = await startClusterBench()
  })

  afterAll(async () => {
    for (const socket of sockets) socket.close()
    await stopClusterBench(cluster)
  })

  async function whoamiRounds(authorization?: string): Promise<Array<{ status: number; answer?: Whoami }>> {
    const answers = []
    for (let round = 0; round < ROUNDS; round += 1) {
      const response = await cluster.request('/api/method/cluster_test.api.whoami', { authorization })
      answers.push({ status: response.status, answer: (response.body as { message?: Whoami } | undefined)?.message })
    }
    return answers
  }

  const pidsOf = (answers: Array<{ answer?: Whoami }>): Set<number | undefined> => new Set(answers.map((entry) => entry.answer?.pid))

  it('serves the same port from two worker processes, children of the command', async () => {
    const answers = await whoamiRounds()
    const pids = pidsOf(answers)
    expect(pids.size).toBe(2)
    expect(pids.has(cluster.serve.child.pid)).toBe(false)
    expect(answers.every((entry) => entry.status === 200 && entry.answer?.user === 'Administrator')).toBe(true)
  })

  it("sees a user's new roles on every worker from the request after the change", async () => {
    const email = `cluster-${randomId(6)}@example.com`
    const password = `pw-${randomId(8)}`
    const created = await cluster.request('/api/resource/User', {
      method: 'POST',
      body: { email, first_name: 'Cluster', new_password: password, roles: [{ role: 'Blogger' }] },
    })
    expect(created.status).toBe(200)
    const user = basicAuth(email, password)
    // Both workers load the user's roles into their caches first.
    const before = await whoamiRounds(user)
    expect(pidsOf(before).size).toBe(2)
    expect(before.every((entry) => entry.answer?.roles.includes('Blogger'))).toBe(true)

    const changed = await cluster.request(`/api/resource/User/${encodeURIComponent(email)}`, { method: 'PUT', body: { roles: [{ role: 'Translator' }] } })
    expect(changed.status).toBe(200)
    const after = await whoamiRounds(user)
    expect(pidsOf(after).size).toBe(2)
    for (const entry of after) {
      expect(entry.status).toBe(200)
      expect(entry.answer?.roles).toContain('Translator')
      expect(entry.answer?.roles).not.toContain('Blogger')
    }
  })

  it('accepts only the newest API secret, on every worker', async () => {
    const email = `keys-${randomId(6)}@example.com`
    expect((await cluster.request('/api/resource/User', { method: 'POST', body: { email, first_name: 'Keys', roles: [{ role: 'Blogger' }] } })).status).toBe(200)
    const generate = async (): Promise<string> => {
      const response = await cluster.request('/api/method/frappe.core.doctype.user.user.generate_keys', { method: 'POST', body: { user: email } })
      expect(response.status).toBe(200)
      return (response.body as { message: { api_secret: string } }).message.api_secret
    }
    const first = await generate()
    const row = await cluster.site.services.database.reader.selectFrom('tabUser').select('api_key').where('name', '=', email).executeTakeFirstOrThrow()
    const token = (secret: string): string => `token ${String(row.api_key)}:${secret}`
    const withFirst = await whoamiRounds(token(first))
    expect(pidsOf(withFirst).size).toBe(2)
    expect(withFirst.every((entry) => entry.status === 200 && entry.answer?.user === email)).toBe(true)

    const second = await generate()
    expect((await whoamiRounds(token(first))).map((entry) => entry.status)).toEqual(Array(ROUNDS).fill(401))
    const withSecond = await whoamiRounds(token(second))
    expect(pidsOf(withSecond).size).toBe(2)
    expect(withSecond.every((entry) => entry.status === 200 && entry.answer?.user === email)).toBe(true)
  })

  const passedOn = (transport: string): number =>
    cluster.serve.logLines().filter((line) => line.msg === 'socket.io request passed to the worker owning its session' && line.transport === transport).length

  it('delivers list_update to a socket that polls, then upgrades on a connection the other worker took', async () => {
    const [polls, upgrades] = [passedOn('polling'), passedOn('websocket')]
    const socket = await expectListUpdates(cluster, ['polling', 'websocket'])
    sockets.push(socket)
    await upgraded(socket)
    expect(passedOn('polling')).toBeGreaterThan(polls)
    expect(passedOn('websocket')).toBe(upgrades + 1)
  })

  it('keeps a polling-only socket working when every poll reaches the other worker', async () => {
    const polls = passedOn('polling')
    const socket = await expectListUpdates(cluster, ['polling'])
    sockets.push(socket)
    expect(socket.io.engine.transport.name).toBe('polling')
    expect(passedOn('polling')).toBeGreaterThan(polls + 2)
  })

  it('forks a new worker in place of one that dies', async () => {
    const [victim] = [...pidsOf(await whoamiRounds())] as number[]
    process.kill(victim!, 'SIGKILL')
    await cluster.serve.waitForLog((line) => line.msg === 'worker exited; restarting it' && line.workerPid === victim)
    const pids = await until('two live workers again', async () => {
      const seen = pidsOf(await whoamiRounds())
      return seen.size === 2 && !seen.has(victim) ? seen : undefined
    })
    expect([...pids].every((pid) => pid !== undefined && isAlive(pid))).toBe(true)
  })

  it('stops every worker, then itself, on SIGTERM', async () => {
    const pids = [...pidsOf(await whoamiRounds())] as number[]
    for (const socket of sockets) socket.close()
    cluster.serve.child.kill('SIGTERM')
    const result = await cluster.serve.exited
    expect(result.code).toBe(0)
    expect(pids.filter(isAlive)).toEqual([])
    // Each worker stopped by itself, none had to be killed (a handed-over websocket once kept one waiting).
    expect(cluster.serve.logLines().filter((line) => line.msg === 'worker did not stop in time: killed')).toEqual([])
  })
})

describe.skipIf(!hasRedis)('cortado serve --processes 2 with Redis', () => {
  let cluster: ClusterBench
  let socket: Socket | undefined

  beforeAll(async () => {
    // This run's own channels in the shared Redis.
    cluster = await startClusterBench({ redis_socketio: REDIS_URL, redis_queue_prefix: `cortado-test-${randomUUID()}` }, 'environment')
  })

  afterAll(async () => {
    socket?.close()
    await stopClusterBench(cluster)
  })

  it('runs two workers when WEB_CONCURRENCY says so', async () => {
    const pids = new Set<number>()
    for (let round = 0; round < ROUNDS; round += 1) {
      pids.add(((await cluster.request('/api/method/cluster_test.api.whoami')).body as { message: Whoami }).message.pid)
    }
    expect(pids.size).toBe(2)
  })

  it('delivers list_update through the Redis adapter to a socket that polls, then upgrades', async () => {
    socket = await expectListUpdates(cluster, ['polling', 'websocket'])
    await upgraded(socket)
  })
})
