import { currentContext, type ServerMessage } from './context.js'

/** Frappe's `msgprint`: a message the client shows after the request. */
export function msgprint(message: string, options: Omit<ServerMessage, 'message'> = {}): void {
  const ctx = currentContext()
  if (ctx.flags.muteMessages) return
  ctx.messageLog.push({ message, title: 'Message', ...options }) // Frappe's default title
}
