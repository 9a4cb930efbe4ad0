import type { RealtimeOptions, RealtimePublisher } from '../context/index.js'
import { routeEvent, type RoutedEvent } from './rooms.js'

/** Delivers one routed event of one site to the sockets a server holds. */
export type RealtimeEmitter = (site: string, routed: RoutedEvent) => void

/**
 * The process's `RealtimePublisher`, shared by every site's services: it routes an event by
 * Frappe's rules and hands it to the socket servers attached to it (none in CLI commands).
 */
export interface RealtimeHub extends RealtimePublisher {
  /** Adds a socket server; the returned function removes it. */
  connect(emitter: RealtimeEmitter): () => void
}

export function createRealtimeHub(): RealtimeHub {
  const emitters = new Set<RealtimeEmitter>()
  return {
    publish(site: string, event: string, message: unknown, options: RealtimeOptions): void {
      if (emitters.size === 0) return
      const routed = routeEvent(event, message, options)
      for (const emit of emitters) emit(site, routed)
    },
    connect(emitter) {
      emitters.add(emitter)
      return () => void emitters.delete(emitter)
    },
  }
}
