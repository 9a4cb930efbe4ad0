import { basename, join } from 'node:path'
import { afterCommit, currentContext, onRollback, type RequestContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { FrappeTypeError, MandatoryError, PermissionError, ValidationError } from '../../errors/index.js'
import { Document } from '../../model/index.js'
import { randomHashName, toInt } from '../../utils/index.js'
import { canAccessFile } from './file-permission.js'
import {
  PRIVATE_PREFIX,
  PUBLIC_PREFIX,
  cleanFileName,
  fileTooLargeError,
  fileUrlFor,
  filesFolder,
  isRemoteUrl,
  localPathOf,
  maxFileSize,
  storedNameFor,
} from './file-paths.js'
import { contentHashOf, copyToFolder, isStoredFile, measureFile, removeStoredFile, writeNewFile, type FileContent } from './file-storage.js'
import { fileTypeOf } from './mime-types.js'
import { isUploadedFile } from './uploaded-file.js'

/** The folder attachments go to when none is given (Frappe's `is_attachments_folder` record). */
export const ATTACHMENTS_FOLDER = 'Home/Attachments'
/** Frappe's SPECIAL_CHAR_PATTERN, used on `attached_to_field`: anything but a word character. */
const NON_WORD = /[^\p{L}\p{N}_]/u

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}

function isTruthy(value: unknown): boolean {
  if (typeof value === 'string') return ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
  return Boolean(value)
}

/** Frappe's `unquote(file_url)`; a malformed escape leaves the URL as it was. */
function unquote(url: string): string {
  try {
    return decodeURIComponent(url)
  } catch {
    return url
  }
}

/** Frappe's `decode_file_content`: base64, possibly as a data URL (`data:…;base64,<data>`). */
function decodeBase64(content: string): Buffer {
  const comma = content.indexOf(',')
  return Buffer.from(comma >= 0 ? content.slice(comma + 1) : content, 'base64')
}

/**
 * A File (Frappe v15's core/doctype/file/file.py): a folder, or bytes under
 * `sites/<site>/public/files` or `private/files`, possibly attached to a document. New bytes
 * arrive in `flags.upload` (an UploadedFile), in `flags.content` (a Buffer), or as `content`
 * (text, base64 when `decode` is set); otherwise `file_url` names bytes already stored, or a
 * remote URL. Stored names never leave their folder or replace another file's bytes.
 */
export class File extends Document {
  override async autoname(): Promise<void> {
    if (!toInt(this.get('is_folder'))) {
      this.name = randomHashName(10)
      return
    }
    const folder = text(this.get('folder'))
    const fileName = text(this.get('file_name')) ?? ''
    this.name = folder ? `${folder}/${fileName}` : fileName
  }

  override async beforeInsert(): Promise<void> {
    const ctx = currentContext()
    const content = this.#takeContent()
    if (text(this.get('attached_to_doctype')) && !text(this.get('attached_to_name'))) {
      this.set('attached_to_doctype', null)
      this.set('attached_to_field', null)
    }
    const url = text(this.get('file_url'))
    this.set('file_url', content === undefined && url ? unquote(url) : null) // new bytes get a URL of their own
    this.#setFolderName()
    this.#setIsPrivate()
    this.#setFileName()
    if (toInt(this.get('is_folder'))) return
    this.set('file_type', fileTypeOf(String(this.get('file_name'))) ?? null)
    if (content !== undefined) return this.#storeContent(ctx, content)
    const fileUrl = text(this.get('file_url'))
    if (fileUrl && isRemoteUrl(fileUrl)) return
    await this.#adoptStoredFile(ctx, fileUrl ?? fileUrlFor(String(this.get('file_name')), Boolean(toInt(this.get('is_private')))))
  }

