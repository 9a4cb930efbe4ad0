import { AsyncLocalStorage } from 'node:async_hooks'
import {
  currentContext,
  recordTrace,
  runInContext,
  type RequestContext,
} from '../context/index.js'
import { Mutex } from '../utils/index.js'
import type { Executor, SiteDatabase, WriteTransaction } from './database.js'

declare module '../context/site.js' {
  interface SiteServices {
    readonly database: SiteDatabase
  }
}

declare module '../context/context.js' {
  interface UnitOfWork {
    /** The write transaction, once the unit of work has written. */
    transaction?: WriteTransaction
    opening?: Promise<WriteTransaction>
    /** Serialises top-level actions that one request starts concurrently. */
    actionLock?: Mutex
    closed?: boolean
  }
}

/** How deep the current async chain is inside `inTransaction` (0 or absent: outside). */
const actionDepth = new AsyncLocalStorage<number>()

/** The handle for queries: the open write transaction, else the site's committed-data reader. */
export function database(ctx: RequestContext = currentContext()): Executor {
  return ctx.work.transaction ?? ctx.site.services.database.reader
}

async function openTransaction(ctx: RequestContext): Promise<WriteTransaction> {
  if (ctx.work.transaction) return ctx.work.transaction
  if (ctx.work.closed) throw new Error('This unit of work has already committed or rolled back')
  ctx.work.opening ??= ctx.site.services.database.beginWrite().then((tx) => {
    ctx.work.transaction = tx
    recordTrace(ctx, { kind: 'transaction', event: 'begin' })
    return tx
  })
  return ctx.work.opening
}

/**
 * Runs `fn` inside the unit of work's write transaction, under a savepoint: if `fn` throws,
 * its writes and the after-commit callbacks it queued are undone, and the error propagates.
 * Nested calls (an insert inside a hook) nest savepoints.
 */
export async function inTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
  const ctx = currentContext()
  const depth = actionDepth.getStore() ?? 0
  if (depth > 0) return underSavepoint(ctx, depth + 1, fn)
  ctx.work.actionLock ??= new Mutex()
  return ctx.work.actionLock.runExclusive(() => underSavepoint(ctx, 1, fn))
}

async function underSavepoint<T>(
  ctx: RequestContext,
  depth: number,
  fn: (tx: WriteTransaction) => Promise<T>,
): Promise<T> {
  // The action that opens the transaction needs no savepoint: rolling the whole transaction
  // back undoes exactly that action, and saves two statements on every single-action request.
  const opensTransaction = depth === 1 && !ctx.work.transaction && !ctx.work.opening
  const tx = await openTransaction(ctx)
  const savepoint = `sp_${depth}`
  const queued = ctx.work.afterCommit.length
  const undoFrom = ctx.work.onRollback.length
  const marked = opensTransaction ? undefined : await tx.savepoint(savepoint).execute()
  try {
    const result = await actionDepth.run(depth, () => fn(tx))
    if (marked) await marked.releaseSavepoint(savepoint).execute()
    return result
  } catch (error) {
    if (!marked) {
      ctx.work.transaction = undefined
      ctx.work.opening = undefined // a later action in this unit of work begins afresh
      await tx.rollback().execute()
      recordTrace(ctx, { kind: 'transaction', event: 'rollback' })
    } else {
      await marked.rollbackToSavepoint(savepoint).execute()
      recordTrace(ctx, { kind: 'transaction', event: 'rollback_to_savepoint' })
    }
    ctx.work.afterCommit.length = queued
    await runUndo(ctx, ctx.work.onRollback.splice(undoFrom))
    throw error
  }
}

/** Commits (or rolls back) the unit of work; after a commit, runs its after-commit callbacks. */
export function finishUnitOfWork(ctx: RequestContext, outcome: 'commit' | 'rollback'): Promise<void> {
  const { work } = ctx
  // Most reads never opened a transaction nor queued anything: nothing to await.
  if (!work.transaction && !work.opening && work.afterCommit.length === 0 && work.onRollback.length === 0) {
    work.closed = true
    return RESOLVED
  }
  return finishOpenWork(ctx, outcome)
}

const RESOLVED = Promise.resolve()

async function finishOpenWork(ctx: RequestContext, outcome: 'commit' | 'rollback'): Promise<void> {
  const tx = ctx.work.transaction ?? (ctx.work.opening ? await ctx.work.opening : undefined)
  ctx.work.closed = true
  ctx.work.transaction = undefined
  if (tx) {
    if (outcome === 'commit') await tx.commit().execute()
    else await tx.rollback().execute()
    recordTrace(ctx, { kind: 'transaction', event: outcome })
  }
  const callbacks = ctx.work.afterCommit.splice(0)
  const undo = ctx.work.onRollback.splice(0)
  if (outcome !== 'commit') return runUndo(ctx, undo)
  for (const callback of callbacks) {
    try {
      await callback.run()
    } catch (error) {
      ctx.logger.error({ err: error, callback: callback.label }, 'after-commit callback failed')
    }
  }
}

async function runUndo(ctx: RequestContext, callbacks: ReadonlyArray<() => Promise<void> | void>): Promise<void> {
  for (const callback of callbacks.toReversed()) {
    try {
      await callback()
    } catch (error) {
      ctx.logger.error({ err: error }, 'rollback callback failed')
    }
  }
}

export interface UnitOfWorkOptions {
  /** Commit on success (the default); a read-only unit of work rolls back instead. */
  readonly commit?: boolean
}

/**
 * One unit of work, one context, one transaction: runs `fn` in `ctx`, then commits on success
 * and rolls back on any error. HTTP requests, jobs and CLI commands all go through here.
 */
export function runUnitOfWork<T>(
  ctx: RequestContext,
  fn: () => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  return runInContext(ctx, async () => {
    let result: T
    try {
      result = await fn()
    } catch (error) {
      await finishUnitOfWork(ctx, 'rollback')
      throw error
    }
    const commit = (options.commit ?? true) || Boolean(ctx.flags.commit)
    await finishUnitOfWork(ctx, commit ? 'commit' : 'rollback')
    return result
  })
}
