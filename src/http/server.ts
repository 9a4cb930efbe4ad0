import formBody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { lazyChildLogger, randomId } from '../utils/index.js'
import { bodyDepthError } from './json-body.js'
import { registerCors } from './plugins/cors.js'
import { registerErrorHandlers } from './plugins/errors.js'
import { registerMultipartForms } from './plugins/multipart-form.js'
import { registerSessionPlugin } from './plugins/session.js'
import { registerDeskRoutes, registerLoginRoutes } from './routes/auth.js'
import { registerFileRoutes } from './routes/files.js'
import { registerLegacyCommandRoutes } from './routes/legacy-cmd.js'
import { registerMethodRoutes } from './routes/method.js'
import { registerResourceRoutes } from './routes/resource.js'
import { registerV2Routes } from './routes/v2.js'
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
    childLoggerFactory: (logger, bindings, options) => lazyChildLogger(logger, bindings, options),
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
    // Too deep a body is refused (417) before any handler walks it.
    else parseJson(request, body.toString(), (error, value) => (error ? done(error, undefined) : done(bodyDepthError(value) ?? null, value)))
  })
  registerErrorHandlers(app)
  registerCors(app, options.sites)
  await registerSessionPlugin(app)
  registerDeskRoutes(app, options.sites)
  await registerMultipartForms(app, options.sites)
  registerFileRoutes(app, options.sites)
  for (const prefix of ['/api', '/api/v1']) {
    await app.register(
      async (scope) => {
        registerLoginRoutes(scope, options.sites)
        registerMethodRoutes(scope, options.sites)
        registerResourceRoutes(scope, options.sites)
      },
      { prefix },
    )
  }
  await registerV2Routes(app, options.sites)
  registerLegacyCommandRoutes(app, options.sites)
  return app
}
