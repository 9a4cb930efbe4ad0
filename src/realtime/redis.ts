import { createAdapter } from '@socket.io/redis-adapter'
import { Emitter } from '@socket.io/redis-emitter'
import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from '../context/index.js'
import type { RealtimeEmitter } from './hub.js'
import type { RoutedEvent } from './rooms.js'

export interface RealtimeRedisSettings {
  /** `redis_socketio`, else `redis_queue`, from the common config. */
  readonly url: string
  /** The adapter's channel prefix; emitters and adapters of one bench share it. */
  readonly key: string
}

/** Redis for realtime: Frappe's `redis_socketio`, falling back to `redis_queue`; undefined without either. */
export function realtimeRedisSettings(config: Readonly<Record<string, unknown>>): RealtimeRedisSettings | undefined {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
  const url = text(config.redis_socketio) ?? text(config.redis_queue)
  if (!url) return undefined
  return { url, key: `${text(config.redis_queue_prefix) ?? 'cortado'}-socket.io` }
}

/**
 * An ioredis client whose failures are logged once per outage (and its recovery once), and whose
 * pub/sub commands never leave an unhandled rejection: socket.io's adapter and emitter do not
 * catch what `publish` or `subscribe` reject with while Redis is away.
 */
function realtimeClient(settings: RealtimeRedisSettings, role: string, logger: Logger, options: RedisOptions): Redis {
  const client = new Redis(settings.url, options)
  let down = false
  const report = (error: unknown): void => {
    if (down) return
    down = true
    logger.error({ err: error, redis: settings.url, role }, `realtime Redis unreachable (${role}): events do not cross processes until it is back`)
  }
  client.on('error', report)
  client.on('ready', () => {
    if (down) logger.info({ redis: settings.url, role }, 'realtime Redis reachable again')
    down = false
  })
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>
  for (const name of ['publish', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']) {
    const original = methods[name]!.bind(client)
    methods[name] = (...args: unknown[]) => {
      const result = original(...args)
      if (result instanceof Promise) result.catch(report)
      return result
    }
  }
  return client
}

/** Redis connections of one process for realtime; `close()` drops them without waiting. */
export interface RealtimeRedis {
  /** socket.io's Redis adapter, for `serve`'s server. */
  adapter(): ReturnType<typeof createAdapter>
  /** Emits a routed event to a site's sockets in every process (`/<site>` and v14's `/`). */
  readonly emit: RealtimeEmitter
  /** Emits a routed event to one namespace's room in every process. */
  emitTo(namespace: string, routed: RoutedEvent): void
  close(): void
}

export function connectRealtimeRedis(settings: RealtimeRedisSettings, logger: Logger): RealtimeRedis {
  // Publishes wait a little for a reconnect, then fail (and are logged) instead of piling up.
  const pub = realtimeClient(settings, 'publish', logger, { maxRetriesPerRequest: 2 })
  let sub: Redis | undefined
  const emitter = new Emitter(pub, { key: settings.key })
  return {
    adapter() {
      // Subscriptions wait for Redis however long it takes, so a late Redis still joins the bench.
      sub ??= realtimeClient(settings, 'subscribe', logger, { maxRetriesPerRequest: null })
      return createAdapter(pub, sub, { key: settings.key })
    },
    emitTo(namespace, routed) {
      emitter.of(namespace).to(routed.room).emit(routed.event, routed.message)
    },
    emit(site, routed) {
      emitter.of(`/${site}`).to(routed.room).emit(routed.event, routed.message)
      emitter.of('/').to(`${site}:${routed.room}`).emit(routed.event, routed.message)
    },
    close() {
      pub.disconnect()
      sub?.disconnect()
    },
  }
}
