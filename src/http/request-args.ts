import type { FastifyRequest } from 'fastify'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

/** Any non-array object: Fastify's query objects have their own prototype. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function copySafe(source: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(source)) if (!FORBIDDEN_KEYS.has(key)) result[key] = value
  return result
}

/**
 * Frappe's `form_dict` (spec 0.1): a JSON object body alone; a JSON array as `{data: [...]}`;
 * otherwise the query string merged with form fields (form wins). `_` is dropped.
 */
export function buildFormDict(request: FastifyRequest): Record<string, unknown> {
  let args = formDicts.get(request)
  if (!args) formDicts.set(request, (args = readFormDict(request)))
  return args
}

/** Built once per request: authentication, the route and the context all ask for it. */
const formDicts = new WeakMap<FastifyRequest, Record<string, unknown>>()

function readFormDict(request: FastifyRequest): Record<string, unknown> {
  const body = request.body
  // Only a non-empty JSON body replaces the query: a bodiless DELETE sent with a JSON content
  // type (frappe-js-sdk's `call().delete`) still carries its arguments in the query string.
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined
  const isJson = hasBody && (request.headers['content-type'] ?? '').includes('json')
  let args: Record<string, unknown>
  if (isJson && Array.isArray(body)) args = { data: body }
  else if (isJson && isPlainObject(body)) args = copySafe(body)
  else {
    const query = isRecord(request.query) ? request.query : {}
    const form = isRecord(body) ? body : {}
    args = { ...copySafe(query), ...copySafe(form) }
  }
  delete args._
  return args
}