  override async validate(): Promise<void> {
    if (toInt(this.get('is_folder'))) return
    this.#validateAttachmentReferences()
    const ctx = currentContext()
    if (!this.isNew && this.previous) await this.#followChanges(ctx, this.previous)
    const url = text(this.get('file_url'))
    if (url && !isRemoteUrl(url) && !(await isStoredFile(this.#localPath(ctx, url)))) {
      throw new ValidationError(`File ${url} does not exist`)
    }
  }

  override async onTrash(): Promise<void> {
    if (toInt(this.get('is_home_folder')) || toInt(this.get('is_attachments_folder'))) {
      throw new ValidationError('Cannot delete Home and Attachments folders')
    }
    const ctx = currentContext()
    const tx = database(ctx)
    if (toInt(this.get('is_folder'))) {
      const inside = await tx.selectFrom('tabFile').select('name').where('folder', '=', String(this.name)).limit(1).executeTakeFirst()
      if (inside) throw new ValidationError(`Folder ${String(this.name)} is not empty`)
      return
    }
    const url = text(this.get('file_url'))
    const local = url && !isRemoteUrl(url) ? localPathOf(ctx.site, url) : undefined
    if (!url || !local) return
    // The bytes go only when no other File uses them; once the delete has committed.
    const shared = await tx.selectFrom('tabFile').select('name').where('file_url', '=', url).where('name', '!=', String(this.name)).limit(1).executeTakeFirst()
    if (!shared) afterCommit(() => removeStoredFile(local.path), 'remove file bytes')
  }

  #takeContent(): FileContent | undefined {
    const upload = this.flags.upload
    if (isUploadedFile(upload)) return upload
    const raw = this.flags.content ?? this.get('content')
    const decode = isTruthy(this.flags.decode ?? this.get('decode'))
    for (const key of ['content', 'decode']) if (this.has(key)) this.set(key, undefined) // not fields: never stored or sent
    if (raw === undefined || raw === null || raw === '') return undefined
    if (Buffer.isBuffer(raw)) return decode ? decodeBase64(raw.toString('latin1')) : raw
    if (typeof raw === 'string') return decode ? decodeBase64(raw) : Buffer.from(raw, 'utf8')
    throw new FrappeTypeError('File content must be text or bytes')
  }

  #setFolderName(): void {
    if (text(this.get('folder'))) return
    if (text(this.get('attached_to_doctype'))) this.set('folder', ATTACHMENTS_FOLDER)
    else if (!toInt(this.get('is_home_folder'))) this.set('folder', 'Home')
  }

