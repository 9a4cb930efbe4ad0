import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDeveloperMode } from '../../context/index.js'
import { resolveSite, type SiteResolver } from '../run-request.js'

type CorsGrant = 'credentials' | 'anonymous' | undefined

/**
 * Site config `allow_cors` (spec 12.2): a listed origin is echoed with credentials, as Frappe
 * does. Beyond Frappe, `"*"` admits every origin without credentials, so a foreign page can
 * call with a token but never ride the user's session cookie.
 */
async function grantFor(sites: SiteResolver, request: FastifyRequest): Promise<CorsGrant> {
  const origin = request.headers.origin
  if (!origin) return undefined
  const site = await resolveSite(sites, request).catch(() => undefined)
  const allowed = site?.config.allow_cors
  if (!allowed) return undefined
  const list = Array.isArray(allowed) ? allowed : [allowed]
  if (list.some((entry) => typeof entry === 'string' && entry !== '*' && entry.replace(/\/$/, '') === origin)) return 'credentials'
  return list.includes('*') ? 'anonymous' : undefined
}

function applyGrant(reply: FastifyReply, origin: string, grant: Exclude<CorsGrant, undefined>): void {
  reply.header('Access-Control-Allow-Origin', origin)
  reply.header('Vary', 'Origin')
  if (grant === 'credentials') reply.header('Access-Control-Allow-Credentials', 'true')
}

/** The CORS work of a request that carries an Origin or is a preflight; returns the reply when it answered. */
async function applyCors(sites: SiteResolver, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const grant = await grantFor(sites, request)
  const origin = request.headers.origin
  if (grant && origin) applyGrant(reply, origin, grant)
  if (request.method !== 'OPTIONS') return undefined
  if (grant) {
    reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
    const requested = request.headers['access-control-request-headers']
    if (requested) reply.header('Access-Control-Allow-Headers', requested)
    const site = await resolveSite(sites, request).catch(() => undefined)
    if (site && !isDeveloperMode(site)) reply.header('Access-Control-Max-Age', '86400')
  }
  return reply.code(200).send() // Frappe answers every OPTIONS with an empty 200
}

/** CORS for `/api`: preflights answered with an empty 200, allowed origins echoed on replies. */
export function registerCors(app: FastifyInstance, sites: SiteResolver): void {
  // A callback hook: most requests (no Origin, not a preflight) pass without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    if ((request.method !== 'OPTIONS' && !request.headers.origin) || !request.url.startsWith('/api')) return done()
    applyCors(sites, request, reply).then((answered) => answered ?? done(), done)
  })
}
