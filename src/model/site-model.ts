import { currentContext, type Site } from '../context/index.js'
import type { DocTypeMeta } from '../meta/index.js'
import { Document, type DocValues, type DocumentClass, type DocumentFactory } from './document.js'

/** Frappe's `doc_events` handler: `handler(doc, event)` where event is the snake_case name. */
export type DocEventHandler = (doc: Document, event: string) => Promise<void> | void

export interface DocEventRegistration {
  /** A DocType name, or `*` for every DocType. */
  readonly doctype: string
  /** Frappe's hook name, e.g. `on_update`. */
  readonly event: string
  readonly handler: DocEventHandler
  /** The app that registered it, for the hook trace. */
  readonly source: string
}

/**
 * A framework step of `deleteDocument` for every DocType, run after `after_delete` in the same
 * transaction (Frappe's `delete_doc` calling `remove_all` for attachments). Not a hook: it is
 * neither traced nor overridable. The composition root installs the steps, so the model does
 * not depend on the DocTypes that implement them.
 */
export type DeleteStep = (doc: Document) => Promise<void>

/** What the installed apps contribute to the document model, in app-install order. */
export interface ModelHooks {
  readonly controllers: ReadonlyMap<string, DocumentClass>
  readonly docEvents: readonly DocEventRegistration[]
  readonly afterDeleteSteps?: readonly DeleteStep[]
}

declare module '../context/site.js' {
  interface SiteServices {
    readonly model: ModelHooks
  }
}

/** Builds documents with each DocType's controller class, on one site. */
export function documentFactory(site: Site): DocumentFactory {
  const factory: DocumentFactory = {
    metaOf: (doctype) => site.services.meta.get(doctype),
    create(meta: DocTypeMeta, values: DocValues): Document {
      const Controller = site.services.model.controllers.get(meta.name) ?? Document
      return new Controller(meta, values, factory)
    },
  }
  return factory
}

/** A new, unsaved document of `doctype` on the current site (Frappe's `frappe.new_doc`/`get_doc(dict)`). */
export function newDocument(doctype: string, values: DocValues = {}): Document {
  const site = currentContext().site
  const factory = documentFactory(site)
  return factory.create(factory.metaOf(doctype), values)
}
