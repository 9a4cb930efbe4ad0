import type { RequestContext, ServerMessage } from '../context/index.js'
import { FrameworkError } from '../errors/index.js'
import { randomId } from '../utils/index.js'
import { pythonJson } from './python-json.js'

/** The keys every response may carry besides its payload (spec 0.2, 4.1). */
export function responseExtras(ctx: RequestContext | undefined): Record<string, unknown> {
  const extras: Record<string, unknown> = {}
  if (ctx && ctx.messageLog.length > 0) extras._server_messages = encodeMessages(ctx.messageLog)
  if (ctx?.trace) extras._debug_trace = ctx.trace
  return extras
}

function encodeMessages(messages: readonly object[]): string {
  return pythonJson(messages.map((message) => pythonJson(message)))
}

/**
 * Frappe's error body: `exc_type`, `exception` and `_server_messages` (spec 4.1). The stack
 * (`exc`) is sent only in developer mode; an unexpected error says nothing about itself.
 */
export function errorBody(error: unknown, status: number, ctx: RequestContext | undefined, developerMode: boolean): Record<string, unknown> {
  const known = error instanceof FrameworkError
  const excType = known ? error.code : 'Exception'
  const message = known ? error.message : 'Internal Server Error'
  const body: Record<string, unknown> = { exc_type: excType }
  if (status === 404 && !known) return body
  body.exception = `frappe.exceptions.${excType}: ${message}`
  if (developerMode && error instanceof Error) body.exc = pythonJson([error.stack ?? String(error)])
  const failure: ServerMessage & { __frappe_exc_id: string } = {
    message,
    title: 'Message',
    indicator: 'red',
    raise_exception: 1,
    __frappe_exc_id: randomId(16),
  }
  const messages = [...(ctx?.messageLog ?? []), failure]
  body._server_messages = encodeMessages(messages)
  if (ctx?.trace) body._debug_trace = ctx.trace
  return body
}
