import type { Logger } from '../context/index.js'
import { connectRealtimeRedis, realtimeRedisSettings, type RealtimeRedis } from '../realtime/index.js'
import { readCommonConfig } from './site-config.js'
import type { Sites } from './sites.js'

/** The bench's realtime Redis (common config `redis_socketio`, else `redis_queue`), if any. */
export function benchRealtimeRedis(sites: Sites, logger: Logger): RealtimeRedis | undefined {
  const settings = realtimeRedisSettings(readCommonConfig(sites.sitesPath))
  return settings ? connectRealtimeRedis(settings, logger) : undefined
}

/**
 * For processes without a socket server (`cortado worker`, `cortado scheduler`): every event
 * their sites publish goes through Redis to the sockets of the `serve` processes. Returns the
 * function that disconnects it.
 */
export function publishRealtimeThroughRedis(sites: Sites, logger: Logger): () => void {
  const redis = benchRealtimeRedis(sites, logger)
  if (!redis) return () => {}
  const disconnect = sites.realtime.connect(redis.emit)
  return () => {
    disconnect()
    redis.close()
  }
}
