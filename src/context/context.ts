import { AsyncLocalStorage } from 'node:async_hooks'
import type { LogFn } from 'pino'
import type { Site } from './site.js'
import type { TraceEntry } from './trace.js'

/** The logging the framework needs: pino's, or Fastify's request logger (also pino). */
export interface Logger {
  readonly info: LogFn
  readonly warn: LogFn
  readonly error: LogFn
  readonly debug: LogFn
  child(bindings: Record<string, unknown>): Logger
}

export type AfterCommitCallback = () => Promise<void> | void

/** A message for the client, as Frappe's `msgprint` builds it (`_server_messages`). */
export interface ServerMessage {
  readonly message: string
  readonly title?: string
  readonly indicator?: string
  readonly raise_exception?: 1
  readonly alert?: 1
}

/**
 * Per-unit-of-work bookkeeping that changes while it runs. The db layer adds its transaction
 * handle by declaration merging.
 */
export interface UnitOfWork {
  readonly afterCommit: Array<{ readonly label: string; readonly run: AfterCommitCallback }>
  /** Undo for in-memory state (such as metadata) changed alongside rolled-back writes. */
  readonly onRollback: AfterCommitCallback[]
}

/** Frappe's `frappe.flags` for one request. */
export interface RequestFlags {
  inImport?: boolean
  inInstall?: boolean
  inMigrate?: boolean
  muteMessages?: boolean
  [flag: string]: unknown
}

/** Everything one request (or job, or CLI command) knows about itself. */
export interface RequestContext {
  readonly requestId: string
  readonly site: Site
  readonly user: string
  readonly roles: readonly string[]
  /** The request's arguments, as Frappe's `form_dict`. */
  readonly formDict: Readonly<Record<string, unknown>>
  readonly flags: RequestFlags
  readonly messageLog: ServerMessage[]
  readonly work: UnitOfWork
  readonly logger: Logger
  /** Present only in developer mode. */
  readonly trace: TraceEntry[] | undefined
}

const storage = new AsyncLocalStorage<RequestContext>()

/** Entry points (HTTP plugin, job worker, CLI runner) call this once; nothing else does. */
export function runInContext<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn)
}

/** Runs `fn` with some fields replaced, e.g. another user for a privileged step. */
export function withContext<T>(patch: Partial<RequestContext>, fn: () => Promise<T>): Promise<T> {
  return storage.run({ ...currentContext(), ...patch }, fn)
}

export function currentContext(): RequestContext {
  const ctx = storage.getStore()
  if (ctx === undefined) throw new Error('No request context: called outside runInContext()?')
  return ctx
}

/** The context if there is one: for code such as query logging that also runs outside requests. */
export function maybeContext(): RequestContext | undefined {
  return storage.getStore()
}

export function hasRole(ctx: RequestContext, role: string): boolean {
  return ctx.roles.includes(role)
}
