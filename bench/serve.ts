/**
 * `npm run bench:serve`: the benchmark site (../shared/bench contract) served in the foreground
 * on $PORT, through the same stack as any Cortado site. On first use it creates the bench in
 * `bench/.work/sites` with the bench app; on every start it puts `tabBench Note` back to the
 * seeded rows (as compare.sh gives each peer a fresh copy of its database) unless
 * BENCH_KEEP_DATA=1. The key `benchkey` / `benchsecret` belongs to Administrator.
 *
 * Environment: PORT [8000], HOST [127.0.0.1], BENCH_ROWS [10000], BENCH_SITES
 * [bench/.work/sites], BENCH_KEEP_DATA [0], LOG_LEVEL [warn]. compare.sh's BENCH_DB is not used:
 * the site keeps its own database, in Cortado's schema.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino, type Logger } from 'pino'
import { adminContext, openSites, startServer, type RunningServer, type Sites } from '../src/app/index.js'
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

/** Creates (first use) and seeds the bench site, then serves every site of the bench folder. */
export async function startBenchServer(options: BenchServeOptions = {}): Promise<BenchServer> {
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { pid: process.pid } })
  const sitesPath = resolve(options.sitesPath ?? join(ROOT, 'bench', '.work', 'sites'))
  const rows = options.rows ?? DEFAULT_ROWS
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
      seeded = await seedBenchNotes(await sites.get(BENCH_SITE), logger, rows)
      logger.info({ site: BENCH_SITE, ...seeded }, 'seeded tabBench Note')
    }
    const server = await startServer({ sites, logger, host: options.host ?? '127.0.0.1', port: options.port ?? 8000 })
    return { ...server, sites, seeded }
  } catch (error) {
    await sites.close()
    throw error
  }
}

async function main(): Promise<void> {
  const server = await startBenchServer({
    sitesPath: process.env.BENCH_SITES,
    host: process.env.HOST,
    port: Number(process.env.PORT ?? 8000),
    rows: process.env.BENCH_ROWS ? Number(process.env.BENCH_ROWS) : undefined,
    keepData: process.env.BENCH_KEEP_DATA === '1',
  })
  console.log(`bench site ${BENCH_SITE} serving at ${server.url}` + (server.seeded ? ` (rows=${server.seeded.rows} sha256=${server.seeded.sha256})` : ''))
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error)
          process.exit(1)
        },
      )
    })
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
