import { lazyChildLogger, randomId } from '../utils/index.js'
import type { Logger, RequestContext, RequestFlags } from './context.js'
import { isDeveloperMode, type Site } from './site.js'

export interface NewContextOptions {
  readonly site: Site
  readonly user: string
  readonly roles: readonly string[]
  readonly logger: Logger
  readonly requestId?: string
  readonly formDict?: Record<string, unknown>
  readonly flags?: RequestFlags
}

/** A fresh context for one unit of work: an HTTP request, a job or a CLI command. */
export function newContext(options: NewContextOptions): RequestContext {
  const requestId = options.requestId ?? randomId()
  return {
    requestId,
    site: options.site,
    user: options.user,
    roles: options.roles,
    formDict: options.formDict ?? {},
    flags: { ...options.flags },
    messageLog: [],
    work: { afterCommit: [], onRollback: [] },
    logger: lazyChildLogger(options.logger, { reqId: requestId, site: options.site.name, user: options.user }),
    trace: isDeveloperMode(options.site) ? [] : undefined,
  }
}
