import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  docNoNulls,
  isJobTicket,
  documentFromClient,
  isTruthy,
  metaAsDict,
  methodArgs,
  pickListArgs,
  readCount,
  readList,
  replyPayload,
  runOnDocument,
  runResourceMethod,
} from '../../api/index.js'
import type { RequestContext } from '../../context/index.js'
import { FrappeTypeError, PermissionError } from '../../errors/index.js'
import { filterReadableValues, getDocument, hasPermission, insertDocument, newDocument, saveDocument, type Document } from '../../model/index.js'
import { isPlainObject, scrub } from '../../utils/index.js'
import { documentInput } from '../document-io.js'
import { registerV2ErrorHandlers } from '../plugins/v2-errors.js'
import { runRequest, type SiteResolver } from '../run-request.js'
import { registerJobRoutes } from './jobs.js'
import { callMethod } from './method.js'

/** v2's success body: `data`, the message log as a real `messages` array, `docs` when any (spec 1.9). */
function sendV2(reply: FastifyReply, ctx: RequestContext, payload: Record<string, unknown>, status = 200): FastifyReply {
  const body: Record<string, unknown> = { ...payload }
  if (ctx.messageLog.length > 0) body.messages = [...ctx.messageLog]
  if (ctx.trace) body._debug_trace = ctx.trace
  return reply.code(status).send(body)
}

function params(request: FastifyRequest): Record<string, string> {
  return request.params as Record<string, string>
}

/** `{DocType}/{fn}`: the function of the DocType's controller module, by Frappe's dotted path. */
function controllerPath(ctx: RequestContext, doctype: string, fn: string): string {
  const meta = ctx.site.services.meta.get(doctype)
  const name = scrub(meta.name)
  return `${meta.source}.${scrub(meta.module)}.doctype.${name}.${name}.${fn}`
}

/** v2's `run_doc_method`: `method` on the client's `document`, with `kwargs`; GET needs read, POST write. */
async function runV2DocMethod(ctx: RequestContext, verb: string): Promise<unknown> {
  const { method, document } = ctx.formDict
  if (typeof method !== 'string' || method === '') throw new FrappeTypeError('Missing argument: method')
  const values = typeof document === 'string' ? safeJson(document) : document
  if (!isPlainObject(values)) throw new FrappeTypeError('document must be an object')
  const doc = await documentFromClient(values)
  const kwargs = methodArgs(typeof ctx.formDict.kwargs === 'string' ? safeJson(ctx.formDict.kwargs) : ctx.formDict.kwargs)
  const result = await runOnDocument(doc, method, kwargs, verb, verb === 'GET' ? 'read' : 'write')
  return { data: result, docs: [docNoNulls(doc)] }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new FrappeTypeError('Expected a JSON value')
  }
}

/** Saves a child row through its parent, as Frappe's v2 update does. */
async function saveWithParent(doc: Document): Promise<Document> {
  const saved = await saveDocument(doc)
  const parenttype = saved.get('parenttype')
  if (saved.meta.istable && typeof parenttype === 'string' && parenttype) {
    await saveDocument(await getDocument(parenttype, String(saved.get('parent'))))
  }
  return saved
}

function registerMethods(scope: FastifyInstance, sites: SiteResolver): void {
  scope.all('/method/login', async (request, reply) => {
    const { ctx } = await runRequest(sites, request, async () => undefined) // v15: login happens by the request's own credentials
    return sendV2(reply, ctx, {})
  })
  scope.route({
    method: ['GET', 'POST'],
    url: '/method/run_doc_method',
    handler: async (request, reply) => {
      const { ctx, result } = await runRequest(sites, request, (ctx) => runV2DocMethod(ctx, request.method))
      return sendV2(reply, ctx, result as Record<string, unknown>)
    },
  })
  scope.all('/method/:method', async (request, reply) => {
    const { ctx, result } = await runRequest(sites, request, (ctx) => callMethod(ctx, params(request).method ?? '', request.method))
    return sendV2(reply, ctx, replyPayload(result, 'data'), isJobTicket(result) ? 202 : 200)
  })
  scope.all('/method/:doctype/:method', async (request, reply) => {
    const { doctype = '', method = '' } = params(request)
    const { ctx, result } = await runRequest(sites, request, (ctx) => callMethod(ctx, controllerPath(ctx, doctype, method), request.method))
    return sendV2(reply, ctx, replyPayload(result, 'data'))
  })
}

