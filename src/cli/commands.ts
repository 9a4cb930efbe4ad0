import { mkdirSync } from 'node:fs'
import { clusterWorker, migrateSite, parseProcessCount, setAdminPassword, startCluster, startServer, type Sites } from '../app/index.js'
import { benchFromEnvironment, ensureAppListed, openBench, type Bench } from './environment.js'

export const DEMO_SITE = 'demo.localhost'

function adminPasswordFromEnvironment(bench: Bench): string {
  const password = process.env.ADMIN_PASSWORD
  if (password) return password
  bench.logger.warn('ADMIN_PASSWORD is not set: the Administrator password is "admin". Change it with `npx cortado set-admin-password`.')
  return 'admin'
}

async function withSites<T>(fn: (sites: Sites, bench: Bench) => Promise<T>): Promise<T> {
  const bench = benchFromEnvironment()
  const sites = await openBench(bench)
  try {
    return await fn(sites, bench)
  } finally {
    await sites.close()
  }
}

export interface NewSiteOptions {
  readonly adminPassword?: string
  readonly dbType?: string
  readonly dbHost?: string
  readonly dbPort?: string
  readonly dbName?: string
  readonly dbUser?: string
  readonly dbPassword?: string
}

/** The database keys of a new site's `site_config.json` from `new-site`'s options (Frappe's key names). */
export function databaseConfig(site: string, options: NewSiteOptions): Record<string, unknown> {
  const type = options.dbType ?? 'sqlite'
  if (type !== 'sqlite' && type !== 'postgres' && type !== 'mariadb') throw new Error(`--db-type must be sqlite, postgres or mariadb, not ${JSON.stringify(type)}`)
  if (type === 'sqlite') return { db_type: 'sqlite' }
  const config: Record<string, unknown> = { db_type: type, db_name: options.dbName ?? site.replace(/[.-]/g, '_') }
  if (options.dbHost) config.db_host = options.dbHost
  if (options.dbPort) config.db_port = Number(options.dbPort)
  if (options.dbUser) config.db_user = options.dbUser
  if (options.dbPassword) config.db_password = options.dbPassword
  return config
}

export async function newSiteCommand(name: string, options: NewSiteOptions): Promise<void> {
  await withSites(async (sites, bench) => {
    await sites.newSite(name, { adminPassword: options.adminPassword ?? adminPasswordFromEnvironment(bench), config: databaseConfig(name, options) })
    bench.logger.info({ site: name }, 'site created')
  })
}

export async function migrateCommand(options: { site?: string }): Promise<void> {
  await withSites(async (sites, bench) => {
    for (const name of options.site ? [options.site] : sites.names()) {
      const reports = await migrateSite(await sites.get(name), bench.logger)
      const changed = reports.filter((report) => report.created || report.addedColumns.length || report.changedColumns.length || report.addedIndexes.length)
      bench.logger.info({ site: name, tables: reports.length, changed: changed.map((report) => report.table) }, 'migrated')
    }
  })
}

export async function setAdminPasswordCommand(password: string, options: { site?: string }): Promise<void> {
  await withSites(async (sites, bench) => {
    const name = options.site ?? sites.defaultSite()
    if (!name) throw new Error('No site: pass --site')
    await setAdminPassword(await sites.get(name), bench.logger, password)
    bench.logger.info({ site: name }, 'Administrator password changed')
  })
}

export interface ServeOptions {
  readonly host?: string
  readonly port?: string
  readonly processes?: string
}

/** `--processes`, else CORTADO_PROCESSES, else WEB_CONCURRENCY (gunicorn's and Heroku's name), else 1. */
function processesFrom(options: ServeOptions): number {
  const text = options.processes ?? process.env.CORTADO_PROCESSES ?? process.env.WEB_CONCURRENCY
  return text === undefined || text === '' ? 1 : parseProcessCount(text)
}

/** On SIGTERM or SIGINT, runs `stop` (which lets requests in flight finish), then exits. */
function stopOnSignal(bench: Bench, stop: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      bench.logger.info({ signal }, 'shutting down: finishing requests in flight')
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          bench.logger.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
}

/**
 * Serves every site of the bench until SIGTERM or SIGINT, then shuts down gracefully. With more
 * than one process, this process becomes the cluster's primary and each worker it forks runs
 * this same command, landing in the branch below.
 */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const bench = benchFromEnvironment()
  const host = options.host ?? process.env.HOST ?? '127.0.0.1'
  const port = Number(options.port ?? process.env.PORT ?? 8000)
  const processes = processesFrom(options)
  const worker = clusterWorker()
  if (processes > 1 && !worker) {
    const running = await startCluster({ processes, logger: bench.logger })
    bench.logger.info({ url: running.url, processes }, 'Cortado is serving')
    stopOnSignal(bench, () => running.stop())
    return
  }
  const logger = worker ? bench.logger.child({ worker: worker.slot }) : bench.logger
  const sites = await openBench({ ...bench, logger })
  const server = await startServer({ sites, logger, host, port, cluster: worker })
  // A worker says nothing here: the primary announces the cluster once every worker listens.
  if (!worker) logger.info({ url: server.url, sites: sites.names() }, 'Cortado is serving')
  stopOnSignal({ ...bench, logger }, () => server.stop())
}

/** `npm start`: creates the demo site on first use, then serves. */
export async function startCommand(options: ServeOptions): Promise<void> {
  // The primary created the demo site before it forked this worker.
  if (clusterWorker()) return serveCommand(options)
  const bench = benchFromEnvironment()
  mkdirSync(bench.sitesPath, { recursive: true })
  ensureAppListed(bench.sitesPath, 'demo')
  await withSites(async (sites) => {
    if (!sites.exists(DEMO_SITE)) {
      bench.logger.info({ site: DEMO_SITE }, 'creating the demo site')
      await sites.newSite(DEMO_SITE, { adminPassword: adminPasswordFromEnvironment(bench) })
    }
  })
  await serveCommand(options)
}
