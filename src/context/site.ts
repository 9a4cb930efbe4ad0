/** Settings from `sites/common_site_config.json` merged with `sites/<site>/site_config.json`. */
export interface SiteConfig {
  readonly db_type?: string
  readonly db_file?: string
  readonly developer_mode?: boolean | number
  readonly default_site?: string
  readonly [key: string]: unknown
}

/**
 * The per-site services. Each layer below adds its own by declaration merging
 * (`declare module '../context/site.js'`), so context/ never imports them.
 */
export interface SiteServices {}

/** One site: its identity, configuration and long-lived services (database, metadata). */
export interface Site {
  readonly name: string
  /** The site's folder, `sites/<name>`. */
  readonly path: string
  readonly config: SiteConfig
  readonly services: SiteServices
}

export function isDeveloperMode(site: Site): boolean {
  return Boolean(site.config.developer_mode)
}
