const LEVEL_METHODS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
/** What a child shares with its parent, answered without making the child. */
const SHARED = new Set(['isLevelEnabled', 'level', 'levels', 'levelVal'])
const noop = (): void => {}

interface ChildLogger<L> {
  child(bindings: Record<string, unknown>, options?: object): L
  isLevelEnabled?(level: string): boolean
}

/**
 * `parent.child(bindings)`, made only when something is logged at an enabled level. Every
 * request gets a child logger (request id, site, user), and at the usual `warn` level most
 * never write a line: building pino's child for each was a measurable share of a request.
 */
export function lazyChildLogger<L extends ChildLogger<L>>(parent: L, bindings: Record<string, unknown>, options?: object): L {
  let real: L | undefined
  const materialise = (): L => (real ??= parent.child(bindings, options))
  return new Proxy(parent, {
    get(_target, property) {
      if (typeof property === 'string' && !real) {
        if (LEVEL_METHODS.has(property) && parent.isLevelEnabled?.(property) === false) return noop
        if (SHARED.has(property)) {
          const value: unknown = Reflect.get(parent as object, property)
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(parent) : value
        }
      }
      const logger = materialise()
      const value: unknown = Reflect.get(logger as object, property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(logger) : value
    },
    set(_target, property, value) {
      return Reflect.set(materialise() as object, property, value)
    },
  })
}
