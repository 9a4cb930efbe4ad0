export { authenticateSocket, sidCookie, SocketAuthError, type SocketUser } from './authenticate-socket.js'
export type { SocketSession } from './client-events.js'
export { createRealtimeHub, type RealtimeEmitter, type RealtimeHub } from './hub.js'
export {
  ALL_ROOM,
  WEBSITE_ROOM,
  docRoom,
  doctypeRoom,
  openDocRoom,
  routeEvent,
  taskProgressRoom,
  userRoom,
  type RoutedEvent,
} from './rooms.js'
export { attachRealtime, type RealtimeServer, type RealtimeServerOptions, type RealtimeSites } from './socket-server.js'
export { corsAllows } from './cors.js'
export { connectRealtimeRedis, realtimeRedisSettings, type RealtimeRedis, type RealtimeRedisSettings } from './redis.js'
export { createWritePacer, TURN_BUDGET_MS, WRITES_PER_TURN, type WritePacer, type WritePacerOptions } from './write-pacer.js'
