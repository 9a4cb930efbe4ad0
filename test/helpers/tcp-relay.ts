import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** A TCP relay to a service that a test can cut and restore on the same port, as a network failure would. */
export class Relay {
  #server: Server | undefined
  readonly #sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (again) on the same port; a no-op while open. */
  async open(): Promise<void> {
    if (this.#server) return
    const server = createServer((client) => {
      const upstream = createConnection({ host: this.host, port: this.targetPort })
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => socket.destroy())
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as { port: number }).port
    this.#server = server
  }

  /** Stops accepting and drops every open connection. */
  async cut(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}
