import { ValidationError } from '../errors/index.js'

/** How deep a request body may nest: a document with child rows needs 3 or 4 levels. */
export const MAX_BODY_DEPTH = 32

/**
 * A ValidationError (417) when a parsed body nests objects or lists deeper than `limit`, else
 * undefined. Walks with an explicit stack, so a hostile body cannot overflow ours either.
 */
export function bodyDepthError(value: unknown, limit = MAX_BODY_DEPTH): ValidationError | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number }
    if (typeof current !== 'object' || current === null) continue
    if (depth >= limit) return new ValidationError(`The request body is nested more than ${limit} levels deep`)
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 })
  }
  return undefined
}
