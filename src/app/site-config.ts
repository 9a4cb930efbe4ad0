import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SiteConfig } from '../context/index.js'
import type { ServerDatabaseOptions } from '../db/index.js'
import { isPlainObject } from '../utils/index.js'

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {}
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
  if (!isPlainObject(parsed)) throw new Error(`${path} must hold a JSON object`)
  return parsed
}

export function commonConfigPath(sitesPath: string): string {
  return join(sitesPath, 'common_site_config.json')
}

export function siteConfigPath(sitesPath: string, site: string): string {
  return join(sitesPath, site, 'site_config.json')
}

/** `common_site_config.json` overlaid by the site's own `site_config.json`, as Frappe merges them. */
export function readSiteConfig(sitesPath: string, site: string): SiteConfig {
  return { ...readJson(commonConfigPath(sitesPath)), ...readJson(siteConfigPath(sitesPath, site)) }
}

export function readCommonConfig(sitesPath: string): SiteConfig {
  return readJson(commonConfigPath(sitesPath))
}

/** Site names are folder names: no separators, no dot-files, nothing a path could escape with. */
export function isValidSiteName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(name) && !name.includes('..')
}

/** A server engine's connection settings, as site_config gives them (the SQL log is the opener's business). */
export type ServerDatabaseSettings = Omit<ServerDatabaseOptions, 'log'>

/**
 * Where a PostgreSQL or MariaDB site's database is, from `db_host`, `db_port`, `db_name`,
 * `db_user`, `db_password` (Frappe's keys; the user defaults to the database's name, as Frappe
 * creates it; the port to the engine's own).
 */
export function serverDatabaseSettings(site: string, config: SiteConfig): ServerDatabaseSettings {
  const name = config.db_name
  if (typeof name !== 'string' || !name) throw new Error(`site ${site}: db_type ${String(config.db_type)} needs db_name in site_config.json`)
  const text = (key: string): string | undefined => (typeof config[key] === 'string' && config[key] !== '' ? (config[key] as string) : undefined)
  const port = Number(config.db_port ?? (config.db_type === 'mariadb' ? 3306 : 5432))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`site ${site}: db_port must be a port number`)
  const poolSize = config.db_pool_size === undefined ? undefined : Number(config.db_pool_size)
  return { host: text('db_host') ?? '127.0.0.1', port, database: name, user: text('db_user') ?? name, password: text('db_password'), poolSize }
}