  #setIsPrivate(): void {
    const url = text(this.get('file_url'))
    if (!toInt(this.get('is_private')) && url) this.set('is_private', url.startsWith('/private') ? 1 : 0)
    this.set('is_private', toInt(this.get('is_private')) ? 1 : 0)
  }

  #setFileName(): void {
    const given = text(this.get('file_name'))
    const fileName = given ? cleanFileName(given) : undefined
    const url = text(this.get('file_url'))
    // A name of nothing but dots (`..`) names nothing either.
    if (!fileName?.replace(/^[.\s]+/, '') && !url) throw new MandatoryError('File', undefined, ['file_name', 'file_url'])
    this.set('file_name', fileName || (url?.split('/').pop() ?? ''))
  }

  /** Frappe's `save_file`: checks the size, reuses identical stored bytes, else writes new ones. */
  async #storeContent(ctx: RequestContext, content: FileContent): Promise<void> {
    const size = Buffer.isBuffer(content) ? content.length : content.size
    const limit = maxFileSize(ctx.site)
    if (size > limit) throw fileTooLargeError(limit)
    const contentHash = Buffer.isBuffer(content) ? contentHashOf(content) : content.contentHash
    const isPrivate = Boolean(toInt(this.get('is_private')))
    this.set('file_size', size)
    this.set('content_hash', contentHash)
    const duplicate = await this.#storedDuplicate(ctx, contentHash, isPrivate)
    if (duplicate) {
      this.set('file_url', duplicate)
      return
    }
    const fileName = String(this.get('file_name'))
    const folder = filesFolder(ctx.site, isPrivate)
    const preferred = storedNameFor(fileName)
    const stored = await writeNewFile(folder, preferred, contentHash.slice(-6), content)
    onRollback(() => removeStoredFile(join(folder, stored)))
    if (stored !== preferred || !fileName) this.set('file_name', stored)
    this.set('file_url', fileUrlFor(stored, isPrivate))
  }

  /** Frappe reuses the bytes of a File with the same content hash and privacy, if still on disk. */
  async #storedDuplicate(ctx: RequestContext, contentHash: string, isPrivate: boolean): Promise<string | undefined> {
    const rows = await database(ctx)
      .selectFrom('tabFile')
      .select('file_url')
      .where('content_hash', '=', contentHash)
      .where('is_private', '=', isPrivate ? 1 : 0)
      .where('is_folder', '=', 0)
      .limit(20)
      .execute()
    for (const row of rows) {
      const url = text(row.file_url)
      const local = url ? localPathOf(ctx.site, url) : undefined
      if (url && local && local.isPrivate === isPrivate && (await isStoredFile(local.path))) return url
    }
    return undefined
  }

  /** A File for bytes already stored (`file_url` given): they must exist and be the user's to use. */
  async #adoptStoredFile(ctx: RequestContext, url: string): Promise<void> {
    const path = this.#localPath(ctx, url)
    await assertMayUseStoredFile(ctx, url)
    const measured = await measureFile(path)
    if (!measured) throw new ValidationError(`File ${url} does not exist`)
    this.set('file_url', url)
    this.set('is_private', url.startsWith(PRIVATE_PREFIX) ? 1 : 0)
    this.set('file_size', measured.size)
    this.set('content_hash', measured.contentHash)
  }

  #localPath(ctx: RequestContext, url: string): string {
    if (!url.startsWith(PUBLIC_PREFIX) && !url.startsWith(PRIVATE_PREFIX)) throw new ValidationError('URL must start with http:// or https://')
    const local = localPathOf(ctx.site, url)
    if (!local) throw new ValidationError("The File URL you've entered is incorrect")
    return local.path
  }

  #validateAttachmentReferences(): void {
    if (!text(this.get('attached_to_doctype'))) return
    const name = this.get('attached_to_name')
    if (typeof name !== 'string' && typeof name !== 'number') throw new ValidationError('Attached To Name must be a string or an integer')
    const field = text(this.get('attached_to_field'))
    if (field && NON_WORD.test(field)) throw new ValidationError("The fieldname you've specified in Attached To Field is invalid")
  }

  /** On save: a new `file_url` must be usable; a changed `is_private` moves the bytes (Frappe's `handle_is_private_changed`). */
  async #followChanges(ctx: RequestContext, previous: Document): Promise<void> {
    const oldUrl = text(previous.get('file_url'))
    const newUrl = text(this.get('file_url'))
    if (oldUrl !== newUrl) {
      if (newUrl && !isRemoteUrl(newUrl)) await this.#adoptStoredFile(ctx, unquote(newUrl))
      return
    }
    if (!this.hasChanged('is_private') || !oldUrl || isRemoteUrl(oldUrl)) return
    const from = localPathOf(ctx.site, oldUrl)
    const isPrivate = Boolean(toInt(this.get('is_private')))
    if (!from || from.isPrivate === isPrivate) return
    const folder = filesFolder(ctx.site, isPrivate)
    const stored = await copyToFolder(from.path, folder, basename(from.path), String(this.get('content_hash') ?? randomHashName(6)).slice(-6))
    onRollback(() => removeStoredFile(join(folder, stored)))
    afterCommit(() => removeStoredFile(from.path), 'remove moved file bytes')
    const url = fileUrlFor(stored, isPrivate)
    this.set('file_url', url)
    // Every File that shared the bytes follows them, as Frappe's `update_existing_file_docs`.
    await database(ctx)
      .updateTable('tabFile')
      .set({ file_url: url, is_private: isPrivate ? 1 : 0 })
      .where('file_url', '=', oldUrl)
      .where('name', '!=', String(this.name))
      .execute()
  }
}

/**
 * A File may point at stored bytes only if the user could read them already: a private URL
 * needs a File with that URL that the user may read (newer Frappe's
 * `validate_private_file_access`; private bytes that no File describes are Administrator's).
 */
async function assertMayUseStoredFile(ctx: RequestContext, url: string): Promise<void> {
  if (!url.startsWith(PRIVATE_PREFIX) || ctx.user === 'Administrator') return
  const rows = await database(ctx)
    .selectFrom('tabFile')
    .select(['name', 'owner', 'is_private', 'attached_to_doctype', 'attached_to_name'])
    .where('file_url', '=', url)
    .limit(50)
    .execute()
  for (const row of rows) if (await canAccessFile(ctx, row, 'read')) return
  throw new PermissionError('You do not have permission to access this file')
}
