import type { FastifyInstance } from 'fastify'
import { isJobTicket, replyPayload, startLongCall } from '../../api/index.js'
import type { RequestContext } from '../../context/index.js'
import { PermissionError, ValidationError } from '../../errors/index.js'
import { runRequest, sendEnvelope, type SiteResolver } from '../run-request.js'

const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'DELETE']
/** Arguments Frappe always drops before calling a whitelisted function (spec 0.1). */
const DROPPED_ARGS = new Set(['cmd', 'ignore_permissions', 'flags'])

/** Looks a whitelisted function up, checks Guest access and the verb, and calls it with the form_dict. */
export async function callMethod(ctx: RequestContext, path: string, verb: string): Promise<unknown> {
  const method = ctx.site.services.methods.get(path)
  if (!method) throw new ValidationError(`Failed to get method for command ${path}`)
  if (ctx.user === 'Guest' && !method.allowGuest) throw new PermissionError('Not permitted')
  if (!(method.methods ?? DEFAULT_METHODS).includes(verb)) throw new PermissionError('Not permitted')
  const args = Object.fromEntries(Object.entries(ctx.formDict).filter(([key]) => !DROPPED_ARGS.has(key)))
  if (method.long) return startLongCall(path, method, args) // answered 202 with the ticket
  return method.handler(args, { verb })
}

/** `/api/method/{dotted.path}`: whitelisted functions from the explicit registry (spec 1.8). */
export function registerMethodRoutes(app: FastifyInstance, sites: SiteResolver): void {
  app.all('/method/*', async (request, reply) => {
    const path = String((request.params as Record<string, string>)['*'] ?? '').split('/')[0] ?? ''
    const { ctx, result } = await runRequest(sites, request, (ctx) => callMethod(ctx, path, request.method))
    return sendEnvelope(reply, ctx, replyPayload(result), isJobTicket(result) ? 202 : 200)
  })
}
