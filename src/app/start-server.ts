import { createAdapter as clusterAdapter } from '@socket.io/cluster-adapter'
import type { FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import { buildServer } from '../http/index.js'
import { attachRealtime } from '../realtime/index.js'
import { startBackgroundWork } from './background-work.js'
import type { ClusterWorker } from './cluster.js'
import { benchRealtimeRedis } from './realtime-redis.js'
import type { Sites } from './sites.js'
import { keepSocketSessionsOnTheirWorker } from './socket-sessions.js'

export interface RunningServer {
  readonly app: FastifyInstance
  readonly url: string
  /** Stops accepting, lets requests in flight finish, then closes the databases. */
  stop(): Promise<void>
}

export interface StartServerOptions {
  readonly sites: Sites
  readonly logger: PinoLogger
  readonly host: string
  readonly port: number
  /** In a worker of `serve --processes N`: where it stands in the cluster (see cluster.ts). */
  readonly cluster?: ClusterWorker
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = await buildServer({ sites: options.sites, logger: options.logger })
  // socket.io shares the HTTP port (path /socket.io); its sockets close before the HTTP server does.
  // With Redis configured, events of worker and scheduler processes (and other `serve`s) reach these
  // sockets; without it, the workers of one cluster reach each other through the primary.
  const redis = benchRealtimeRedis(options.sites, options.logger)
  const adapter = options.cluster && !redis ? clusterAdapter() : undefined
  const realtime = attachRealtime(app.server, { sites: options.sites, hub: options.sites.realtime, logger: options.logger, redis, adapter })
  const stopSessions = options.cluster ? await keepSocketSessionsOnTheirWorker(realtime.io, options.cluster, options.logger) : undefined
  app.addHook('preClose', async () => {
    await stopSessions?.()
    realtime.close()
    redis?.close()
  })
  // Job runners claim jobs with conditional updates, so every worker runs them; one scheduler is
  // enough (its lease would make the others skip every tick anyway).
  const background = await startBackgroundWork(options.sites, options.logger, { scheduler: (options.cluster?.slot ?? 0) === 0 })
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
