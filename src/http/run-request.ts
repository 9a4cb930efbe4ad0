import type { FastifyReply, FastifyRequest } from 'fastify'
import { newContext, type RequestContext, type Site } from '../context/index.js'
import { runUnitOfWork } from '../db/index.js'
import { DoesNotExistError } from '../errors/index.js'
import { responseExtras } from './frappe-response.js'
import { attachSession, authenticateRequest } from './plugins/session.js'
import { buildFormDict } from './request-args.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's context once it has one, for the error handler. */
    cortadoContext: RequestContext | undefined
    /** The request's site once resolved, before there is a context (authentication reads the database too). */
    cortadoSite: Site | undefined
  }
}

/** What the HTTP layer needs of the sites a process serves (app/'s `Sites` provides it). */
export interface SiteResolver {
  exists(name: string): boolean
  get(name: string): Promise<Site>
  defaultSite(): string | undefined
}

/** The site of a request: `X-Frappe-Site-Name`, then the Host header, then `default_site`. */
export async function resolveSite(sites: SiteResolver, request: FastifyRequest): Promise<Site> {
  const header = request.headers['x-frappe-site-name']
  if (typeof header === 'string' && header) {
    if (sites.exists(header)) return sites.get(header)
    throw new DoesNotExistError('Site', header) // a site asked for by name is never swapped for another
  }
  const host = request.hostname.replace(/:\d+$/, '')
  const name = sites.exists(host) ? host : sites.defaultSite()
  if (!name || !sites.exists(name)) throw new DoesNotExistError('Site', host)
  return sites.get(name)
}

/**
 * Runs a handler as one unit of work in a fresh context: commit on success, except for GET
 * and HEAD, which Frappe always rolls back unless `flags.commit` is set (spec 12.2).
 */
export async function runRequest<T>(
  sites: SiteResolver,
  request: FastifyRequest,
  handler: (ctx: RequestContext) => Promise<T>,
): Promise<{ ctx: RequestContext; result: T }> {
  const site = await resolveSite(sites, request)
  request.cortadoSite = site
  const principal = await authenticateRequest(site, request) // session, CSRF, then the Authorization header
  const ctx = newContext({
    site,
    user: principal.user,
    roles: principal.roles,
    logger: request.log,
    requestId: String(request.id),
    formDict: buildFormDict(request),
  })
  attachSession(ctx, request)
  request.cortadoContext = ctx
  const safe = request.method === 'GET' || request.method === 'HEAD'
  try {
    const result = await runUnitOfWork(ctx, () => handler(ctx), { commit: !safe })
    return { ctx, result }
  } finally {
    if (ctx.trace) ctx.logger.info({ trace: ctx.trace }, 'hook trace')
  }
}

/** Sends a success envelope with the context's messages and hook trace. */
export function sendEnvelope(reply: FastifyReply, ctx: RequestContext, payload: Record<string, unknown>, status = 200): FastifyReply {
  return reply.code(status).send({ ...payload, ...responseExtras(ctx) })
}
