import type { FastifyInstance } from 'fastify'
import { replyPayload } from '../../api/index.js'
import { buildFormDict } from '../request-args.js'
import { runRequest, sendEnvelope, type SiteResolver } from '../run-request.js'
import { serveLogin } from './auth.js'
import { callMethod } from './method.js'

/**
 * The deprecated `cmd` form (spec 0.1): a request whose arguments carry `cmd=<dotted.path>`,
 * on a path no other route serves (frappe-js-sdk posts `cmd` to `/`), is answered as
 * `/api/method/<cmd>`; `cmd=login` logs in as `/api/method/login` does. Anything else falls
 * through to the 404.
 */
export function registerLegacyCommandRoutes(app: FastifyInstance, sites: SiteResolver): void {
  for (const url of ['/', '/*']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      handler: async (request, reply) => {
        const cmd = buildFormDict(request).cmd
        if (typeof cmd !== 'string' || cmd === '') return reply.callNotFound()
        if (cmd === 'login') return serveLogin(sites, request, reply) // Frappe logs in on `cmd=login`, whatever the path
        const { ctx, result } = await runRequest(sites, request, (ctx) => callMethod(ctx, cmd.split('/')[0] ?? '', request.method))
        return sendEnvelope(reply, ctx, replyPayload(result))
      },
    })
  }
}