function registerDocuments(scope: FastifyInstance, sites: SiteResolver): void {
  scope.get('/document/:doctype', async (request, reply) => {
    const { ctx, result } = await runRequest(sites, request, (ctx) => {
      // v15 sets the page length from `limit` alone (default 20); `start` is not read.
      const args = { ...pickListArgs(ctx.formDict), limit_page_length: isTruthy(ctx.formDict.limit) ? ctx.formDict.limit : 20 }
      return readList(params(request).doctype ?? '', args, ctx.formDict.parent)
    })
    return sendV2(reply, ctx, { data: result })
  })
  scope.post('/document/:doctype', async (request, reply) => {
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      const doctype = params(request).doctype ?? ''
      const doc = newDocument(doctype, documentInput(ctx.formDict, 'insert', ctx.site.services.meta.get(doctype)))
      return docNoNulls(await insertDocument(doc))
    })
    return sendV2(reply, ctx, { data: result })
  })
  scope.route({
    method: ['GET', 'POST'],
    url: '/document/:doctype/*',
    handler: async (request, reply) => {
      const { doctype = '', '*': rest = '' } = params(request)
      const call = /^(.+)\/method\/([^/]+)\/?$/.exec(rest)
      if (call) {
        const { ctx, result } = await runRequest(sites, request, async (ctx) => {
          const { doc, result } = await runResourceMethod(doctype, call[1] ?? '', call[2], ctx.formDict, request.method)
          return { data: result, docs: [docNoNulls(doc)] }
        })
        return sendV2(reply, ctx, result)
      }
      if (request.method !== 'GET') return reply.callNotFound()
      const { ctx, result } = await runRequest(sites, request, async (ctx) => {
        const doc = await getDocument(doctype, rest)
        if (doc.meta.istable || !(await hasPermission(ctx, doc.meta, 'read', doc))) throw new PermissionError(`No permission to read ${doctype} ${rest}`)
        return docNoNulls(filterReadableValues(ctx, doc))
      })
      return sendV2(reply, ctx, { data: result })
    },
  })
  scope.route({
    method: ['PATCH', 'PUT'],
    url: '/document/:doctype/*',
    handler: async (request, reply) => {
      const { doctype = '', '*': name = '' } = params(request)
      const { ctx, result } = await runRequest(sites, request, async (ctx) => {
        const doc = await getDocument(doctype, name)
        doc.update(documentInput(ctx.formDict, 'update', doc.meta))
        return docNoNulls(await saveWithParent(doc))
      })
      return sendV2(reply, ctx, { data: result })
    },
  })
  scope.delete('/document/:doctype/*', async (request, reply) => {
    const { doctype = '', '*': name = '' } = params(request)
    const { ctx } = await runRequest(sites, request, (ctx) => {
      const method = ctx.site.services.methods.get('frappe.client.delete')
      if (!method) throw new Error('frappe.client.delete is not registered')
      return Promise.resolve(method.handler({ doctype, name }, { verb: 'DELETE' }))
    })
    return sendV2(reply, ctx, { data: 'ok' }, 202)
  })
}

function registerDocTypes(scope: FastifyInstance, sites: SiteResolver): void {
  scope.get('/doctype/:doctype/meta', async (request, reply) => {
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      if (ctx.user === 'Guest') throw new PermissionError('Not permitted') // Frappe's only_for("All")
      return metaAsDict(ctx.site.services.meta.get(params(request).doctype ?? ''))
    })
    return sendV2(reply, ctx, { data: result })
  })
  scope.get('/doctype/:doctype/count', async (request, reply) => {
    const { ctx, result } = await runRequest(sites, request, (ctx) => {
      const { filters, or_filters, distinct, parent } = ctx.formDict
      return readCount(params(request).doctype ?? '', { filters, or_filters, distinct }, parent)
    })
    return sendV2(reply, ctx, { data: result })
  })
}

/** REST API v2 under `/api/v2` (spec 1.9), with its own error shape. */
export async function registerV2Routes(app: FastifyInstance, sites: SiteResolver): Promise<void> {
  await app.register(
    async (scope) => {
      registerV2ErrorHandlers(scope)
      registerMethods(scope, sites)
      registerDocuments(scope, sites)
      registerDocTypes(scope, sites)
      registerJobRoutes(scope, sites)
    },
    { prefix: '/api/v2' },
  )
}
