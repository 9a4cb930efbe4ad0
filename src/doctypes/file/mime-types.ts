/**
 * Content types by extension, the common part of Python's `mimetypes` table that Frappe uses
 * (`guess_type`). For each type the first extension listed is its canonical one
 * (`guess_extension`), which gives the File's `file_type`: `photo.jpeg` → `JPG`.
 */
const TYPES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['text/plain', ['txt', 'text', 'log', 'conf', 'ini']],
  ['text/csv', ['csv']],
  ['text/html', ['html', 'htm']],
  ['text/css', ['css']],
  ['text/markdown', ['md', 'markdown']],
  ['text/xml', ['xml']],
  ['text/calendar', ['ics']],
  ['text/javascript', ['js', 'mjs']],
  ['application/json', ['json']],
  ['application/pdf', ['pdf']],
  ['application/zip', ['zip']],
  ['application/gzip', ['gz']],
  ['application/x-tar', ['tar']],
  ['application/rtf', ['rtf']],
  ['application/msword', ['doc', 'dot']],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', ['docx']],
  ['application/vnd.ms-excel', ['xls', 'xlb']],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ['xlsx']],
  ['application/vnd.ms-powerpoint', ['ppt', 'pot', 'pps']],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', ['pptx']],
  ['application/vnd.oasis.opendocument.text', ['odt']],
  ['application/vnd.oasis.opendocument.spreadsheet', ['ods']],
  ['application/vnd.oasis.opendocument.presentation', ['odp']],
  ['image/png', ['png']],
  ['image/jpeg', ['jpg', 'jpeg', 'jpe']],
  ['image/gif', ['gif']],
  ['image/webp', ['webp']],
  ['image/svg+xml', ['svg']],
  ['image/bmp', ['bmp']],
  ['image/tiff', ['tiff', 'tif']],
  ['image/vnd.microsoft.icon', ['ico']],
  ['audio/mpeg', ['mp3']],
  ['audio/wav', ['wav']],
  ['audio/ogg', ['ogg', 'oga']],
  ['video/mp4', ['mp4']],
  ['video/quicktime', ['mov', 'qt']],
  ['video/webm', ['webm']],
  ['video/mpeg', ['mpeg', 'mpg']],
  ['font/woff', ['woff']],
  ['font/woff2', ['woff2']],
]

const TYPE_BY_EXTENSION: ReadonlyMap<string, string> = new Map(
  TYPES.flatMap(([type, extensions]) => extensions.map((extension) => [extension, type] as const)),
)
const EXTENSION_BY_TYPE: ReadonlyMap<string, string> = new Map(TYPES.map(([type, extensions]) => [type, extensions[0] ?? '']))

/**
 * What guests and website users may upload (Frappe's `ALLOWED_MIMETYPES`, frappe/handler.py):
 * images, PDF, MS Office and ODF documents, text, CSV and two video formats.
 */
export const GUEST_UPLOAD_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'text/plain',
  'video/quicktime',
  'video/mp4',
  'text/csv',
])

/**
 * Types a browser would run as active content on our origin: served as attachments only,
 * as Frappe does for private files (`send_private_file`).
 */
export const DOWNLOAD_ONLY_EXTENSIONS: ReadonlySet<string> = new Set(['svg', 'html', 'htm', 'xml', 'xhtml', 'js', 'mjs'])

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase()
}

/** Python's `mimetypes.guess_type(name)[0]`: undefined for an unknown extension. */
export function guessMimeType(fileName: string): string | undefined {
  return TYPE_BY_EXTENSION.get(extensionOf(fileName))
}

/** Frappe's `File.file_type`: the canonical extension of the guessed type, upper case. */
export function fileTypeOf(fileName: string): string | undefined {
  const type = guessMimeType(fileName)
  const extension = type ? EXTENSION_BY_TYPE.get(type) : undefined
  return extension ? extension.toUpperCase() : undefined
}
