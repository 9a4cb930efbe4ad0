import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../context/index.js'
import type { Site } from '../context/index.js'
import { CACHE_GENERATION_TABLE, ensureMariadbDatabase, ensurePostgresDatabase, syncCacheGenerationTable } from '../db/index.js'
import { loadCustomDocTypes, loadCustomizations } from '../doctypes/index.js'
import { createMetaRegistry } from '../meta/index.js'
import { createRealtimeHub, type RealtimeHub } from '../realtime/index.js'
import { installSite } from './install.js'
import { FRAPPE_APP, appFromFolder, loadApp, type LoadedApp } from './load-apps.js'
import { openSite } from './open-site.js'
import { commonConfigPath, isValidSiteName, readCommonConfig, serverDatabaseSettings, siteConfigPath } from './site-config.js'

export interface SitesOptions {
  /** The `sites/` folder: `common_site_config.json`, `apps.txt` and one folder per site. */
  readonly sitesPath: string
  /** Where the apps named in `apps.txt` live, one folder each. */
  readonly appsPath: string
  readonly logger: Logger
}

/** The sites one process serves, opened on first use and kept open until `close()`. */
export interface Sites {
  readonly sitesPath: string
  readonly apps: readonly LoadedApp[]
  /** Every site's realtime publisher; `startServer` attaches its socket server to it. */
  readonly realtime: RealtimeHub
  get(name: string): Promise<Site>
  /** Folders under `sites/` that hold a `site_config.json`. */
  names(): string[]
  exists(name: string): boolean
  defaultSite(): string | undefined
  newSite(name: string, options: { adminPassword: string; config?: Record<string, unknown> }): Promise<Site>
  /**
   * Calls `listener` with each installed site this process opens from now on (on first use, or
   * once `newSite` has installed it), so `serve` starts the queue of a site created after it
   * started. Returns the function that removes the listener.
   */
  onOpen(listener: (site: Site) => void): () => void
  close(): Promise<void>
}

function readAppNames(sitesPath: string): string[] {
  const file = join(sitesPath, 'apps.txt')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && line !== 'frappe')
}

function setDefaultSite(sitesPath: string, name: string): void {
  const config = { ...readCommonConfig(sitesPath), default_site: name }
  writeFileSync(commonConfigPath(sitesPath), `${JSON.stringify(config, null, 1)}\n`)
}

/**
 * What the sites folder says (which sites exist, the default site) is read from disk at most
 * once a second per name, not on every request: another process's `new-site` shows within a second.
 */
const FOLDER_FRESH_MS = 1000

function remembered<T>(read: (key: string) => T): { get(key: string): T; forget(): void } {
  const known = new Map<string, { value: T; until: number }>()
  return {
    get(key) {
      const now = Date.now()
      const hit = known.get(key)
      if (hit && hit.until > now) return hit.value
      if (known.size > 1000) known.clear() // requests naming random hosts must not grow it without bound
      const value = read(key)
      known.set(key, { value, until: now + FOLDER_FRESH_MS })
      return value
    },
    forget: () => known.clear(),
  }
}

/** Sites installed before the cache generation row existed get it on open, without a migrate. */
async function ensureCacheGeneration(site: Site): Promise<void> {
  const { database } = site.services
  if ((await database.listColumns(database.reader, CACHE_GENERATION_TABLE)).length > 0) return
  const tx = await database.beginWrite()
  try {
    await syncCacheGenerationTable(tx, database)
    await tx.commit().execute()
  } catch (error) {
    await tx.rollback().execute()
    throw error
  }
}

export async function openSites(options: SitesOptions): Promise<Sites> {
  mkdirSync(options.sitesPath, { recursive: true })
  if (!existsSync(commonConfigPath(options.sitesPath))) writeFileSync(commonConfigPath(options.sitesPath), '{}\n')
  const apps = [await loadApp(FRAPPE_APP)]
  for (const name of readAppNames(options.sitesPath)) apps.push(await loadApp(await appFromFolder(join(options.appsPath, name))))
  // Every app DocType is checked now, so a bad definition fails at boot, not at a site's first request.
  createMetaRegistry().define(apps.flatMap((app) => app.doctypes.map((file) => ({ definition: file.definition, source: app.definition.name }))))
  const open = new Map<string, Promise<Site>>()
  const realtime = createRealtimeHub()
  const openListeners = new Set<(site: Site) => void>()
  const announce = (site: Site): void => {
    for (const listener of openListeners) {
      try {
        listener(site)
      } catch (error) {
        options.logger.error({ err: error, site: site.name }, 'site open listener failed')
      }
    }
  }

  async function boot(name: string): Promise<Site> {
    const site = openSite({ sitesPath: options.sitesPath, name, apps, logger: options.logger, realtime })
    const tables = await site.services.database.listColumns(site.services.database.reader, 'tabDocType')
    if (tables.length > 0) {
      await ensureCacheGeneration(site)
      await loadCustomDocTypes(site)
      await loadCustomizations(site)
      announce(site)
    }
    return site
  }

  const siteExists = remembered((name) => isValidSiteName(name) && existsSync(siteConfigPath(options.sitesPath, name)))
  const defaultSite = remembered(() => {
    const configured = readCommonConfig(options.sitesPath).default_site
    return typeof configured === 'string' && configured ? configured : undefined
  })
  const sites: Sites = {
    sitesPath: options.sitesPath,
    apps,
    realtime,
    exists: (name) => siteExists.get(name),
    get(name) {
      if (!sites.exists(name)) return Promise.reject(new Error(`Site ${name} does not exist`))
      let site = open.get(name)
      if (!site) {
        site = boot(name)
        open.set(name, site)
        site.catch(() => open.delete(name))
      }
      return site
    },
    names: () =>
      readdirSync(options.sitesPath, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && sites.exists(entry.name))
        .map((entry) => entry.name),
    defaultSite: () => defaultSite.get(''),
    async newSite(name, { adminPassword, config = {} }) {
      if (!isValidSiteName(name)) throw new Error(`Invalid site name ${JSON.stringify(name)}`)
      if (sites.exists(name)) throw new Error(`Site ${name} already exists`)
      const siteConfig = { db_type: 'sqlite', ...config }
      if (siteConfig.db_type === 'postgres') await ensurePostgresDatabase(serverDatabaseSettings(name, siteConfig))
      if (siteConfig.db_type === 'mariadb') await ensureMariadbDatabase(serverDatabaseSettings(name, siteConfig))
      mkdirSync(join(options.sitesPath, name), { recursive: true })
      writeFileSync(siteConfigPath(options.sitesPath, name), `${JSON.stringify(siteConfig, null, 1)}\n`)
      siteExists.forget()
      const site = await sites.get(name)
      await installSite(site, options.logger, adminPassword)
      announce(site)
      // The first site of a bench becomes its default, so requests by IP address reach it.
      if (!sites.defaultSite()) {
        setDefaultSite(options.sitesPath, name)
        defaultSite.forget()
      }
      return site
    },
    onOpen(listener) {
      openListeners.add(listener)
      return () => void openListeners.delete(listener)
    },
    async close() {
      const all = await Promise.allSettled(open.values())
      open.clear()
      for (const result of all) {
        if (result.status !== 'fulfilled') continue
        await result.value.services.jobs?.close() // running jobs finish before the database closes
        await result.value.services.database.close()
      }
    },
  }
  return sites
}
