import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { openSites, startServer, type RunningServer, type Sites } from '../../src/app/index.js'
import { newContext, type RequestContext, type Site } from '../../src/context/index.js'
import { dropMariadbDatabase, dropPostgresDatabase, runUnitOfWork } from '../../src/db/index.js'
import { mariadbSiteConfig, postgresSiteConfig } from './services.js'

type ServerSiteConfig = ReturnType<typeof postgresSiteConfig> | ReturnType<typeof mariadbSiteConfig>

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The demo app shipped with the project, and the test apps under test/fixtures/apps. */
export const APPS_PATHS = { demo: join(ROOT, 'apps'), fixtures: join(ROOT, 'test', 'fixtures', 'apps') } as const

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

export interface TestBench {
  readonly sites: Sites
  readonly root: string
  /** Creates a site with Administrator's password `admin`. */
  newSite(name?: string, config?: Record<string, unknown>): Promise<Site>
  startServer(): Promise<RunningServer>
  close(): Promise<void>
}

let counter = 0

/**
 * A bench in a temporary folder: `sites/` with the given apps installed on every new site.
 * `appsPath` is where those apps live (the demo app or the test fixture apps).
 */
export async function createTestBench(options: { apps?: readonly string[]; appsPath?: string; common?: Record<string, unknown> } = {}): Promise<TestBench> {
  const root = mkdtempSync(join(tmpdir(), 'cortado-test-'))
  const sitesPath = join(root, 'sites')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(sitesPath, { recursive: true })
  writeFileSync(join(sitesPath, 'apps.txt'), ['frappe', ...(options.apps ?? [])].join('\n'))
  writeFileSync(join(sitesPath, 'common_site_config.json'), JSON.stringify(options.common ?? {}))
  const sites = await openSites({ sitesPath, appsPath: options.appsPath ?? APPS_PATHS.fixtures, logger: silentLogger })
  const servers: RunningServer[] = []
  const databases: ServerSiteConfig[] = []
  return {
    sites,
    root,
    newSite(name = `site${++counter}.test`, config = {}) {
      // CORTADO_TEST_DB=postgres (or mariadb) puts every test site on that engine, each in a database of its own.
      const engines: Record<string, (() => ServerSiteConfig) | undefined> = { postgres: postgresSiteConfig, mariadb: mariadbSiteConfig }
      const chosen = engines[process.env.CORTADO_TEST_DB ?? '']
      const siteConfig: Record<string, unknown> = { ...(chosen && !('db_type' in config) ? chosen() : {}), ...config }
      if (siteConfig.db_type === 'postgres' || siteConfig.db_type === 'mariadb') databases.push(siteConfig as unknown as ServerSiteConfig)
      return sites.newSite(name, { adminPassword: 'admin', config: siteConfig })
    },
    async startServer() {
      const server = await startServer({ sites, logger: silentLogger, host: '127.0.0.1', port: 0 })
      servers.push(server)
      return server
    },
    async close() {
      for (const server of servers) await server.app.close()
      await sites.close()
      for (const config of databases) {
        const drop = config.db_type === 'mariadb' ? dropMariadbDatabase : dropPostgresDatabase
        await drop({ host: config.db_host, port: config.db_port, user: config.db_user, database: config.db_name })
      }
      rmSync(root, { recursive: true, force: true })
    },
  }
}

export interface AsUserOptions {
  readonly user?: string
  readonly roles?: readonly string[]
  /** Roll back at the end instead of committing. */
  readonly rollback?: boolean
  readonly flags?: Record<string, unknown>
}

/** Runs `fn` as one unit of work on `site`, as Administrator unless told otherwise. */
export function runAs<T>(site: Site, fn: (ctx: RequestContext) => Promise<T>, options: AsUserOptions = {}): Promise<T> {
  const user = options.user ?? 'Administrator'
  const roles = options.roles ?? (user === 'Administrator' ? ['Administrator', 'System Manager', 'All'] : ['All'])
  const ctx = newContext({ site, user, roles, logger: silentLogger, flags: options.flags })
  return runUnitOfWork(ctx, () => fn(ctx), { commit: !options.rollback })
}

/** `Authorization` header values for Frappe's header auth. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
