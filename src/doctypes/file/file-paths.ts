import { realpath } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import type { Site } from '../../context/index.js'
import { MaxFileSizeReachedError } from '../../errors/index.js'
import { randomHashName, toInt } from '../../utils/index.js'

export const PUBLIC_PREFIX = '/files/'
export const PRIVATE_PREFIX = '/private/files/'
/** URLs that point elsewhere: no bytes of ours behind them (Frappe's `URL_PREFIXES`). */
const REMOTE_PREFIXES = ['http://', 'https://', '/api/method/']
/** Frappe's default `max_file_size`: 25 MB. */
const DEFAULT_MAX_FILE_SIZE = 25 * 1024 * 1024
/** Stored names stay well inside the 140-character `file_name` field and 255-byte file names. */
const MAX_NAME_CHARACTERS = 120
const MAX_NAME_BYTES = 200

/** `sites/<site>/public/files` or `sites/<site>/private/files`. */
export function filesFolder(site: Site, isPrivate: boolean): string {
  return join(site.path, isPrivate ? 'private' : 'public', 'files')
}

export function fileUrlFor(storedName: string, isPrivate: boolean): string {
  return `${isPrivate ? PRIVATE_PREFIX : PUBLIC_PREFIX}${storedName}`
}

export function isRemoteUrl(url: string): boolean {
  return REMOTE_PREFIXES.some((prefix) => url.startsWith(prefix))
}

/** The upload limit in bytes: site config `max_file_size` (bytes, as Frappe's), else 25 MB. */
export function maxFileSize(site: Site): number {
  const configured = toInt(site.config.max_file_size)
  return configured > 0 ? configured : DEFAULT_MAX_FILE_SIZE
}

/** Frappe's refusal of a file over the limit; its message shows the limit in MB as Python prints a float. */
export function fileTooLargeError(limit: number): MaxFileSizeReachedError {
  const megabytes = limit / 1048576
  return new MaxFileSizeReachedError(`File size exceeded the maximum allowed size of ${Number.isInteger(megabytes) ? `${megabytes}.0` : megabytes} MB`)
}

/**
 * A path below `folder` for a decoded URL path, or undefined when it could leave the folder or
 * name a hidden file: NUL, backslashes, empty, `.` and `..` segments and dot-files are refused
 * before resolving, and the resolved path must still start inside the folder.
 */
export function pathInside(folder: string, relative: string): string | undefined {
  if (relative.includes('\0') || relative.includes('\\')) return undefined
  const segments = relative.split('/')
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined
  const root = resolve(folder)
  const target = resolve(root, ...segments)
  return target.startsWith(root + sep) ? target : undefined
}

/** As `pathInside`, and after following symbolic links too; undefined if nothing is there. */
export async function existingPathInside(folder: string, relative: string): Promise<string | undefined> {
  const target = pathInside(folder, relative)
  if (!target) return undefined
  try {
    const [root, real] = await Promise.all([realpath(folder), realpath(target)])
    return real.startsWith(root + sep) ? real : undefined
  } catch {
    return undefined // missing file or folder
  }
}

/** Where a local `file_url` keeps its bytes, or undefined for a remote or unsafe URL. */
export function localPathOf(site: Site, fileUrl: string): { isPrivate: boolean; path: string } | undefined {
  for (const [prefix, isPrivate] of [[PRIVATE_PREFIX, true], [PUBLIC_PREFIX, false]] as const) {
    if (!fileUrl.startsWith(prefix)) continue
    const path = pathInside(filesFolder(site, isPrivate), fileUrl.slice(prefix.length))
    return path ? { isPrivate, path } : undefined
  }
  return undefined
}

/** Frappe's `set_file_name`: no slashes in a File's name; we drop backslashes and control characters too. */
export function cleanFileName(name: string): string {
  return name.replace(/[/\\\u0000-\u001f\u007f]/g, '').trim()
}

/**
 * The name the bytes are stored under: `cleanFileName`, with the characters Frappe replaces in
 * URLs (`% ? #`) replaced, no leading dots (no hidden files), shortened keeping the extension.
 */
export function storedNameFor(fileName: string): string {
  const name = cleanFileName(fileName).replace(/[%?#]/g, '_').replace(/^[.\s]+/, '')
  return name === '' ? randomHashName(10) : shorten(name)
}

function shorten(name: string): string {
  const fits = (text: string) => [...text].length <= MAX_NAME_CHARACTERS && Buffer.byteLength(text) <= MAX_NAME_BYTES
  if (fits(name)) return name
  const { base, extension } = splitExtension(name)
  const safeExtension = fits(`x${extension}`) ? extension : ''
  let characters = [...base]
  while (characters.length > 1 && !fits(characters.join('') + safeExtension)) characters = characters.slice(0, -1)
  return characters.join('') + safeExtension
}

/** Python's `os.path.splitext`: the extension starts at the last dot that does not lead the name. */
export function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? { base: name, extension: '' } : { base: name.slice(0, dot), extension: name.slice(dot) }
}

/** Frappe's `get_file_name`: the suffix goes before the extension, `report.pdf` → `reporta1b2c3.pdf`. */
export function withSuffix(name: string, suffix: string): string {
  const { base, extension } = splitExtension(name)
  return `${base}${suffix}${extension}`
}
