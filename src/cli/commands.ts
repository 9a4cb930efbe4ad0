import { mkdirSync } from 'node:fs'
import { migrateSite, setAdminPassword, startServer, type Sites } from '../app/index.js'
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

export async function newSiteCommand(name: string, options: { adminPassword?: string }): Promise<void> {
  await withSites(async (sites, bench) => {
    await sites.newSite(name, { adminPassword: options.adminPassword ?? adminPasswordFromEnvironment(bench) })
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

/** Serves every site of the bench until SIGTERM or SIGINT, then shuts down gracefully. */
export async function serveCommand(options: { host?: string; port?: string }): Promise<void> {
  const bench = benchFromEnvironment()
  const sites = await openBench(bench)
  const host = options.host ?? process.env.HOST ?? '127.0.0.1'
  const port = Number(options.port ?? process.env.PORT ?? 8000)
  const server = await startServer({ sites, logger: bench.logger, host, port })
  bench.logger.info({ url: server.url, sites: sites.names() }, 'Cortado is serving')
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      bench.logger.info({ signal }, 'shutting down: finishing requests in flight')
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          bench.logger.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
}

/** `npm start`: creates the demo site on first use, then serves. */
export async function startCommand(options: { host?: string; port?: string }): Promise<void> {
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
