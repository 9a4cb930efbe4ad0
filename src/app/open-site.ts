import { join } from 'node:path'
import type { LogEvent } from 'kysely'
import type { Logger, RealtimePublisher } from '../context/index.js'
import type { Site } from '../context/index.js'
import { maybeContext, recordTrace } from '../context/index.js'
import { createMariadbDatabase, createPostgresDatabase, createSqliteDatabase, type SiteDatabase } from '../db/index.js'
import { createMetaRegistry } from '../meta/index.js'
import type { DocEventRegistration, DocumentClass, WhitelistedMethod } from '../model/index.js'
import { removeAttachments } from '../doctypes/index.js'
import { FRAMEWORK_JOB_FUNCTIONS, jobFunctionOf, rqJobProvider } from '../api/index.js'
import { createEmbeddedQueue, createRedisQueue, redisQueueSettings, type JobFunction, type SchedulerEvents } from '../jobs/index.js'
import type { LoadedApp } from './load-apps.js'
import { readSiteConfig, serverDatabaseSettings } from './site-config.js'

export interface OpenSiteOptions {
  readonly sitesPath: string
  readonly name: string
  readonly apps: readonly LoadedApp[]
  readonly logger: Logger
  /** Where the site's realtime events go (the process's socket servers). */
  readonly realtime?: RealtimePublisher
}

function traceStatement(event: LogEvent): void {
  const ctx = maybeContext()
  if (ctx?.trace && event.level === 'query') recordTrace(ctx, { kind: 'sql', sql: event.query.sql, parameters: event.query.parameters })
}

function openDatabase(site: string, path: string, config: ReturnType<typeof readSiteConfig>, logger: Logger): SiteDatabase {
  // In developer mode each statement goes to the hook trace of the request that issued it
  // (only then: Kysely times every query it is asked to log).
  const log = config.developer_mode ? traceStatement : undefined
  const dbType = config.db_type ?? 'sqlite'
  if (dbType === 'postgres') return createPostgresDatabase({ ...serverDatabaseSettings(site, config), log })
  if (dbType === 'mariadb') return createMariadbDatabase({ ...serverDatabaseSettings(site, config), log })
  if (dbType !== 'sqlite') throw new Error(`site ${site}: db_type ${String(dbType)} is not supported (sqlite, postgres or mariadb)`)
  return createSqliteDatabase({
    file: join(path, config.db_file ?? 'site.sqlite3'),
    log,
    onBackgroundError: (message) => logger.error({ site, message }, 'SQLite checkpoint failed'),
  })
}

function docEventsOf(app: LoadedApp): DocEventRegistration[] {
  const registrations: DocEventRegistration[] = []
  for (const [doctype, events] of Object.entries(app.definition.hooks.doc_events ?? {})) {
    for (const [event, handlers] of Object.entries(events)) {
      const list = Array.isArray(handlers) ? handlers : [handlers]
      for (const handler of list) registrations.push({ doctype, event, handler, source: app.definition.name })
    }
  }
  return registrations
}

/**
 * Builds a site's long-lived services: configuration, database, the DocTypes of its apps and
 * their controllers and hooks. Custom DocTypes are added from the database by `loadCustomDocTypes`.
 */
export function openSite(options: OpenSiteOptions): Site {
  const path = join(options.sitesPath, options.name)
  const config = readSiteConfig(options.sitesPath, options.name)
  const meta = createMetaRegistry()
  meta.define(options.apps.flatMap((app) => app.doctypes.map((file) => ({ definition: file.definition, source: app.definition.name }))))
  const controllers = new Map<string, DocumentClass>()
  const methods = new Map<string, WhitelistedMethod>()
  for (const app of options.apps) {
    for (const file of app.doctypes) {
      if (file.controller) controllers.set(String((file.definition as { name: string }).name), file.controller)
    }
    for (const [path, method] of Object.entries(app.definition.hooks.whitelisted_methods ?? {})) methods.set(path, method)
  }
  let site: Site | undefined
  const getSite = (): Site => {
    if (!site) throw new Error(`site ${options.name} is not open yet`)
    return site
  }
  const jobs = jobsOf(options.apps, methods)
  const redis = redisQueueSettings(config)
  site = {
    name: options.name,
    path,
    config,
    services: {
      meta,
      database: openDatabase(options.name, path, config, options.logger),
      model: { controllers, docEvents: options.apps.flatMap(docEventsOf), afterDeleteSteps: [removeAttachments] },
      methods,
      realtime: options.realtime,
      jobFunctions: jobs.functions,
      schedulerEvents: jobs.schedulerEvents,
      jobs: redis ? createRedisQueue(getSite, redis, options.logger) : createEmbeddedQueue(getSite, options.logger),
      virtualDocTypes: new Map([['RQ Job', rqJobProvider(getSite)]]),
    },
  }
  return site
}

/** Job functions (framework, apps' `job_functions`, then whitelisted methods) and scheduler events. */
function jobsOf(apps: readonly LoadedApp[], methods: ReadonlyMap<string, WhitelistedMethod>): { functions: Map<string, JobFunction>; schedulerEvents: SchedulerEvents[] } {
  const functions = new Map<string, JobFunction>(Object.entries(FRAMEWORK_JOB_FUNCTIONS))
  for (const app of apps) for (const [path, fn] of Object.entries(app.definition.hooks.job_functions ?? {})) functions.set(path, fn)
  for (const [path, method] of methods) if (!functions.has(path)) functions.set(path, jobFunctionOf(method))
  const schedulerEvents = apps.flatMap((app) => (app.definition.hooks.scheduler_events ? [app.definition.hooks.scheduler_events] : []))
  return { functions, schedulerEvents }
}
