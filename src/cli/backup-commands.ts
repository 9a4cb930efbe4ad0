import { resolve } from 'node:path'
import { backupSite, defaultBackupPath, restoreSite, type Progress } from '../app/index.js'
import { benchFromEnvironment, openBench } from './environment.js'

const BAR_WIDTH = 30

/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth elsewhere (CI logs). */
function progressBar(label: string): Progress & { finish(): void } {
  const terminal = process.stderr.isTTY
  let lastTenth = -1
  const draw: Progress = (done, total) => {
    const share = total === 0 ? 1 : done / total
    const filled = Math.round(share * BAR_WIDTH)
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows`
    if (terminal) process.stderr.write(`\r${line}`)
    else if (Math.floor(share * 10) !== lastTenth) {
      lastTenth = Math.floor(share * 10)
      process.stderr.write(`${line}\n`)
    }
  }
  return Object.assign(draw, { finish: () => terminal && process.stderr.write('\n') })
}

async function siteNamed(name: string | undefined) {
  const bench = benchFromEnvironment()
  const sites = await openBench(bench)
  const siteName = name ?? sites.defaultSite()
  if (!siteName) {
    await sites.close()
    throw new Error('No site: pass --site')
  }
  return { bench, sites, site: await sites.get(siteName) }
}

/** `cortado backup`: every table of a site, from one snapshot, to a gzipped JSON-lines file. */
export async function backupCommand(options: { site?: string; file?: string }): Promise<void> {
  const { bench, sites, site } = await siteNamed(options.site)
  try {
    const file = resolve(options.file ?? defaultBackupPath(site))
    const bar = progressBar(`backup ${site.name}`)
    const header = await backupSite(site, file, bar)
    bar.finish()
    bench.logger.info({ site: site.name, file, tables: header.tables.length, rows: header.tables.reduce((sum, table) => sum + table.rows, 0) }, 'backup written')
  } finally {
    await sites.close()
  }
}

/** `cortado restore <file>`: replaces a site's data with a backup's (from any engine). */
export async function restoreCommand(file: string, options: { site?: string }): Promise<void> {
  const { bench, sites, site } = await siteNamed(options.site)
  try {
    const bar = progressBar(`restore ${site.name}`)
    const header = await restoreSite(site, bench.logger, resolve(file), bar)
    bar.finish()
    bench.logger.info({ site: site.name, from: header.site, fromDbType: header.dbType, created: header.created }, 'backup restored')
  } finally {
    await sites.close()
  }
}
