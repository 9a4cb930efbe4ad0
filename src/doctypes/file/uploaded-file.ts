const UPLOADED = Symbol('cortado.uploadedFile')

/**
 * A file part of a multipart request, already streamed to a temporary file by the HTTP layer
 * (Frappe's `request.files["file"]`). Its size and MD5 `content_hash` were measured on the way.
 */
export interface UploadedFile {
  readonly [UPLOADED]: true
  /** The name the client gave the part; not trusted, not yet made safe. */
  readonly filename: string
  readonly mimetype: string
  /** The temporary file holding the bytes; the HTTP layer removes it after the response. */
  readonly tempPath: string
  readonly size: number
  readonly contentHash: string
}

export function uploadedFile(values: Omit<UploadedFile, typeof UPLOADED>): UploadedFile {
  return Object.freeze({ [UPLOADED]: true as const, ...values })
}

/**
 * Whether a request argument is a real upload. The brand is a symbol, which no JSON body or
 * form field can carry, so a client cannot pass `{"file": {"tempPath": "/etc/passwd"}}`.
 */
export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && UPLOADED in value
}
