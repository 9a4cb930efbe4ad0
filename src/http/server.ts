import formBody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { randomId } from '../utils/index.js'
import { registerErrorHandlers } from './plugins/errors.js'
import { registerMethodRoutes } from './routes/method.js'
import { registerResourceRoutes } from './routes/resource.js'
import type { SiteResolver } from './run-request.js'

export interface ServerOptions {
  readonly sites: SiteResolver
  readonly logger: FastifyBaseLogger
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit?: number
}

/** The Fastify app: Frappe's routes under `/api` and `/api/v1`, errors in Frappe's shape. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: () => randomId(),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    // Prototype-poisoning keys are dropped rather than refused: they change nothing either way.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  })
  await app.register(formBody)
  // Clients send `Content-Type: application/json` on bodiless DELETEs and GETs: an empty body is {}.
  const parseJson = app.getDefaultJsonParser('remove', 'remove')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') done(null, {})
    else parseJson(request, body.toString(), done)
  })
  registerErrorHandlers(app)
  for (const prefix of ['/api', '/api/v1']) {
    await app.register(
      async (scope) => {
        registerMethodRoutes(scope, options.sites)
        registerResourceRoutes(scope, options.sites)
      },
      { prefix },
    )
  }
  return app
}
