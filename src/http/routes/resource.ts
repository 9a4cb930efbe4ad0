import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { readList, resourceListArgs, runResourceMethod } from '../../api/index.js'
import { PermissionError } from '../../errors/index.js'
import type { RequestContext } from '../../context/index.js'
import {
  deleteDocument,
  filterReadableValues,
  getDocument,
  hasPermission,
  insertDocument,
  newDocument,
  saveDocument,
} from '../../model/index.js'
import { documentInput, documentOutput } from '../document-io.js'
import { buildFormDict } from '../request-args.js'
import { runRequest, sendEnvelope, type SiteResolver } from '../run-request.js'

/** `run_method` on a stored document (spec 1.7): GET with read permission, POST with write. */
async function runDocumentMethod(sites: SiteResolver, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { doctype, name } = target(request)
  const { ctx, result } = await runRequest(sites, request, async (ctx) => {
    const { result } = await runResourceMethod(doctype, name, ctx.formDict.run_method, ctx.formDict, request.method)
    return result
  })
  return sendEnvelope(reply, ctx, result === undefined ? {} : { data: result })
}

function target(request: FastifyRequest): { doctype: string; name: string } {
  const params = request.params as Record<string, string>
  return { doctype: params.doctype ?? '', name: params['*'] ?? '' }
}

async function assertCanRead(ctx: RequestContext, doctype: string): Promise<void> {
  const meta = ctx.site.services.meta.get(doctype)
  if (meta.istable || !(await hasPermission(ctx, meta, 'read'))) throw new PermissionError(`No permission to read ${doctype}`)
}

/** `/api/resource/{doctype}[/{name}]`: insert, read, update, delete (spec 1.3–1.6). */
export function registerResourceRoutes(app: FastifyInstance, sites: SiteResolver): void {
  app.get('/resource/:doctype', async (request, reply) => {
    const { doctype } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      return readList(doctype, resourceListArgs(ctx.formDict), ctx.formDict.parent)
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.post('/resource/:doctype', async (request, reply) => {
    const { doctype } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      const doc = newDocument(doctype, documentInput(ctx.formDict, 'insert', ctx.site.services.meta.get(doctype)))
      return documentOutput(filterReadableValues(ctx, await insertDocument(doc)))
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.get('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    if (Object.hasOwn(buildFormDict(request), 'run_method')) return runDocumentMethod(sites, request, reply)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      ctx.site.services.meta.get(doctype) // an unknown DocType is a 404 before anything else
      const doc = await getDocument(doctype, name)
      if (doc.meta.istable || !(await hasPermission(ctx, doc.meta, 'read', doc))) throw new PermissionError(`No permission to read ${doctype} ${name}`)
      return documentOutput(filterReadableValues(ctx, doc)) // fields above the user's permlevel are left out (spec 1.4)
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.post('/resource/:doctype/*', (request, reply) => runDocumentMethod(sites, request, reply))

  app.put('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      await assertCanRead(ctx, doctype)
      const doc = await getDocument(doctype, name)
      doc.update(documentInput(ctx.formDict, 'update', doc.meta))
      return documentOutput(filterReadableValues(ctx, await saveDocument(doc)))
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.delete('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    const { ctx } = await runRequest(sites, request, async (ctx) => {
      await assertCanRead(ctx, doctype)
      await deleteDocument(doctype, name)
    })
    return sendEnvelope(reply, ctx, { data: 'ok', message: 'ok' }, 202)
  })
}
