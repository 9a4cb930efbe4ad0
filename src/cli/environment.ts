import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pino, type Logger } from 'pino'
import { openSites, type Sites } from '../app/index.js'

/** Where a bench keeps its sites and apps: `./sites` and `./apps`, as a Frappe bench does. */
export interface Bench {
  readonly sitesPath: string
  readonly appsPath: string
  readonly logger: Logger
}

export function benchFromEnvironment(): Bench {
  const root = resolve(process.env.CORTADO_ROOT ?? process.cwd())
  return {
    sitesPath: resolve(process.env.CORTADO_SITES ?? join(root, 'sites')),
    appsPath: resolve(process.env.CORTADO_APPS ?? join(root, 'apps')),
    logger: pino({ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } }),
  }
}

export function openBench(bench: Bench): Promise<Sites> {
  return openSites(bench)
}

/** Adds an app to `sites/apps.txt`, the list of apps every site of the bench installs. */
export function ensureAppListed(sitesPath: string, app: string): void {
  const file = join(sitesPath, 'apps.txt')
  const apps = existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean) : ['frappe']
  if (!apps.includes(app)) writeFileSync(file, `${[...apps, app].join('\n')}\n`)
}
