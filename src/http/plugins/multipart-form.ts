import multipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileTooLargeError, maxFileSize, uploadedFile, type UploadedFile } from '../../doctypes/index.js'
import { FORBIDDEN_KEYS, randomId } from '../../utils/index.js'
import { resolveSite, type SiteResolver } from '../run-request.js'

/** Room for the other fields and part headers beside a file of `max_file_size` bytes. */
const FORM_OVERHEAD = 1024 * 1024
const LIMITS = { files: 1, fields: 200, parts: 201, fieldSize: 1024 * 1024, fieldNameSize: 200 } as const

function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE'
}

/** Streams a file part to `folder`, measuring its size and MD5 on the way; stops at `limit` bytes. */
async function saveUpload(part: MultipartFile, folder: string, limit: number): Promise<UploadedFile> {
  const tempPath = join(folder, randomId())
  const hash = createHash('md5')
  let size = 0
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      size += chunk.length
      done(null, chunk)
    },
  })
  try {
    await pipeline(part.file, measure, createWriteStream(tempPath, { flags: 'wx' }))
  } catch (error) {
    throw isTooLarge(error) ? fileTooLargeError(limit) : error
  }
  if (part.file.truncated) throw fileTooLargeError(limit)
  return uploadedFile({ filename: part.filename, mimetype: part.mimetype, tempPath, size, contentHash: hash.digest('hex') })
}

/** The form's fields as strings and its file as an UploadedFile, like Frappe's form_dict and request.files. */
async function readForm(request: FastifyRequest, folder: string, limit: number): Promise<Record<string, unknown>> {
  const form: Record<string, unknown> = {}
  for await (const part of request.parts({ limits: { ...LIMITS, fileSize: limit } })) {
    if (part.type === 'file') {
      const upload = await saveUpload(part, folder, limit)
      if (!FORBIDDEN_KEYS.has(part.fieldname)) form[part.fieldname] = upload
    } else if (!FORBIDDEN_KEYS.has(part.fieldname)) {
      form[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value)
    }
  }
  return form
}

/**
 * Multipart requests (`upload_file`, spec 2.3): before the handler, the file is streamed to a
 * temporary folder under the site's `max_file_size` (refused with Frappe's
 * MaxFileSizeReachedError as soon as it is exceeded) and the fields become the request body.
 * The temporary folder is removed once the response has gone.
 */
export async function registerMultipartForms(app: FastifyInstance, sites: SiteResolver): Promise<void> {
  if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart)
  app.addHook('preHandler', (request, reply, done) => {
    if (!request.isMultipart()) return done() // without a promise: nearly every request
    readMultipartBody(sites, request, reply).then(() => done(), done)
  })
}

async function readMultipartBody(sites: SiteResolver, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const limit = maxFileSize(await resolveSite(sites, request))
  if (Number(request.headers['content-length'] ?? 0) > limit + FORM_OVERHEAD) throw fileTooLargeError(limit)
  const folder = await mkdtemp(join(tmpdir(), 'cortado-upload-'))
  reply.raw.once('close', () => {
    rm(folder, { recursive: true, force: true }).catch((error: unknown) => request.log.warn({ err: error }, 'could not remove upload folder'))
  })
  try {
    request.body = await readForm(request, folder, limit)
  } catch (error) {
    // Stop parsing and let the rest of the body drain, so that the error answer still arrives.
    request.raw.unpipe()
    request.raw.resume()
    throw error
  }
}
