const REPLY = Symbol('cortado.methodReply')

/**
 * A whitelisted function's answer with keys beside `message`, as Frappe's handlers set
 * `frappe.response.docs` or `frappe.response.docinfo` (spec 0.2, 2.2, A). The HTTP layer sends
 * `message` (absent when undefined) and each extra as a top-level key; `docs` only when non-empty.
 */
export interface MethodReply {
  readonly [REPLY]: true
  readonly message: unknown
  readonly extras: Readonly<Record<string, unknown>>
}

export function methodReply(message: unknown, extras: Readonly<Record<string, unknown>>): MethodReply {
  return { [REPLY]: true, message, extras }
}

export function isMethodReply(value: unknown): value is MethodReply {
  return typeof value === 'object' && value !== null && REPLY in value
}

/** The response keys of a function's result: `{message}`, `{}` for undefined, or a reply's keys. */
export function replyPayload(result: unknown, key: 'message' | 'data' = 'message'): Record<string, unknown> {
  if (!isMethodReply(result)) return result === undefined ? {} : { [key]: result }
  const payload: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(result.extras)) {
    if (name === 'docs' && Array.isArray(value) && value.length === 0) continue
    if (value !== undefined) payload[name] = value
  }
  if (result.message !== undefined) payload[key] = result.message
  return payload
}
