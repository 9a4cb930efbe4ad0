import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PermissionError } from '../../errors/index.js'
import type { RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import {
  deleteDocument,
  getDocument,
  getList,
  hasPermission,
  insertDocument,
  newDocument,
  saveDocument,
} from '../../model/index.js'
import { documentInput, documentOutput } from '../document-io.js'
import { runRequest, sendEnvelope, type SiteResolver } from '../run-request.js'

function target(request: FastifyRequest): { doctype: string; name: string } {
  const params = request.params as Record<string, string>
  return { doctype: params.doctype ?? '', name: params['*'] ?? '' }
}

function assertCanRead(ctx: RequestContext, doctype: string): void {
  const meta = ctx.site.services.meta.get(doctype)
  if (!hasPermission(ctx, meta, 'read') || meta.istable) throw new PermissionError(`No permission to read ${doctype}`)
}

/** A child DocType is listed through its parent: `parent` names the parent DocType (spec 9.4). */
function assertCanList(ctx: RequestContext, doctype: string): void {
  const meta = ctx.site.services.meta.get(doctype)
  const parent = ctx.formDict.parent
  const governing = meta.istable && typeof parent === 'string' ? ctx.site.services.meta.get(parent) : meta
  const parentHasTable = governing.tableFields.some((field) => field.options === doctype)
  if ((meta.istable && !parentHasTable) || !hasPermission(ctx, governing, 'read')) {
    throw new PermissionError(`No permission to read ${doctype}`)
  }
}

/** `/api/resource/{doctype}[/{name}]`: insert, read, update, delete (spec 1.3–1.6). */
export function registerResourceRoutes(app: FastifyInstance, sites: SiteResolver): void {
  app.get('/resource/:doctype', async (request, reply) => {
    const { doctype } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      assertCanList(ctx, doctype)
      return getList(database(), (name) => ctx.site.services.meta.get(name), doctype, ctx.formDict)
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.post('/resource/:doctype', async (request, reply) => {
    const { doctype } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      const doc = newDocument(doctype, documentInput(ctx.formDict, 'insert'))
      return documentOutput(await insertDocument(doc))
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.get('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      ctx.site.services.meta.get(doctype) // an unknown DocType is a 404 before anything else
      const doc = await getDocument(doctype, name)
      if (!hasPermission(ctx, doc.meta, 'read', doc) || doc.meta.istable) throw new PermissionError(`No permission to read ${doctype} ${name}`)
      return documentOutput(doc)
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.put('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    const { ctx, result } = await runRequest(sites, request, async (ctx) => {
      assertCanRead(ctx, doctype)
      const doc = await getDocument(doctype, name)
      doc.update(documentInput(ctx.formDict, 'update'))
      return documentOutput(await saveDocument(doc))
    })
    return sendEnvelope(reply, ctx, { data: result })
  })

  app.delete('/resource/:doctype/*', async (request, reply) => {
    const { doctype, name } = target(request)
    const { ctx } = await runRequest(sites, request, async (ctx) => {
      assertCanRead(ctx, doctype)
      await deleteDocument(doctype, name)
    })
    return sendEnvelope(reply, ctx, { data: 'ok', message: 'ok' }, 202)
  })
}
