import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SiteConfig } from '../context/index.js'
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
