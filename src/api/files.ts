import { currentContext, type RequestContext } from '../context/index.js'
import { database } from '../db/index.js'
import { DoesNotExistError, PermissionError, ValidationError } from '../errors/index.js'
import { canAccessFile, GUEST_UPLOAD_TYPES, guessMimeType, isUploadedFile, type UploadedFile } from '../doctypes/index.js'
import { getDocument, hasPermission, insertDocument, newDocument, saveDocument, type Document, type WhitelistedMethod } from '../model/index.js'
import { toInt } from '../utils/index.js'
import { flagArg, optionalText, textArg, type Args } from './args.js'
import { docNoNulls } from './document-dict.js'

/**
 * Frappe's `check_write_permission` (handler.py): attaching to a document needs write on it;
 * to one not saved yet (the desk's `new-…` names), write on its DocType.
 */
async function assertMayAttach(ctx: RequestContext, doctype: string | undefined, docname: string | undefined): Promise<void> {
  if (!doctype) return
  const meta = ctx.site.services.meta.find(doctype)
  if (!meta) throw new DoesNotExistError('DocType', doctype)
  const target = docname ? await getDocument(doctype, docname).catch(absentAsUndefined) : undefined
  if (await hasPermission(ctx, meta, 'write', target)) return
  throw new PermissionError(`No permission to write ${doctype}${target ? ` ${docname}` : ''}`)
}

function absentAsUndefined(error: unknown): undefined {
  if (error instanceof DoesNotExistError) return undefined
  throw error
}

/** Guests and website users may upload only Frappe's `ALLOWED_MIMETYPES`. */
async function assertTypeAllowed(ctx: RequestContext, upload: UploadedFile): Promise<void> {
  if (ctx.user !== 'Guest') {
    const user = await database(ctx).selectFrom('tabUser').select('user_type').where('name', '=', ctx.user).executeTakeFirst()
    if (ctx.user === 'Administrator' || user?.user_type !== 'Website User') return
  }
  const type = guessMimeType(upload.filename)
  if (!type || !GUEST_UPLOAD_TYPES.has(type)) throw new ValidationError('You can only upload JPG, PNG, PDF, TXT, CSV or Microsoft documents.')
}

/** `library_file_name`: an existing File the user may read lends its URL, name and privacy. */
async function libraryFile(ctx: RequestContext, name: string): Promise<Document> {
  const file = await getDocument('File', name)
  if (!(await canAccessFile(ctx, file.asDict(), 'read'))) throw new PermissionError(`No permission to read File ${name}`)
  return file
}

/**
 * `POST /api/method/upload_file` (Frappe's handler.py, spec 2.3): a multipart `file`, or an
 * existing `file_url`, becomes a File, optionally attached to `doctype`/`docname`/`fieldname`.
 * Guests may upload only with site config `allow_guests_to_upload_files`.
 */
async function uploadFile(args: Args): Promise<unknown> {
  const ctx = currentContext()
  const isGuest = ctx.user === 'Guest'
  if (isGuest && !toInt(ctx.site.config.allow_guests_to_upload_files)) throw new PermissionError('Not permitted')
  const doctype = optionalText(args, 'doctype') || undefined
  const docname = optionalText(args, 'docname') || undefined
  let isPrivate = toInt(args.is_private)
  let fileUrl = optionalText(args, 'file_url') || undefined
  let fileName = optionalText(args, 'file_name') || undefined
  const library = optionalText(args, 'library_file_name')
  if (library) {
    const file = await libraryFile(ctx, library)
    isPrivate = toInt(file.get('is_private'))
    fileUrl = optionalText(file.asDict(), 'file_url')
    fileName = optionalText(file.asDict(), 'file_name')
  }
  // Unlike Frappe, a Guest gets no pass here: attaching is a write like any other.
  await assertMayAttach(ctx, doctype, docname)
  const upload = isUploadedFile(args.file) ? args.file : undefined
  if (upload) await assertTypeAllowed(ctx, upload)
  const method = optionalText(args, 'method')
  if (method) return runPostProcessor(ctx, method, args)
  const file = newDocument('File', {
    attached_to_doctype: doctype ?? null,
    attached_to_name: docname ?? null,
    attached_to_field: optionalText(args, 'fieldname') || null,
    folder: optionalText(args, 'folder') || 'Home',
    file_name: upload ? upload.filename : (fileName ?? null),
    file_url: upload ? null : (fileUrl ?? null),
    is_private: isPrivate ? 1 : 0,
  })
  if (upload) file.flags.upload = upload
  await insertDocument(file, { ignorePermissions: isGuest })
  return docNoNulls(file)
}

/** Frappe's `method` argument: another whitelisted function handles the upload instead. */
function runPostProcessor(ctx: RequestContext, path: string, args: Args): unknown {
  const method = ctx.site.services.methods.get(path)
  if (!method) throw new ValidationError(`Failed to get method for command ${path}`)
  if (ctx.user === 'Guest' && !method.allowGuest) throw new PermissionError('Not permitted')
  return method.handler(args)
}

/**
 * `frappe.client.attach_file` (spec 2.1): `filedata` (text, or base64 with `decode_base64`)
 * becomes a File attached to `doctype`/`docname`; with `docfield`, that field gets its URL.
 * Frappe v15 asks only for read permission on the document; we ask for write, as upload_file does.
 */
async function attachFile(args: Args): Promise<unknown> {
  const ctx = currentContext()
  const doctype = textArg(args, 'doctype')
  const docname = textArg(args, 'docname')
  const target = await getDocument(doctype, docname)
  if (!(await hasPermission(ctx, target.meta, 'write', target))) throw new PermissionError(`No permission to write ${doctype} ${docname}`)
  const docfield = optionalText(args, 'docfield') || undefined
  if (docfield && !target.meta.fieldsByName.has(docfield)) throw new ValidationError(`${doctype} has no field ${docfield}`)
  const file = newDocument('File', {
    file_name: optionalText(args, 'filename') || null,
    attached_to_doctype: doctype,
    attached_to_name: docname,
    attached_to_field: docfield ?? null,
    folder: optionalText(args, 'folder') || null,
    is_private: toInt(args.is_private) ? 1 : 0,
  })
  file.flags.content = optionalText(args, 'filedata')
  file.flags.decode = flagArg(args, 'decode_base64', false)
  await insertDocument(file)
  if (docfield) {
    target.set(docfield, file.get('file_url'))
    await saveDocument(target)
  }
  return docNoNulls(file)
}

/** The file functions, by the paths clients call. */
export const FILE_METHODS: Readonly<Record<string, WhitelistedMethod>> = {
  upload_file: { handler: uploadFile, allowGuest: true },
  'frappe.handler.upload_file': { handler: uploadFile, allowGuest: true },
  'frappe.client.attach_file': { handler: attachFile, methods: ['POST', 'PUT'] },
}
