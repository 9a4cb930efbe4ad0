import type { Server as HttpServer, IncomingMessage } from 'node:http'
import { Server, type Namespace, type ServerOptions } from 'socket.io'
import type { Logger, Site } from '../context/index.js'
import { registerClientEvents, type SiteSocket, type SocketSession } from './client-events.js'
import { authenticateSocket, SocketAuthError } from './authenticate-socket.js'
import { corsAllows, sameHost } from './cors.js'
import type { RealtimeHub } from './hub.js'
import type { RealtimeRedis } from './redis.js'
import { emitToRoom } from './room-emit.js'
import { ALL_ROOM, WEBSITE_ROOM, userRoom, type RoutedEvent } from './rooms.js'
import { createWritePacer, type WritePacerOptions } from './write-pacer.js'

/** What the socket server needs of the sites a process serves (app/'s `Sites` provides it). */
export interface RealtimeSites {
  exists(name: string): boolean
  get(name: string): Promise<Site>
  defaultSite(): string | undefined
}

export interface RealtimeServerOptions {
  readonly sites: RealtimeSites
  readonly hub: RealtimeHub
  readonly logger: Logger
  /** With Redis (`redis_socketio` or `redis_queue`), events cross processes through it. */
  readonly redis?: RealtimeRedis
  /** Without Redis, another adapter that carries events to the other processes (node:cluster's). */
  readonly adapter?: ServerOptions['adapter']
  /** How much socket writing one event-loop turn does before a fan-out's rest waits (write-pacer.ts). */
  readonly writePacing?: Pick<WritePacerOptions, 'budgetMs' | 'writesPerTurn'>
}

export interface RealtimeServer {
  readonly io: Server
  /** Disconnects every socket and stops the engine; the HTTP server is left to its owner. */
  close(): void
}

