import cluster, { type Address, type Worker } from 'node:cluster'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupPrimary as relaySocketIoAdapter } from '@socket.io/cluster-adapter'
import type { Logger } from '../context/index.js'
import { isSocketHandoff } from './socket-sessions.js'

/** How the primary tells a worker its place; read back by `clusterWorker()`. */
const SLOT_VARIABLE = 'CORTADO_WORKER_SLOT'
const COUNT_VARIABLE = 'CORTADO_WORKER_COUNT'
const SOCKETS_VARIABLE = 'CORTADO_WORKER_SOCKETS'

/** A worker that dies young is restarted after 1 s, then 2, 4, … up to 30 s; one that lived 30 s starts the count again. */
const RESTART_FIRST_MS = 1000
const RESTART_MAX_MS = 30_000
const STABLE_AFTER_MS = 30_000
/** What a stopping worker gets to finish its requests in flight before it is killed. */
const STOP_TIMEOUT_MS = 30_000

/** What a worker process of `cortado serve --processes N` knows about its cluster. */
export interface ClusterWorker {
  /** 0 … processes − 1. A restarted worker takes the slot of the one that died. */
  readonly slot: number
  readonly processes: number
  /** A folder only this bench's workers use: each listens there for the socket.io sessions it owns. */
  readonly socketsPath: string
}

/** This process's place in a cluster, or undefined outside one (a single process, or the primary). */
export function clusterWorker(): ClusterWorker | undefined {
  if (!cluster.isWorker) return undefined
  const slot = Number(process.env[SLOT_VARIABLE])
  const processes = Number(process.env[COUNT_VARIABLE])
  const socketsPath = process.env[SOCKETS_VARIABLE]
  // A worker forked by something other than startCluster() runs as a single process would.
  if (!Number.isInteger(slot) || !Number.isInteger(processes) || !socketsPath) return undefined
  return { slot, processes, socketsPath }
}

/** A process count as written on the command line or in the environment: a positive integer, or `auto` (one per core). */
export function parseProcessCount(text: string): number {
  if (text.trim() === 'auto') return availableParallelism()
  const count = Number(text)
  if (!Number.isInteger(count) || count < 1) throw new Error(`Invalid process count ${JSON.stringify(text)}: use a positive integer or "auto"`)
  return count
}

export interface RunningCluster {
  /** Where the workers listen, as the first of them reported it. */
  readonly url: string
  readonly processes: number
  /** Stops every worker (each finishes its requests in flight) and stops restarting them. */
  stop(): Promise<void>
}

function urlOf(address: Address): string {
  const host = address.address && address.address.includes(':') ? `[${address.address}]` : (address.address ?? '127.0.0.1')
  return `http://${host}:${address.port}`
}

/** Resolves once the worker listens on the shared port; rejects if it exits first. */
function whenListening(worker: Worker, slot: number): Promise<Address> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void =>
      reject(new Error(`worker ${slot} (pid ${worker.process.pid}) exited before it listened (${signal ?? `code ${code}`}); its error is above`))
    worker.once('exit', onExit)
    worker.once('listening', (address) => {
      worker.off('exit', onExit)
      resolve(address)
    })
  })
}

function stopWorker(worker: Worker, timeoutMs: number, logger: Logger): Promise<void> {
  if (worker.isDead()) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ workerPid: worker.process.pid, timeoutMs }, 'worker did not stop in time: killed')
      worker.process.kill('SIGKILL')
    }, timeoutMs)
    worker.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    // SIGTERM, not worker.kill(): the worker runs its own graceful stop, as a single process does.
    worker.process.kill('SIGTERM')
  })
}

/**
 * The primary of `cortado serve --processes N` (node:cluster): forks N workers, each of which runs
 * the same command, opens the sites and listens on the same port (connections are dealt out round
 * robin by the primary, as node:cluster does by default on Linux). A worker that dies is forked
 * again after a back-off. The primary opens no site and serves no request; it relays socket.io's
 * cluster adapter messages and hands over websocket upgrades to the worker owning their session.
 * Resolves once every worker listens; rejects (and stops the others) if one exits before that.
 */
export async function startCluster(options: { processes: number; logger: Logger; stopTimeoutMs?: number }): Promise<RunningCluster> {
  if (!cluster.isPrimary) throw new Error('startCluster() runs in the primary process')
  const { processes, logger } = options
  // mkdtemp creates the folder readable by this user only: nobody else can reach the workers' sockets.
  const socketsPath = mkdtempSync(join(tmpdir(), 'cortado-cluster-'))
  relaySocketIoAdapter()
  const workers = new Map<number, Worker>()
  const youngDeaths = new Map<number, number>()
  const restarts = new Set<NodeJS.Timeout>()
  let starting = true
  let stopping = false

  // A websocket upgrade that reached the wrong worker goes, socket and all, to the one owning its session.
  const relayHandoff = (_from: Worker, message: unknown, handle: unknown): void => {
    if (!isSocketHandoff(message)) return
    const socket = handle as Socket | undefined
    const target = workers.get(message.slot)
    if (!socket) return
    if (!target?.isConnected()) return void socket.destroy()
    target.send(message, socket, (error: Error | null) => {
      if (error) return void socket.destroy()
      // The handle has left this process, but Node counts the socket here until it closes, and the
      // worker that sent it waits for that count to reach zero before its server can close.
      socket.destroy()
    })
  }
  cluster.on('message', relayHandoff)

  function fork(slot: number): Worker {
    const worker = cluster.fork({ [SLOT_VARIABLE]: String(slot), [COUNT_VARIABLE]: String(processes), [SOCKETS_VARIABLE]: socketsPath })
    const born = Date.now()
    workers.set(slot, worker)
    worker.once('exit', (code, signal) => {
      if (workers.get(slot) === worker) workers.delete(slot)
      if (starting || stopping) return
      const deaths = Date.now() - born >= STABLE_AFTER_MS ? 1 : (youngDeaths.get(slot) ?? 0) + 1
      youngDeaths.set(slot, deaths)
      const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (deaths - 1))
      logger.error({ slot, workerPid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited; restarting it')
      const timer = setTimeout(() => {
        restarts.delete(timer)
        if (!stopping) fork(slot)
      }, delay)
      restarts.add(timer)
    })
    return worker
  }

  async function stop(): Promise<void> {
    stopping = true
    for (const timer of restarts) clearTimeout(timer)
    restarts.clear()
    await Promise.all([...workers.values()].map((worker) => stopWorker(worker, options.stopTimeoutMs ?? STOP_TIMEOUT_MS, logger)))
    cluster.off('message', relayHandoff)
    rmSync(socketsPath, { recursive: true, force: true })
  }

  const listening = Array.from({ length: processes }, (_, slot) => whenListening(fork(slot), slot))
  for (const worker of listening) worker.catch(() => {}) // the first failure is thrown below; the others add nothing
  let addresses: Address[]
  try {
    addresses = await Promise.all(listening)
  } catch (error) {
    await stop()
    throw error
  }
  starting = false
  let stopped: Promise<void> | undefined
  return {
    url: urlOf(addresses[0]!), // processes ≥ 1, so there is a first address
    processes,
    stop: () => (stopped ??= stop()),
  }
}
