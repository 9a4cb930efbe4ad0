/** A first-come, first-served async lock. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve()

  /** Waits for the lock; call the returned function to release it. */
  async acquire(): Promise<() => void> {
    let release!: () => void // assigned synchronously by the Promise constructor
    const next = new Promise<void>((resolve) => (release = resolve))
    const previous = this.#tail
    this.#tail = previous.then(() => next)
    await previous
    return release
  }

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire()
    try {
      return await fn()
    } finally {
      release()
    }
  }
}
