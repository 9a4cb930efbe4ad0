import { currentContext, recordTrace, type RequestContext } from '../context/index.js'
import { snakeCase } from '../utils/index.js'
import { Document } from './document.js'
import type { DocEventRegistration } from './site-model.js'

/** The controller methods the lifecycle calls (Frappe's hook names in camelCase). */
export type HookName =
  | 'beforeInsert'
  | 'beforeNaming'
  | 'autoname'
  | 'beforeValidate'
  | 'validate'
  | 'beforeSave'
  | 'beforeSubmit'
  | 'beforeCancel'
  | 'beforeUpdateAfterSubmit'
  | 'afterInsert'
  | 'onUpdate'
  | 'onSubmit'
  | 'onCancel'
  | 'onUpdateAfterSubmit'
  | 'onChange'
  | 'onTrash'
  | 'afterDelete'
  | 'beforeRename'
  | 'afterRename'

type HookMethod = (this: Document, ...args: unknown[]) => Promise<void>

const eventNames = new Map<HookName, string>()

function eventName(hook: HookName): string {
  let event = eventNames.get(hook)
  if (event === undefined) eventNames.set(hook, (event = snakeCase(hook)))
  return event
}

/** `doctype\0event` for every doc_events registration of a site; the list is fixed when the site opens. */
const registeredEvents = new WeakMap<readonly DocEventRegistration[], ReadonlySet<string>>()

function hasRegistration(registrations: readonly DocEventRegistration[], doctype: string, event: string): boolean {
  let keys = registeredEvents.get(registrations)
  if (!keys) registeredEvents.set(registrations, (keys = new Set(registrations.map((registration) => `${registration.doctype}\0${registration.event}`))))
  return keys.has(`${doctype}\0${event}`) || keys.has(`*\0${event}`)
}

const DONE = Promise.resolve()

/**
 * Frappe's `run_method`: the controller method, then the apps' `doc_events` for this DocType,
 * then those for `*`, each awaited strictly in order. A hook that nothing defines (the base
 * class's empty method, no doc_events) is skipped without the async machinery: an insert passes
 * through about twenty of them. With the developer-mode trace on, every hook is recorded.
 */
export function runHook(doc: Document, hook: HookName, ...args: unknown[]): Promise<void> {
  const ctx = currentContext()
  const event = eventName(hook)
  const defined = doc[hook] !== Document.prototype[hook] || hasRegistration(ctx.site.services.model.docEvents, doc.doctype, event)
  if (!defined && !ctx.trace) return DONE
  return runDefinedHook(ctx, doc, hook, event, args)
}

async function runDefinedHook(ctx: RequestContext, doc: Document, hook: HookName, event: string, args: unknown[]): Promise<void> {
  recordTrace(ctx, { kind: 'hook', hook: event, doctype: doc.doctype, name: doc.name, source: 'controller' })
  await (doc[hook] as HookMethod).apply(doc, args)
  const registrations = ctx.site.services.model.docEvents
  for (const scope of [doc.doctype, '*']) {
    for (const registration of registrations) {
      if (registration.doctype !== scope || registration.event !== event) continue
      recordTrace(ctx, { kind: 'hook', hook: event, doctype: doc.doctype, name: doc.name, source: registration.source })
      await registration.handler(doc, event)
    }
  }
}

/** Runs several hooks one after another. */
export async function runHooks(doc: Document, ...hooks: HookName[]): Promise<void> {
  for (const hook of hooks) await runHook(doc, hook)
}
