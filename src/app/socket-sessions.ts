import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type { Server as SocketServer } from 'socket.io'
import type { Logger } from '../context/index.js'

/**
 * socket.io sessions across the workers of a cluster. A session (engine.io's `sid`) lives in the
 * worker that answered its handshake, but node:cluster deals out connections round robin, so its
 * later polling requests and its websocket upgrade may reach another worker. Rather than route
 * every connection through the primary by session (as @socket.io/sticky does, which also turns
 * keep-alive off for every response), each session id names its worker, and a worker that gets
 * a request for another worker's session passes it on: a polling request through that worker's
 * private Unix socket, a websocket upgrade by handing over the TCP socket itself (through the
 * primary), so the websocket then runs in its owner with no hop in between. Requests without a
 * session (all of HTTP, and socket.io handshakes) never take a detour.
 */

/** The message a worker sends the primary, with the socket, to hand an upgrade over. */
export interface SocketHandoff {
  readonly type: 'cortado:socket-handoff'
  /** The worker owning the session. */
  readonly slot: number
  /** The request as received (request line, headers, and any bytes after them), base64. */
  readonly request: string
}

export function isSocketHandoff(message: unknown): message is SocketHandoff {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'cortado:socket-handoff'
}

const PASSED_ON = 'socket.io request passed to the worker owning its session'

/** `w<slot>.<random>`: 120 random bits, as engine.io's own ids carry. */
const SESSION_ID = /^w(\d+)\./

function sessionOwner(req: IncomingMessage): number | undefined {
  const sid = new URL(req.url ?? '/', 'http://localhost').searchParams.get('sid')
  const match = sid ? SESSION_ID.exec(sid) : null
  return match ? Number(match[1]) : undefined
}

function privateSocketPath(socketsPath: string, slot: number): string {
  return join(socketsPath, `${slot}.sock`)
}

/** Headers that describe one connection, not the request, so they do not travel on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)))
}

/** What engine.io answers for a session it does not know; the client then opens a new one. */
function unknownSession(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 1, message: 'Session ID unknown' }))
}

/** Longer than any wait between two polls, so the owner never closes a connection the agent is about to reuse. */
const PRIVATE_KEEP_ALIVE_MS = 5 * 60_000

/** A polling request for another worker's session, forwarded to it and answered with its reply. */
function forwardPolling(req: IncomingMessage, res: ServerResponse, socketPath: string, toOwners: Agent, logger: Logger): void {
  let replied = false
  const upstream = request({ socketPath, method: req.method, path: req.url, headers: endToEnd(req.headers), agent: toOwners }, (reply) => {
    replied = true
    res.writeHead(reply.statusCode ?? 502, endToEnd(reply.headers))
    reply.pipe(res)
    reply.on('aborted', () => res.destroy())
  })
  upstream.on('error', (error) => {
    if (replied || res.destroyed) return // the owner's reply is on its way, or the client left
    // The owner is gone (restarting): the session went with it, as engine.io would say.
    logger.debug({ err: error }, 'the worker owning a socket.io session did not answer')
    unknownSession(res)
  })
  // A long poll whose client went away ends in the owner too, as it would have without the detour.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy()
  })
  req.pipe(upstream)
}

/** The bytes of a request Node has already parsed, for another process's HTTP server to parse again. */
function rawRequest(req: IncomingMessage, head: Buffer): Buffer {
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`
  for (let index = 0; index < req.rawHeaders.length; index += 2) text += `${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}\r\n`
  // Node decodes header bytes as latin1, so latin1 gives back the bytes that came in.
  return Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head])
}

/**
 * Makes the socket.io server of cluster worker `slot` name its sessions after itself, pass on
 * requests for other workers' sessions, and take over those passed on to it. Returns the
 * function that stops taking them.
 */
export async function keepSocketSessionsOnTheirWorker(
  io: SocketServer,
  worker: { readonly slot: number; readonly socketsPath: string },
  logger: Logger,
): Promise<() => Promise<void>> {
  const engine = io.engine
  const handleHere = engine.handleRequest.bind(engine)
  const upgradeHere = engine.handleUpgrade.bind(engine)
  engine.generateId = () => `w${worker.slot}.${randomBytes(15).toString('base64url')}`
  // Connections to the other workers' private sockets stay open between polls. Besides saving a
  // connect per poll, this matters for correctness: a connection the owner closes right after
  // its reply can fail the tail of the forwarded request (EPIPE) before that reply is read.
  const toOwners = new Agent({ keepAlive: true, maxFreeSockets: 16 })

  engine.handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const owner = sessionOwner(req)
    if (owner === undefined || owner === worker.slot) return handleHere(req, res)
    logger.debug({ slot: owner, transport: 'polling' }, PASSED_ON)
    forwardPolling(req, res, privateSocketPath(worker.socketsPath, owner), toOwners, logger)
  }
  engine.handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const owner = sessionOwner(req)
    if (owner === undefined || owner === worker.slot || !process.send || !(socket instanceof Socket)) return upgradeHere(req, socket, head)
    logger.debug({ slot: owner, transport: 'websocket' }, PASSED_ON)
    const handoff: SocketHandoff = { type: 'cortado:socket-handoff', slot: owner, request: rawRequest(req, head).toString('base64') }
    process.send(handoff, socket, {}, (error: Error | null) => {
      if (error) {
        logger.warn({ err: error, slot: owner }, 'could not hand a websocket over to the worker owning its session')
        socket.destroy()
      }
    })
  }

  // The owner's side: forwarded polls arrive on a private socket, upgrades as a socket handle.
  const path = privateSocketPath(worker.socketsPath, worker.slot)
  rmSync(path, { force: true }) // left behind by a worker of this slot that died
  const forwarded = createServer(handleHere)
  forwarded.keepAliveTimeout = PRIVATE_KEEP_ALIVE_MS
  forwarded.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'a socket.io request passed on by another worker was refused')
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    forwarded.once('error', reject)
    // exclusive: this worker's own listener, not one shared through the primary as cluster would make it.
    forwarded.listen({ path, exclusive: true }, () => {
      forwarded.off('error', reject)
      resolve()
    })
  })
  const takeOver = (message: unknown, handle: unknown): void => {
    if (!isSocketHandoff(message) || !(handle instanceof Socket)) return
    // As if the connection had come here: the HTTP server parses the upgrade again and socket.io takes it.
    io.httpServer.emit('connection', handle)
    handle.unshift(Buffer.from(message.request, 'base64'))
  }
  process.on('message', takeOver)

  return async () => {
    process.off('message', takeOver)
    toOwners.destroy()
    forwarded.closeAllConnections()
    await new Promise<void>((resolve) => forwarded.close(() => resolve()))
  }
}
