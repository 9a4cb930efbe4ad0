type LogMethod = (...args: unknown[]) => void

/** What a pino-compatible logger offers that a lazy child needs of its parent. */
export interface ParentLogger {
  child(bindings: Record<string, unknown>, options?: object): ParentLogger
  isLevelEnabled?(level: string): boolean
  level?: string
  [method: string]: unknown
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const

/**
 * A child logger that is built only when a line is written at an enabled level. Every request
 * gets a child (request id, site, user), and at the usual `warn` level most never log: building
 * pino's child for each was a measurable share of a request's time.
 */
class LazyChildLogger {
  #real: ParentLogger | undefined

  constructor(
    private readonly parent: ParentLogger | LazyChildLogger,
    private readonly bindingsOfChild: Record<string, unknown>,
    private readonly options: object | undefined,
  ) {}

  real(): ParentLogger {
    const parent = this.parent instanceof LazyChildLogger ? this.parent.real() : this.parent
    return (this.#real ??= parent.child(this.bindingsOfChild, this.options))
  }

  isLevelEnabled(level: string): boolean {
    if (this.#real) return this.#real.isLevelEnabled?.(level) ?? true
    return this.parent.isLevelEnabled?.(level) ?? true
  }

  get level(): string | undefined {
    return this.#real ? this.#real.level : this.parent.level
  }

  set level(level: string | undefined) {
    this.real().level = level
  }

  child(bindings: Record<string, unknown>, options?: object): LazyChildLogger {
    return new LazyChildLogger(this, bindings, options)
  }

  bindings(): Record<string, unknown> {
    return (this.real().bindings as () => Record<string, unknown>)()
  }

  silent(): void {}

  declare fatal: LogMethod
  declare error: LogMethod
  declare warn: LogMethod
  declare info: LogMethod
  declare debug: LogMethod
  declare trace: LogMethod
}

for (const level of LEVELS) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value(this: LazyChildLogger, ...args: unknown[]): void {
      if (!this.isLevelEnabled(level)) return
      const real = this.real()
      ;(real[level] as LogMethod).apply(real, args)
    },
  })
}

/** `parent.child(bindings, options)`, made on first use. Typed as the parent for callers that need its shape. */
export function lazyChildLogger<L>(parent: L, bindings: Record<string, unknown>, options?: object): L {
  return new LazyChildLogger(parent as unknown as ParentLogger, bindings, options) as unknown as L
}
