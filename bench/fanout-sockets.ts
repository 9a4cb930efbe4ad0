/**
 * The socket side of `bench/fanout-impact.ts`, in a child process of its own: CONNS socket.io
 * clients subscribed to `Bench Note`, each recording when every `list_update` arrives.
 *
 * It runs at the lowest CPU priority (nice 19). The machine has 2 cores for the server, wrk and
 * these clients; reading 5,000 frames per update takes the clients about a quarter of a second
 * of CPU, and at normal priority that burst would take CPU from the server and wrk, so W1 would
 * measure the load generator and not the server. At nice 19 the clients use what is left over.
 *
 * Messages from the parent: `{ type: 'count', name }` → `{ type: 'count', name, got }`;
 * `{ type: 'arrivals', names }` → `{ type: 'arrivals', arrivals: { [name]: epoch ms[] } }`.
 * It sends `{ type: 'connected', count }` once every socket is connected and has asked to subscribe,
 * `{ type: 'failed', message }` if one is refused, and `{ type: 'dropped' }` per socket that goes away.
 */
import { setPriority } from 'node:os'
import { performance } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'

export type ToSockets = { type: 'count'; name: string } | { type: 'arrivals'; names: string[] }
export type FromSockets =
  | { type: 'connected'; count: number }
  | { type: 'failed'; message: string }
  | { type: 'dropped' }
  | { type: 'count'; name: string; got: number }
  | { type: 'arrivals'; arrivals: Record<string, number[]> }

const BATCH = 250
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const epochMs = (): number => performance.timeOrigin + performance.now()

function send(message: FromSockets): void {
  process.send?.(message)
}

function connectOne(url: string, namespace: string, auth: string, doctype: string, arrivals: Map<string, number[]>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url + namespace, {
      transports: ['websocket'],
      multiplex: false, // one engine.io connection per socket, as every browser tab has
      reconnection: false,
      timeout: 20_000,
      extraHeaders: { Authorization: auth, Origin: url },
    })
    socket.on('list_update', (message: { name?: unknown }) => {
      const at = epochMs()
      if (typeof message?.name !== 'string') return
      let list = arrivals.get(message.name)
      if (!list) arrivals.set(message.name, (list = []))
      list.push(at)
    })
    socket.once('connect', () => {
      socket.emit('doctype_subscribe', doctype)
      resolve(socket)
    })
    socket.once('connect_error', (error) => reject(new Error(`socket refused: ${error.message}`)))
  })
}

async function main(): Promise<void> {
  setPriority(19)
  const [url, namespace, auth, doctype, countText] = process.argv.slice(2)
  if (!url || !namespace || !auth || !doctype || !countText) throw new Error('usage: fanout-sockets URL NAMESPACE AUTH DOCTYPE COUNT')
  const count = Number(countText)
  const arrivals = new Map<string, number[]>()
  process.on('message', (message: ToSockets) => {
    if (message.type === 'count') send({ type: 'count', name: message.name, got: arrivals.get(message.name)?.length ?? 0 })
    else send({ type: 'arrivals', arrivals: Object.fromEntries(message.names.map((name) => [name, arrivals.get(name) ?? []])) })
  })
  process.on('disconnect', () => process.exit(0)) // the parent went away
  for (let first = 0; first < count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first) }, () => connectOne(url, namespace, auth, doctype, arrivals))
    for (const socket of await Promise.all(batch)) socket.on('disconnect', () => send({ type: 'dropped' }))
  }
  send({ type: 'connected', count })
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
  process.exit(1)
})
