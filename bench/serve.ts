/**
 * `npm run bench:serve`: the benchmark site (../shared/bench contract) served in the foreground
 * on $PORT, through the same stack as any Cortado site. On first use it creates the bench in
 * `bench/.work/sites` with the bench app; on every start it puts `tabBench Note` back to the
 * seeded rows (as compare.sh gives each peer a fresh copy of its database) unless
 * BENCH_KEEP_DATA=1. The key `benchkey` / `benchsecret` belongs to Administrator.
 *
 * As the peers do on this 2-core machine, it runs BENCH_PROCESSES [2] processes (node:cluster,
 * as `cortado serve --processes N`): the primary creates and seeds the site once, then forks
 * workers that open it as it is; SIGTERM to the primary stops them all. BENCH_PROCESSES=1 serves
 * from this one process.
 *
 * Environment: PORT [8000], HOST [127.0.0.1], BENCH_PROCESSES [2], BENCH_ROWS [10000],
 * BENCH_SITES [bench/.work/sites], BENCH_KEEP_DATA [0], LOG_LEVEL [warn]. compare.sh's BENCH_DB
 * is not used: the site keeps its own database, in Cortado's schema.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino, type Logger } from 'pino'
import {
  adminContext,
  clusterWorker,
  openSites,
  parseProcessCount,
  startCluster,
  startServer,
  type ClusterWorker,
  type RunningServer,
  type Sites,
} from '../src/app/index.js'
import { inTransaction, runUnitOfWork } from '../src/db/index.js'
import { getDocument, saveDocument } from '../src/model/index.js'
import { DEFAULT_ROWS, seedBenchNotes } from './seed.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const BENCH_SITE = 'bench.localhost'
export const BENCH_APP = 'bench_app'
export const BENCH_API_KEY = 'benchkey'
export const BENCH_API_SECRET = 'benchsecret'

export interface BenchServeOptions {
  readonly sitesPath?: string
  readonly appsPath?: string
  readonly host?: string
  readonly port?: number
  readonly rows?: number
  /** Keep the rows a previous run left (W3 inserts) instead of reseeding. */
  readonly keepData?: boolean
  readonly logger?: Logger
  /** In a cluster worker: serve only (the primary seeded before forking). */
  readonly cluster?: ClusterWorker
}

export interface BenchServer extends RunningServer {
  readonly sites: Sites
  /** What the seeding step left in `tabBench Note`; undefined when the data was kept. */
  readonly seeded: { rows: number; sha256: string } | undefined
}

function ensureBenchFolder(sitesPath: string): void {
  mkdirSync(sitesPath, { recursive: true })
  const apps = join(sitesPath, 'apps.txt')
  const listed = existsSync(apps) ? readFileSync(apps, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean) : []
  if (!listed.includes(BENCH_APP)) writeFileSync(apps, `${['frappe', ...listed.filter((app) => app !== 'frappe'), BENCH_APP].join('\n')}\n`)
}

/** Gives Administrator the contract's API key; the secret is stored hashed, as `generate_keys` does. */
async function setBenchKeys(sites: Sites, logger: Logger): Promise<void> {
  const site = await sites.get(BENCH_SITE)
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async () => {
      const user = await getDocument('User', 'Administrator')
      user.set('api_key', BENCH_API_KEY)
      user.set('api_secret', BENCH_API_SECRET)
      await saveDocument(user, { ignorePermissions: true })
    }),
  )
}

function benchLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { pid: process.pid } })
}

/** Opens the bench folder, creating the bench site on first use and seeding it unless `keepData`. */
async function prepareBenchSites(options: BenchServeOptions, logger: Logger): Promise<{ sites: Sites; seeded: BenchServer['seeded'] }> {
  const sitesPath = resolve(options.sitesPath ?? join(ROOT, 'bench', '.work', 'sites'))
  ensureBenchFolder(sitesPath)
  const sites = await openSites({ sitesPath, appsPath: options.appsPath ?? join(ROOT, 'apps'), logger })
  try {
    const created = !sites.exists(BENCH_SITE)
    if (created) {
      logger.info({ site: BENCH_SITE, sitesPath }, 'creating the bench site')
      await sites.newSite(BENCH_SITE, { adminPassword: process.env.ADMIN_PASSWORD ?? 'admin' })
      await setBenchKeys(sites, logger)
    }
    let seeded: BenchServer['seeded']
    if (created || !options.keepData) {
      seeded = await seedBenchNotes(await sites.get(BENCH_SITE), logger, options.rows ?? DEFAULT_ROWS)
      logger.info({ site: BENCH_SITE, ...seeded }, 'seeded tabBench Note')
    }
    return { sites, seeded }
  } catch (error) {
    await sites.close()
    throw error
  }
}

/** Creates (first use) and seeds the bench site, then serves every site of the bench folder. */
export async function startBenchServer(options: BenchServeOptions = {}): Promise<BenchServer> {
  const logger = options.logger ?? benchLogger()
  const { sites, seeded } = await prepareBenchSites(options, logger)
  try {
    const server = await startServer({ sites, logger, host: options.host ?? '127.0.0.1', port: options.port ?? 8000, cluster: options.cluster })
    return { ...server, sites, seeded }
  } catch (error) {
    await sites.close()
    throw error
  }
}

function stopOnSignal(stop: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error)
          process.exit(1)
        },
      )
    })
  }
}

function seededNote(seeded: BenchServer['seeded']): string {
  return seeded ? ` (rows=${seeded.rows} sha256=${seeded.sha256})` : ''
}

async function main(): Promise<void> {
  const options: BenchServeOptions = {
    sitesPath: process.env.BENCH_SITES,
    host: process.env.HOST,
    port: Number(process.env.PORT ?? 8000),
    rows: process.env.BENCH_ROWS ? Number(process.env.BENCH_ROWS) : undefined,
    keepData: process.env.BENCH_KEEP_DATA === '1',
  }
  const processes = parseProcessCount(process.env.BENCH_PROCESSES ?? '2')
  const worker = clusterWorker()
  if (processes > 1 && !worker) {
    // The primary seeds once, closes the database and forks; its workers run main() again and land below.
    const logger = benchLogger()
    const { sites, seeded } = await prepareBenchSites(options, logger)
    await sites.close()
    const running = await startCluster({ processes, logger })
    console.log(`bench site ${BENCH_SITE} serving at ${running.url} with ${processes} processes` + seededNote(seeded))
    stopOnSignal(() => running.stop())
    return
  }
  if (worker) {
    const server = await startBenchServer({ ...options, keepData: true, cluster: worker })
    stopOnSignal(() => server.stop())
    return
  }
  const server = await startBenchServer(options)
  console.log(`bench site ${BENCH_SITE} serving at ${server.url}` + seededNote(server.seeded))
  stopOnSignal(() => server.stop())
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
