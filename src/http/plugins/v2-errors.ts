import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { RequestContext } from '../../context/index.js'
import { FrameworkError } from '../../errors/index.js'
import { translateError } from './errors.js'

/**
 * REST v2's error body (spec 1.9, Frappe's `report_error` for v2): one entry in `errors` with
 * the exception's `type` and its message merged in; other messages stay in `messages`. An
 * unexpected error says nothing about itself, and a 404 carries only its type.
 */
export function v2ErrorBody(error: unknown, status: number, ctx: RequestContext | undefined): Record<string, unknown> {
  const known = error instanceof FrameworkError
  const type = known ? error.code : 'Exception'
  const entry: Record<string, unknown> = { type }
  if (status !== 404 || known) {
    const message = known ? error.message : 'Internal Server Error'
    Object.assign(entry, { message, title: 'Message', indicator: 'red', exception: `frappe.exceptions.${type}: ${message}` })
  }
  const body: Record<string, unknown> = { errors: [entry] }
  if (ctx && ctx.messageLog.length > 0) body.messages = [...ctx.messageLog]
  if (ctx?.trace) body._debug_trace = ctx.trace
  return body
}

/** Errors and unknown routes under `/api/v2` in v2's shape; registered inside the v2 scope only. */
export function registerV2ErrorHandlers(scope: FastifyInstance): void {
  scope.setErrorHandler((raw: FastifyError, request, reply) => {
    const { error, status } = translateError(raw, request)
    if (status >= 500) request.log.error({ err: raw }, 'request failed')
    else request.log.info({ exc_type: error instanceof FrameworkError ? error.code : undefined, msg: error.message }, 'request refused')
    return reply.code(status).send(v2ErrorBody(error, status, request.cortadoContext))
  })
  const notFound = (_request: unknown, reply: FastifyReply): FastifyReply => reply.code(404).send({ errors: [{ type: 'DoesNotExistError' }] })
  scope.setNotFoundHandler(notFound)
  // Takes unmatched v2 paths before the root's catch-all (the legacy `cmd` route) can.
  scope.all('/*', notFound)
}
