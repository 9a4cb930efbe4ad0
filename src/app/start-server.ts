import type { FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import { buildServer } from '../http/index.js'
import { attachRealtime } from '../realtime/index.js'
import { startBackgroundWork } from './background-work.js'
import { benchRealtimeRedis } from './realtime-redis.js'
import type { Sites } from './sites.js'

export interface RunningServer {
  readonly app: FastifyInstance
  readonly url: string
  /** Stops accepting, lets requests in flight finish, then closes the databases. */
  stop(): Promise<void>
}

export async function startServer(options: { sites: Sites; logger: PinoLogger; host: string; port: number }): Promise<RunningServer> {
  const app = await buildServer({ sites: options.sites, logger: options.logger })
  // socket.io shares the HTTP port (path /socket.io); its sockets close before the HTTP server does.
  // With Redis configured, events of worker and scheduler processes (and other `serve`s) reach these sockets.
  const redis = benchRealtimeRedis(options.sites, options.logger)
  const realtime = attachRealtime(app.server, { sites: options.sites, hub: options.sites.realtime, logger: options.logger, redis })
  app.addHook('preClose', async () => {
    realtime.close()
    redis?.close()
  })
  const background = await startBackgroundWork(options.sites, options.logger)
  app.addHook('preClose', async () => background.stop())
  const url = await app.listen({ host: options.host, port: options.port })
  let stopping: Promise<void> | undefined
  return {
    app,
    url,
    stop() {
      stopping ??= app.close().then(() => options.sites.close())
      return stopping
    },
  }
}