function header(request: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

/** The `/` namespace's site, chosen as for HTTP: `X-Frappe-Site-Name`, then Host, then `default_site`. */
function rootNamespaceSite(sites: RealtimeSites, request: Pick<IncomingMessage, 'headers'>): string | undefined {
  const named = header(request, 'x-frappe-site-name')
  if (named) return sites.exists(named) ? named : undefined
  const host = (header(request, 'host') ?? '').replace(/:\d+$/, '')
  if (sites.exists(host)) return host
  const fallback = sites.defaultSite()
  return fallback && sites.exists(fallback) ? fallback : undefined
}

/**
 * The `Access-Control-Allow-Origin` of a polling request: its own host, or an origin the
 * `allow_cors` of the site it addresses admits (Frappe's `set_cors_headers`), with credentials.
 */
async function corsOrigin(sites: RealtimeSites, request: Pick<IncomingMessage, 'headers'>): Promise<string | undefined> {
  const origin = header(request, 'origin')
  if (!origin) return undefined
  if (sameHost(origin, header(request, 'host'))) return origin
  const siteName = rootNamespaceSite(sites, request)
  if (!siteName) return undefined
  return corsAllows((await sites.get(siteName)).config, origin) ? origin : undefined
}

/**
 * socket.io on the HTTP server's port, path `/socket.io` (spec 10.2): one namespace per site
 * (`/<site>`, Frappe v15) and `/` for older clients (v14, rooms prefixed with `<site>:`).
 * Sockets join `user:<user>` and `website`, and `all` when they belong to a System User.
 */
export function attachRealtime(httpServer: HttpServer, options: RealtimeServerOptions): RealtimeServer {
  const { sites, logger } = options
  const io = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: (request, callback) => {
      corsOrigin(sites, request).then(
        (origin) => callback(null, { origin: origin ?? false, credentials: true }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      )
    },
    ...(options.redis ? { adapter: options.redis.adapter() } : options.adapter ? { adapter: options.adapter } : {}),
  })
  const siteNamespaces = new Map<string, Namespace>()
  const pacer = createWritePacer({ ...options.writePacing, onError: (error) => logger.error({ err: error }, 'realtime socket write failed') })

  async function handshake(socket: SiteSocket, siteName: string | undefined, roomPrefix: string): Promise<void> {
    if (!siteName) throw new SocketAuthError('Invalid namespace')
    const site = await sites.get(siteName)
    const address = socket.handshake.address
    const who = await authenticateSocket(site, socket.request.headers, address)
    // `site` stays off the wire: with Redis, other processes' fetchSockets() receive socket.data serialised.
    const data = { user: who.user, userType: who.userType, roomPrefix }
    socket.data = Object.defineProperty(data, 'site', { value: site, enumerable: false }) as SocketSession
  }

  function onConnection(socket: SiteSocket): void {
    const { user, userType, roomPrefix } = socket.data
    pacer.pace(socket.conn) // a large fan-out must not block HTTP on the same event loop
    const rooms = [userRoom(user), WEBSITE_ROOM, ...(userType === 'System User' ? [ALL_ROOM] : [])]
    void socket.join(rooms.map((room) => roomPrefix + room))
    registerClientEvents(socket, logger)
  }

  const refuse = (next: (error?: Error) => void, error: unknown): void => {
    if (!(error instanceof SocketAuthError)) logger.error({ err: error }, 'realtime handshake failed')
    next(error instanceof SocketAuthError ? error : new SocketAuthError('Internal error'))
  }

  // A dynamic namespace is a ParentNamespace at run time, though `of()` is typed as returning a Namespace.
  const perSite = io.of((name, _auth, next) => next(null, sites.exists(name.slice(1)))) as Namespace & { createChild(name: string): Namespace }
  perSite.use((socket, next) => {
    const siteName = socket.nsp.name.slice(1)
    const named = header(socket.request, 'x-frappe-site-name')
    // The namespace must be the site the request names (Frappe: "Invalid namespace").
    const chosen = named && named !== siteName ? undefined : siteName
    handshake(socket as SiteSocket, chosen, '').then(() => next(), (error: unknown) => refuse(next, error))
  })
  perSite.on('connection', (socket: SiteSocket) => {
    siteNamespaces.set(socket.data.site.name, socket.nsp)
    onConnection(socket)
  })

  const root = io.of('/')
  root.use((socket, next) => {
    const siteName = rootNamespaceSite(sites, socket.request)
    handshake(socket as SiteSocket, siteName, siteName ? `${siteName}:` : '').then(() => next(), (error: unknown) => refuse(next, error))
  })
  root.on('connection', (socket: SiteSocket) => onConnection(socket))

  // socket.io's room broadcast: one serialisation per event (per chunk of a large room), no loop
  // over sockets here; the pacer spreads a large room's writes over event-loop turns. With
  // Redis, the adapter carries it to the other processes; a site nobody connected to here yet
  // has no namespace in this process, so its event goes to the others through the emitter. With
  // another adapter (node:cluster's, no emitter) the site's namespace is created here as the first
  // socket would create it, with the same middleware, and its adapter carries the event.
  const siteNamespace = (site: string): Namespace | undefined => {
    const known = siteNamespaces.get(site)
    if (known || options.redis || !options.adapter) return known
    const created = perSite.createChild(`/${site}`)
    siteNamespaces.set(site, created)
    return created
  }
  // With one process, a large room is walked in chunks over turns too (room-emit.ts); an adapter
  // that reaches other processes gets the emit whole, as it must publish it once.
  const emit = options.redis || options.adapter
    ? (nsp: Namespace, room: string, routed: RoutedEvent) => void nsp.to(room).emit(routed.event, routed.message)
    : (nsp: Namespace, room: string, routed: RoutedEvent) => emitToRoom(nsp, pacer, room, routed.event, routed.message)
  const disconnectHub = options.hub.connect((site, routed) => {
    try {
      const nsp = siteNamespace(site)
      if (nsp) emit(nsp, routed.room, routed)
      else options.redis?.emitTo(`/${site}`, routed)
      emit(root, `${site}:${routed.room}`, routed)
    } catch (error) {
      logger.error({ err: error, event: routed.event, room: routed.room }, 'realtime publish failed')
    }
  })

  return {
    io,
    close() {
      disconnectHub()
      pacer.flush() // events already emitted leave before the sockets close
      for (const nsp of [root, ...siteNamespaces.values()]) nsp.disconnectSockets(true)
      io.engine.close()
    },
  }
}
