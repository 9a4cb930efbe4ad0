import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import {
  canAccessFile,
  DOWNLOAD_ONLY_EXTENSIONS,
  existingPathInside,
  extensionOf,
  filesFolder,
  guessMimeType,
  PRIVATE_PREFIX,
} from '../../doctypes/index.js'
import { PermissionError } from '../../errors/index.js'
import { resolveSite, runRequest, type SiteResolver } from '../run-request.js'

/** The decoded path after `/files/` or `/private/files/`. */
function requestedPath(request: FastifyRequest): string {
  return String((request.params as Record<string, unknown>)['*'] ?? '')
}

/** RFC 6266 with an ASCII fallback, so that any stored name makes a valid header. */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/**
 * Streams a stored file. Types a browser would run on our origin (HTML, SVG, XML) always go
 * as attachments, as Frappe sends private ones; private files say `inline` otherwise.
 */
async function sendStoredFile(reply: FastifyReply, path: string, isPrivate: boolean): Promise<FastifyReply> {
  const info = await stat(path)
  const name = basename(path)
  const type = guessMimeType(name) ?? 'application/octet-stream'
  const download = DOWNLOAD_ONLY_EXTENSIONS.has(extensionOf(name))
  reply.header('Content-Type', type.startsWith('text/') ? `${type}; charset=utf-8` : type)
  reply.header('Content-Length', info.size)
  reply.header('X-Content-Type-Options', 'nosniff')
  if (isPrivate || download) reply.header('Content-Disposition', contentDisposition(download ? 'attachment' : 'inline', name))
  if (isPrivate) reply.header('Cache-Control', 'private')
  return reply.send(createReadStream(path))
}

/**
 * Frappe's `download_private_file` (utils/response.py): Guests never; otherwise the File records
 * with this URL (narrowed by `?fid=`) are tried, and any one the user may read
 * (`canAccessFile`) opens it. Without one, 403 "You don't have permission to access this file".
 */
async function privateFilePath(ctx: RequestContext, relative: string, fid: unknown): Promise<string | undefined> {
  const refuse = () => new PermissionError("You don't have permission to access this file")
  if (ctx.user === 'Guest') throw refuse()
  let query = database(ctx)
    .selectFrom('tabFile')
    .select(['name', 'owner', 'is_private', 'attached_to_doctype', 'attached_to_name'])
    .where('file_url', '=', `${PRIVATE_PREFIX}${relative}`)
  if (typeof fid === 'string' && fid) query = query.where('name', '=', fid)
  for (const row of await query.limit(100).execute()) {
    if (await canAccessFile(ctx, row, 'read')) return existingPathInside(filesFolder(ctx.site, true), relative)
  }
  throw refuse()
}

/**
 * Downloads: `/files/<name>` serves `sites/<site>/public/files` to anyone (Frappe leaves that to
 * the web server); `/private/files/<name>` checks the File records. Paths that could leave the
 * folder, hidden files, folders and missing files are all a 404; nothing lists a folder.
 */
export function registerFileRoutes(app: FastifyInstance, sites: SiteResolver): void {
  app.get('/files/*', async (request, reply) => {
    const site = await resolveSite(sites, request)
    const path = await existingPathInside(filesFolder(site, false), requestedPath(request))
    const info = path ? await stat(path) : undefined
    if (!path || !info?.isFile()) return reply.callNotFound()
    return sendStoredFile(reply, path, false)
  })
  app.get('/private/files/*', async (request, reply) => {
    const relative = requestedPath(request)
    const fid = (request.query as Record<string, unknown>).fid
    const { result: path } = await runRequest(sites, request, (ctx) => privateFilePath(ctx, relative, fid))
    const info = path ? await stat(path) : undefined
    if (!path || !info?.isFile()) return reply.callNotFound()
    return sendStoredFile(reply, path, true)
  })
}
