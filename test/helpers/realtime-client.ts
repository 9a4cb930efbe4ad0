import { io, type Socket } from 'socket.io-client'

const WAIT_MS = 5000

/** A received event, in arrival order. */
export interface Received {
  readonly event: string
  readonly message: unknown
}

/** A socket.io-client socket that records every event it receives. */
export interface TestSocket {
  readonly socket: Socket
  readonly received: Received[]
  /** Resolves with the first recorded event (past or future) that matches; rejects clearly after a while. */
  waitFor(event: string, match?: (message: unknown) => boolean): Promise<unknown>
  /** Waits until `count` events of this name have arrived; resolves with the last of them. */
  waitForCount(event: string, count: number): Promise<unknown>
  /** Emits `ping` and waits for `pong`: every event the client sent before has been handled. */
  settle(): Promise<void>
  close(): void
}

function connectError(socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(undefined))
    socket.once('connect_error', (error) => resolve(error))
  })
}

/** Opens a socket on `url + namespace` (websocket transport, headers sent as given). */
export function openSocket(url: string, namespace: string, headers: Record<string, string>): { socket: Socket; outcome: Promise<Error | undefined> } {
  const socket = io(`${url}${namespace}`, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true })
  return { socket, outcome: connectError(socket) }
}

/** Connects and fails the test with the server's reason when the handshake is refused. */
export async function connectSocket(url: string, namespace: string, headers: Record<string, string>): Promise<TestSocket> {
  const { socket, outcome } = openSocket(url, namespace, headers)
  const received: Received[] = []
  socket.onAny((event: string, message: unknown) => received.push({ event, message }))
  const error = await outcome
  if (error) {
    socket.close()
    throw new Error(`socket on ${namespace} refused: ${error.message}`)
  }
  const waitFor = (event: string, match: (message: unknown) => boolean = () => true): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const found = (): Received | undefined => received.find((entry) => entry.event === event && match(entry.message))
      const done = found()
      if (done) return resolve(done.message)
      const timer = setTimeout(() => {
        socket.offAny(listener)
        reject(new Error(`no ${event} event arrived on ${namespace}; received: ${JSON.stringify(received)}`))
      }, WAIT_MS)
      const listener = (): void => {
        const hit = found()
        if (!hit) return
        clearTimeout(timer)
        socket.offAny(listener)
        resolve(hit.message)
      }
      socket.onAny(listener)
    })
  return {
    socket,
    received,
    waitFor,
    waitForCount: (event, count) => waitFor(event, () => received.filter((entry) => entry.event === event).length >= count).then(() => messagesOf({ received }, event).at(-1)),
    async settle() {
      const before = received.filter((entry) => entry.event === 'pong').length
      socket.emit('ping')
      await waitFor('pong', () => received.filter((entry) => entry.event === 'pong').length > before)
    },
    close: () => void socket.close(),
  }
}

/** The events of one name received so far. */
export function messagesOf(socket: Pick<TestSocket, 'received'>, event: string): unknown[] {
  return socket.received.filter((entry) => entry.event === event).map((entry) => entry.message)
}

/** Logs `user` in on `site` over HTTP and returns the `sid` cookie a browser socket would carry. */
export async function loginSid(url: string, site: string, user: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/method/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-frappe-site-name': site },
    body: JSON.stringify({ usr: user, pwd: password }),
  })
  if (response.status !== 200) throw new Error(`login of ${user} answered ${response.status}`)
  const sid = response.headers.getSetCookie().map((cookie) => /^sid=([^;]*)/.exec(cookie)?.[1]).find(Boolean)
  if (!sid) throw new Error('login set no sid cookie')
  return sid
}
