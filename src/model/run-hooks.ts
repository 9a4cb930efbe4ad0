import { currentContext, recordTrace } from '../context/index.js'
import { snakeCase } from '../utils/index.js'
import type { Document } from './document.js'

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

/**
 * Frappe's `run_method`: the controller method, then the apps' `doc_events` for this DocType,
 * then those for `*`, each awaited strictly in order.
 */
export async function runHook(doc: Document, hook: HookName, ...args: unknown[]): Promise<void> {
  const ctx = currentContext()
  const event = snakeCase(hook)
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
