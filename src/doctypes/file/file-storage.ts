import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { constants, copyFile, link, mkdir, stat, unlink, writeFile } from 'node:fs/promises'
import { randomHashName } from '../../utils/index.js'
import { pathInside, withSuffix } from './file-paths.js'
import type { UploadedFile } from './uploaded-file.js'

/** New bytes for a File: an upload waiting in a temporary file, or content in memory. */
export type FileContent = UploadedFile | Buffer

/** Frappe's `get_content_hash`: the MD5 of the bytes, in hex. */
export function contentHashOf(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** The size and MD5 of a stored file, read as a stream; undefined if it is not a regular file. */
export async function measureFile(path: string): Promise<{ size: number; contentHash: string } | undefined> {
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) return undefined
  const hash = createHash('md5')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return { size: info.size, contentHash: hash.digest('hex') }
}

export async function isStoredFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  return Boolean(info?.isFile())
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}

/** Creates `target` only if nothing is there (O_EXCL), so no writer ever replaces another's file. */
async function createExclusive(target: string, content: FileContent): Promise<void> {
  if (Buffer.isBuffer(content)) return writeFile(target, content, { flag: 'wx' })
  await placeExclusive(content.tempPath, target)
}

/** A hard link when source and target share a file system (no copy), else an exclusive copy. */
async function placeExclusive(source: string, target: string): Promise<void> {
  try {
    await link(source, target)
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) throw error
    await copyFile(source, target, constants.COPYFILE_EXCL)
  }
}

/**
 * Frappe's `generate_file_name` and `write_file` in one step: the bytes go under `name` if it is
 * free, else `name` + `suffix` (the content hash's last six characters), else a random suffix.
 * Each candidate is created exclusively, so two uploads of one name never share a file.
 * Returns the name used.
 */
export async function writeNewFile(folder: string, name: string, suffix: string, content: FileContent): Promise<string> {
  return placeUnderFreeName(folder, name, suffix, (target) => createExclusive(target, content))
}

/** Puts an existing stored file's bytes under a free name in another folder (public ↔ private). */
export async function copyToFolder(source: string, folder: string, name: string, suffix: string): Promise<string> {
  return placeUnderFreeName(folder, name, suffix, (target) => placeExclusive(source, target))
}

async function placeUnderFreeName(folder: string, name: string, suffix: string, create: (target: string) => Promise<void>): Promise<string> {
  await mkdir(folder, { recursive: true })
  const candidates = [name, withSuffix(name, suffix)]
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = candidates[attempt] ?? withSuffix(name, randomHashName(6))
    const target = pathInside(folder, candidate)
    if (!target) throw new Error(`Unsafe stored file name: ${JSON.stringify(candidate)}`)
    try {
      await create(target)
      return candidate
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error
    }
  }
  throw new Error(`No free file name for ${name} in ${folder}`)
}

/** Removes stored bytes; a file that is already gone is fine. */
export async function removeStoredFile(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isErrorCode(error, 'ENOENT')) throw error
  })
}
