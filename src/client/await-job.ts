/**
 * A frontend helper for long calls (issue 4): call a long-running whitelisted method, get its
 * 202 ticket, then resolve with the job's result, following `task_progress:{job_id}` on a
 * socket.io client when one is given and polling `GET /api/v2/job/{job_id}` otherwise (and as
 * a fallback). Standalone: it imports nothing, so a frontend can copy or bundle it as is.
 *
 * @example
 * const report = await callLongMethod('demo.api.long_report', { seconds: 10 }, {
 *   url: 'http://demo.localhost:8000', socket: io('http://demo.localhost:8000/demo.localhost'),
 *   onProgress: (event) => console.log(event.progress),
 * })
 */

/** The few socket.io client methods the helper uses. */
export interface TaskSocket {
  emit(event: string, ...args: unknown[]): unknown
  on(event: string, listener: (message: Record<string, unknown>) => void): unknown
  off(event: string, listener: (message: Record<string, unknown>) => void): unknown
}

export interface AwaitJobOptions {
  /** The site's origin, e.g. `http://localhost:8000`. */
  readonly url: string
  /** Extra request headers: `Authorization`, `X-Frappe-Site-Name`, `X-Frappe-CSRF-Token`… */
  readonly headers?: Readonly<Record<string, string>>
  /** `include` to send the `sid` cookie from a browser. */
  readonly credentials?: 'include' | 'same-origin' | 'omit'
  readonly socket?: TaskSocket
  readonly onProgress?: (message: Record<string, unknown>) => void
  /** Milliseconds between status polls (default 1000). */
  readonly pollInterval?: number
  readonly fetch?: typeof fetch
}

/** The job failed: `exc` is the server's traceback. */
export class JobFailedError extends Error {
  constructor(readonly jobId: string, readonly exc: unknown) {
    super(`Job ${jobId} failed`)
    this.name = 'JobFailedError'
  }
}

interface JobStatus {
  readonly job_id: string
  readonly status: 'queued' | 'started' | 'finished' | 'failed'
  readonly result?: unknown
  readonly exc?: unknown
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`)
  return body
}

/** Calls `/api/method/{path}` with POST; returns the ticket's job id (202) or throws. */
export async function startLongMethod(path: string, args: Readonly<Record<string, unknown>>, options: AwaitJobOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch
  const response = await doFetch(`${options.url}/api/method/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...options.headers },
    credentials: options.credentials,
    body: JSON.stringify(args),
  })
  const body = await readJson(response)
  const ticket = body.message as { job_id?: string } | undefined
  if (response.status !== 202 || !ticket?.job_id) throw new Error(`${path} is not a long call`)
  return ticket.job_id
}

/** Resolves with a job's result (or rejects with JobFailedError) once it ends. */
export function awaitJob(jobId: string, options: AwaitJobOptions): Promise<unknown> {
  const doFetch = options.fetch ?? fetch
  return new Promise((resolve, reject) => {
    let done = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (status: JobStatus) => {
      if (done || (status.status !== 'finished' && status.status !== 'failed')) return
      done = true
      clearTimeout(timer)
      options.socket?.off('task_progress', onEvent)
      options.socket?.off('task_status_change', onEvent)
      options.socket?.emit('task_unsubscribe', jobId)
      if (status.status === 'finished') resolve(status.result)
      else reject(new JobFailedError(jobId, status.exc))
    }
    function onEvent(message: Record<string, unknown>): void {
      if (message.task_id !== jobId) return
      if (message.status === 'finished' || message.status === 'failed') finish(message as unknown as JobStatus)
      else options.onProgress?.(message)
    }
    async function poll(): Promise<void> {
      if (done) return
      try {
        const response = await doFetch(`${options.url}/api/v2/job/${encodeURIComponent(jobId)}`, {
          headers: { Accept: 'application/json', ...options.headers },
          credentials: options.credentials,
        })
        finish((await readJson(response)).data as JobStatus)
      } catch (error) {
        done = true
        reject(error)
        return
      }
      if (!done) timer = setTimeout(() => void poll(), options.pollInterval ?? 1000)
    }
    if (options.socket) {
      options.socket.on('task_progress', onEvent)
      options.socket.on('task_status_change', onEvent)
      options.socket.emit('task_subscribe', jobId)
    }
    void poll()
  })
}

/** Starts a long call and resolves with its result. */
export async function callLongMethod(path: string, args: Readonly<Record<string, unknown>>, options: AwaitJobOptions): Promise<unknown> {
  return awaitJob(await startLongMethod(path, args, options), options)
}
