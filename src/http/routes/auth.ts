import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  assertSameSite,
  bootInfo,
  checkLogin,
  deleteUserSessions,
  homePageOf,
  sessionExpirySeconds,
  startSession,
  type Session,
  type UserInfo,
} from '../../auth/index.js'
import type { Site } from '../../context/index.js'
import { AuthenticationError } from '../../errors/index.js'
import { browserContext, clientAddress, commitNow } from '../plugins/session.js'
import { buildFormDict } from '../request-args.js'
import { resolveSite, runRequest, type SiteResolver } from '../run-request.js'

/** Frappe's failed login (`LoginManager.fail`): 401 whose `message` says why (spec 5.2). */
function loginFailure(reply: FastifyReply, error: AuthenticationError): FastifyReply {
  return reply.code(401).send({
    message: error.message,
    exc_type: error.code,
    exception: `frappe.exceptions.${error.code}`,
  })
}

async function openSession(site: Site, request: FastifyRequest, user: UserInfo, address: string, device: unknown): Promise<Session> {
  return commitNow(site, request, user.name, async (tx) => {
    const session = await startSession(tx, user, { address, config: site.config, device: typeof device === 'string' ? device : undefined })
    // `deny_multiple_sessions`: a login ends the user's other sessions (spec 5.1).
    if (Number(site.config.deny_multiple_sessions)) await deleteUserSessions(tx, user.name, { keepSid: session.sid })
    return session
  })
}

/**
 * Frappe's `LoginManager.login` for a request: `usr` and `pwd` as JSON or form fields, any verb.
 * Login runs before any session is resumed, so the CSRF check does not apply; a cross-site
 * browser context is refused (against login CSRF). The CSRF token is not in the reply (spec 5.4).
 * Served at `/api/method/login` and for the legacy `cmd=login` form.
 */
export async function serveLogin(sites: SiteResolver, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const site = await resolveSite(sites, request)
  const args = buildFormDict(request)
  assertSameSite(browserContext(request, site.config), site.config)
  const address = clientAddress(request, site.config)
  let user: UserInfo
  try {
    user = await checkLogin(site, { usr: args.usr, pwd: args.pwd, address })
  } catch (error) {
    if (error instanceof AuthenticationError) return loginFailure(reply, error)
    throw error
  }
  const session = await openSession(site, request, user, address, args.device)
  request.cortadoAuth = { state: { session, info: user, clearCookies: false }, maxAge: sessionExpirySeconds(site.config) }
  const isWebsiteUser = user.userType === 'Website User'
  return reply.send({ message: isWebsiteUser ? 'No App' : 'Logged In', home_page: homePageOf(user.userType), full_name: user.fullName })
}

/** `/api/method/login` (spec 5.2). */
export function registerLoginRoutes(app: FastifyInstance, sites: SiteResolver): void {
  app.all('/method/login', (request, reply) => serveLogin(sites, request, reply))
}

/** JSON inside a `<script>`: nothing in it can close the element or start markup. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

function deskPage(boot: Record<string, unknown>): string {
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Cortado</title></head>
<body>
<script>
window.frappe = window.frappe || {};
frappe.boot = ${scriptJson(boot)};
frappe.csrf_token = ${scriptJson(boot.csrf_token ?? '')};
window.csrf_token = frappe.csrf_token;
</script>
</body>
</html>
`
}

/**
 * The desk page `/app` (Frappe's `www/app.py`): embeds the boot info and `frappe.csrf_token`,
 * handing the session its CSRF token. A Guest is sent to the login page, as Frappe does.
 */
export function registerDeskRoutes(app: FastifyInstance, sites: SiteResolver): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const { result } = await runRequest(sites, request, async (ctx) => {
      if (ctx.user === 'Guest') return undefined
      return bootInfo(ctx) // creates the session's CSRF token if it has none yet
    })
    if (!result) return reply.redirect(`/login?redirect-to=${encodeURIComponent(request.url)}`)
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(deskPage(result))
  }
  app.get('/app', serve)
  app.get('/app/*', serve)
}
