import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { isDeveloperMode } from '../../context/index.js'
import type { Site } from '../../context/index.js'
import { DatabaseUnavailableError, DataError, DoesNotExistError, FrameworkError, ValidationError } from '../../errors/index.js'
import { statusFor } from '../error-status.js'
import { errorBody } from '../frappe-response.js'

/** Fastify's own request errors (bad JSON, too large, bad content type) as Frappe-shaped 4xx. */
export function fromFastify(error: FastifyError): { error: FrameworkError; status: number } | undefined {
  if (!error.code?.startsWith('FST_') || !error.statusCode || error.statusCode >= 500) return undefined
  const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large' : `Bad request: ${error.message}`
  return { error: new ValidationError(message, { cause: error }), status: error.statusCode === 400 ? 417 : error.statusCode }
}

/** A driver error the site's engine classifies as the client's value or the server's absence, as a Frappe-shaped error. */
function fromDriver(error: unknown, site: Site | undefined): FrameworkError | undefined {
  if (!site || error instanceof FrameworkError) return undefined
  const meaning = site.services.database.classifyError(error)
  if (meaning.kind === 'invalid_value') return new DataError(`The database refused a value: ${(error as Error).message}`, { cause: error })
  if (meaning.kind === 'unavailable') return new DatabaseUnavailableError('The database is not available; try again shortly', { cause: error })
  return undefined
}

/** What a request's error becomes: a Frappe error and its status (unknown errors stay as they are, 500). */
export function translateError(raw: FastifyError, request: FastifyRequest): { error: Error; status: number } {
  const translated = fromDriver(raw, request.cortadoContext?.site ?? request.cortadoSite)
  if (translated) return { error: translated, status: statusFor(translated) }
  return fromFastify(raw) ?? { error: raw, status: statusFor(raw) }
}

/** The one place that turns errors into responses, always in Frappe's JSON shape (spec 4). */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const ctx = request.cortadoContext
    const { error, status } = translateError(raw, request)
    if (status >= 500) request.log.error({ err: raw }, 'request failed')
    else request.log.info({ exc_type: error instanceof FrameworkError ? error.code : undefined, msg: error.message }, 'request refused')
    const developerMode = ctx ? isDeveloperMode(ctx.site) : false
    return reply.code(status).send(errorBody(error, status, ctx, developerMode))
  })
  app.setNotFoundHandler((request, reply) => {
    const error = new DoesNotExistError('Page', request.url.split('?')[0] ?? '')
    return reply.code(404).send({ exc_type: error.code })
  })
}
