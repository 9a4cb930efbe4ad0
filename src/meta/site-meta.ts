import { currentContext, type Site } from '../context/index.js'
import type { DocTypeMeta } from './doctype.js'
import type { MetaRegistry } from './registry.js'

declare module '../context/site.js' {
  interface SiteServices {
    readonly meta: MetaRegistry
  }
}

/** The metadata of a DocType on the current request's site. */
export function getMeta(doctype: string): DocTypeMeta {
  return currentContext().site.services.meta.get(doctype)
}

export function metaRegistryOf(site: Site): MetaRegistry {
  return site.services.meta
}
