import { currentContext } from '../../context/index.js'
import { database } from '../../db/index.js'
import { FrappeTypeError, PermissionError, TimestampMismatchError, ValidationError } from '../../errors/index.js'
import { tableName } from '../../meta/index.js'
import { Document, callDocMethod, getDocument, hasPermission, type MethodCall, type PermissionType, type WhitelistedMethod } from '../../model/index.js'
import { isPlainObject } from '../../utils/index.js'
import { jsonArg, objectArg, optionalText, safeCopy, textArg, type Args } from '../args.js'
import { docNoNulls, documentFromDict } from '../document-dict.js'
import { methodReply } from '../method-reply.js'

/** Handlers called without a request (from other code) act as a trusted POST. */
export const verbOf = (call: MethodCall | undefined): string => call?.verb ?? 'POST'

/**
 * Frappe's `check_if_latest` for a document sent by the client: it must still exist and carry
 * the stored `modified`, else the client is working on a stale copy (spec 2.2).
 */
export async function assertLatest(doc: Document): Promise<void> {
  if (doc.isNew) return
  const row = await database().selectFrom(tableName(doc.doctype)).select('modified').where('name', '=', String(doc.name)).executeTakeFirst()
  if (!row) throw new ValidationError('Record does not exist')
  const sent = String(doc.get('modified') ?? '')
  if (sent !== String(row.modified)) {
    throw new TimestampMismatchError(
      `Error: Document has been modified after you have opened it (${String(row.modified)}, ${sent}). Please refresh to get the latest document.`,
    )
  }
}

/** A document sent whole by the client (`docs`/`document`), checked against the stored one. */
export async function documentFromClient(values: Record<string, unknown>): Promise<Document> {
  const doc = documentFromDict(values)
  if (doc.meta.issingle) return doc
  await assertLatest(doc)
  return doc
}

/** The method's keyword arguments: an object as is, any other value as `args` (Frappe's positional). */
export function methodArgs(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {}
  return isPlainObject(value) ? safeCopy(value) : { args: value }
}

/** Runs a whitelisted document method after checking `ptype` on the document; a Document result is sent without nulls. */
export async function runOnDocument(doc: Document, method: string, args: Args, verb: string, ptype: PermissionType): Promise<unknown> {
  if (!(await hasPermission(currentContext(), doc.meta, ptype, doc))) throw new PermissionError(`No permission to ${ptype} ${doc.doctype} ${doc.name ?? ''}`.trim())
  const result = await callDocMethod(doc, method, args, verb)
  return result instanceof Document ? docNoNulls(result) : result
}

/** Arguments Frappe never passes on to a method (spec 0.1). */
const DROPPED_ARGS = new Set(['cmd', 'ignore_permissions', 'flags', 'run_method'])

/**
 * A document method called through the REST API (spec 1.7, 1.9): GET needs read, any other
 * verb write; the request's other arguments are the method's.
 */
export async function runResourceMethod(doctype: string, name: string, method: unknown, formDict: Args, verb: string): Promise<{ doc: Document; result: unknown }> {
  if (typeof method !== 'string' || method === '') throw new FrappeTypeError('run_method must name a method of the document')
  const doc = await getDocument(doctype, name)
  const args = Object.fromEntries(Object.entries(formDict).filter(([key]) => !DROPPED_ARGS.has(key)))
  const result = await runOnDocument(doc, method, args, verb, verb === 'GET' ? 'read' : 'write')
  return { doc, result }
}

/**
 * `run_doc_method` (alias `runserverobj`), the desk's `frm.call` and frappe-ui's doc method
 * (spec 2.2): `method` on the stored document `dt`/`dn`, or on the document sent in `docs`;
 * needs read permission; answers `{docs: [doc after the call], message: result}`.
 */
export const runDocMethod: WhitelistedMethod = {
  async handler(args, call) {
    const method = textArg(args, 'method')
    const dt = optionalText(args, 'dt')
    const doc = dt ? await getDocument(dt, optionalText(args, 'dn') || dt) : await documentFromClient(objectArg(args, 'docs'))
    const kwargs = methodArgs(args.args === undefined ? jsonArg(args, 'arg') : jsonArg(args, 'args'))
    const result = await runOnDocument(doc, method, kwargs, verbOf(call), 'read')
    return methodReply(result, { docs: [docNoNulls(doc)] })
  },
}
