import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export interface RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly body: unknown
}

export interface RawRequestOptions {
  readonly method?: string
  readonly headers?: Record<string, string>
  /** An object is sent as JSON; a string or Buffer as is (set the content type yourself). */
  readonly body?: unknown
}

/**
 * One HTTP request on its own connection (no keep-alive pool, no client-side connection limit),
 * with any header, Host included. Resolves with the status and body whatever the status.
 */
export function sendRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers }
  let payload: Buffer | undefined
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = Buffer.from(options.body)
  else if (options.body !== undefined) {
    payload = Buffer.from(JSON.stringify(options.body))
    headers['content-type'] ??= 'application/json'
  }
  if (payload) headers['content-length'] = String(payload.length)
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = JSON.parse(text)
        } catch {
          body = undefined
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body })
      })
    })
    request.on('error', reject)
    request.end(payload)
  })
}

/** `_server_messages` decoded as frappe-ui does: a JSON array of JSON strings. */
export function serverMessages(body: unknown): Array<Record<string, unknown>> {
  const raw = (body as { _server_messages?: unknown } | undefined)?._server_messages
  if (typeof raw !== 'string') return []
  return (JSON.parse(raw) as string[]).map((message) => JSON.parse(message) as Record<string, unknown>)
}
