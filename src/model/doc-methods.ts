import { FrappeTypeError, PermissionError } from '../errors/index.js'
import type { Document } from './document.js'
import { cancelDocument, submitDocument } from './lifecycle.js'
import { renameDocument } from './rename.js'

/** The HTTP verbs a whitelisted function may allow (Frappe's `@frappe.whitelist(methods=…)`). */
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'

/** Frappe's default for a whitelisted function: PATCH and HEAD are not among them (spec 1.8). */
export const DEFAULT_HTTP_VERBS: readonly HttpVerb[] = ['GET', 'POST', 'PUT', 'DELETE']

/**
 * A controller method callable over HTTP, Frappe's `@frappe.whitelist()` on a Document method:
 * `run_method` on `/api/resource/{dt}/{name}`, `run_doc_method`, and v2's `…/method/{m}`.
 * Written with method syntax so that a `DocMethod<SalesOrder>` fits where a `DocMethod` goes.
 */
export interface DocMethod<D extends Document = Document> {
  /** Runs on the document with the request's arguments (Frappe's kwargs); the result is sent back. */
  run(doc: D, args: Readonly<Record<string, unknown>>): unknown
  /** Allowed HTTP verbs; Frappe's default is GET, POST, PUT and DELETE. */
  readonly methods?: readonly HttpVerb[]
}

/** A controller's whitelisted methods by the name clients send (`run_method=mark_delivered`). */
export type DocMethods<D extends Document = Document> = Readonly<Record<string, DocMethod<D>>>

/**
 * Declares a controller's whitelisted methods, typed against the controller. Only the methods
 * named here, plus `submit`, `cancel` and `rename`, can be called from a request.
 *
 * @example
 * export class SalesOrder extends Document {
 *   static readonly whitelistedMethods = whitelistDocMethods<SalesOrder>({
 *     mark_delivered: { methods: ['POST'], run: (doc, args) => doc.markDelivered(String(args.item_name)) },
 *   })
 * }
 */
export function whitelistDocMethods<D extends Document>(methods: DocMethods<D>): DocMethods<D> {
  return methods
}

const truthy = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true'

/** What every document exposes, as Frappe's Document does (spec 1.7). */
const BUILT_IN_METHODS: DocMethods = {
  submit: { run: (doc) => submitDocument(doc) },
  cancel: { run: (doc) => cancelDocument(doc) },
  rename: {
    async run(doc, args) {
      const name = args.name
      if (typeof name !== 'string' && typeof name !== 'number') throw new FrappeTypeError('rename needs the new name')
      await renameDocument(doc.doctype, String(doc.name), String(name), { merge: truthy(args.merge) })
      return undefined // Frappe's Document.rename returns nothing
    },
  },
}

function ownMethods(doc: Document): DocMethods {
  const declared = (doc.constructor as { whitelistedMethods?: unknown }).whitelistedMethods
  return typeof declared === 'object' && declared !== null ? (declared as DocMethods) : {}
}

/** The whitelisted method `name` of a document, or undefined: a request never reaches any other. */
export function findDocMethod(doc: Document, name: string): DocMethod | undefined {
  const own = ownMethods(doc)
  if (Object.hasOwn(own, name)) return own[name]
  return Object.hasOwn(BUILT_IN_METHODS, name) ? BUILT_IN_METHODS[name] : undefined
}

/**
 * Runs a whitelisted document method for a request made with `verb`: a method that is not
 * whitelisted, or does not allow the verb, is a PermissionError (Frappe: "Not permitted").
 * The caller checks the document permission the route needs (read for GET, write for POST).
 */
export async function callDocMethod(doc: Document, name: string, args: Readonly<Record<string, unknown>>, verb: string): Promise<unknown> {
  const method = findDocMethod(doc, name)
  if (!method) throw new PermissionError(`Method ${name} of ${doc.doctype} is not whitelisted`)
  if (!(method.methods ?? DEFAULT_HTTP_VERBS).some((allowed) => allowed === verb)) throw new PermissionError('Not permitted')
  return method.run(doc, args)
}
