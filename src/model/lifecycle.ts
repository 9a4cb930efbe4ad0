import { currentContext } from '../context/index.js'
import { database, inTransaction } from '../db/index.js'
import {
  DoesNotExistError,
  LinkExistsError,
  TimestampMismatchError,
  ValidationError,
} from '../errors/index.js'
import { nowDatetime } from '../utils/index.js'
import type { Document } from './document.js'
import { findLinkedDocuments } from './linked-documents.js'
import { assertNoChildNodes, updateNestedSet } from './nested-set.js'
import { notifyUpdate } from './notify-update.js'
import { validateLinks } from './links.js'
import { revertSeries, setChildNames, setNewName } from './naming/index.js'
import { adoptStoredRows, prepareChildren } from './child-rows.js'
import { applyUserPermissionDefaults, assertPermitted, deleteShares, resetUnwritableValues } from './permissions/index.js'
import { deleteRow, insertRow, loadDocument, updateRow } from './persist.js'
import { runHook, runHooks } from './run-hooks.js'
import { documentFactory } from './site-model.js'
import { sanitizeContent } from './sanitize.js'
import { checkMandatory, checkValues } from './validate-fields.js'
import { applyDefaults, coerceValues } from './values.js'
import { AFTER_HOOKS, BEFORE_HOOKS, transition, type SaveAction } from './save-action.js'
import { assertAmendable, assertNoSubmittedBackLinks, checkUnchangeable } from './save-checks.js'
import { diffDocuments } from './version.js'

export interface ActionOptions {
  readonly ignorePermissions?: boolean
  readonly ignoreLinks?: boolean
  readonly ignoreMandatory?: boolean
  readonly ignoreValidate?: boolean
  readonly ignoreVersion?: boolean
}

function applyOptions(doc: Document, options: ActionOptions): void {
  for (const [key, value] of Object.entries(options)) if (value) doc.flags[key] = true
}

async function builtInChecks(doc: Document): Promise<void> {
  coerceValues(doc)
  if (!doc.flags.ignoreMandatory) checkMandatory(doc)
  checkValues(doc)
  sanitizeContent(doc)
}

/** Inserts a new document (spec 6.3). All steps share one transaction: a throw leaves no trace. */
export function insertDocument<D extends Document>(doc: D, options: ActionOptions = {}): Promise<D> {
  return inTransaction(async (tx) => {
    const ctx = currentContext()
    applyOptions(doc, options)
    if (!ctx.flags.inImport) await applyUserPermissionDefaults(ctx, doc) // before static defaults, as Frappe
    if (!ctx.flags.inImport) applyDefaults(doc, ctx.user)
    const now = nowDatetime()
    doc.set('owner', ctx.user)
    doc.set('creation', now)
    doc.set('modified', now)
    doc.set('modified_by', ctx.user)
    const action = transition(doc, 0, doc.docstatus) // a new document is saved or submitted
    if (doc.get('amended_from')) await assertPermitted(ctx, doc, 'amend')
    coerceValues(doc)
    if (!doc.flags.ignoreLinks) await validateLinks(tx, (name) => ctx.site.services.meta.find(name), doc)
    await assertPermitted(ctx, doc, 'create')
    if (action === 'submit') await assertPermitted(ctx, doc, 'submit')
    await runHook(doc, 'beforeInsert')
    await runHook(doc, 'beforeNaming')
    await assertAmendable(tx, doc)
    await setNewName(doc, tx, { dialect: ctx.site.services.database.dialect, runAutoname: (target) => runHook(target, 'autoname') }) // names the rows too
    resetUnwritableValues(ctx, doc) // fields above the user's permlevel take their defaults (spec 9.1)
    prepareChildren(ctx, doc, now)
    await runBeforeHooks(doc, action)
    await builtInChecks(doc)
    await insertRow(tx, ctx.site.services.database, doc)
    await updateNestedSet(tx, doc)
    await runHook(doc, 'afterInsert')
    await runHooks(doc, ...AFTER_HOOKS[action])
    await runHook(doc, 'onChange')
    notifyUpdate(doc, ctx.user)
    return doc
  })
}

async function runBeforeHooks(doc: Document, action: SaveAction): Promise<void> {
  const hooks = BEFORE_HOOKS[action]
  await runHooks(doc, ...(doc.flags.ignoreValidate ? hooks.filter((hook) => hook === 'beforeValidate') : hooks))
}

/** Saves an existing document, or inserts a new one. Submit and cancel are saves too. */
export function saveDocument<D extends Document>(doc: D, options: ActionOptions = {}): Promise<D> {
  if (doc.isNew) return insertDocument(doc, options)
  return inTransaction(async (tx) => {
    const ctx = currentContext()
    applyOptions(doc, options)
    const stored = await loadDocument(tx, documentFactory(ctx.site), doc.doctype, String(doc.name))
    stored.flags.ignorePermissions = doc.flags.ignorePermissions // the checks below run on `stored`
    await assertPermitted(ctx, stored, 'write')
    const clientModified = doc.get('modified')
    if (clientModified && String(clientModified) !== String(stored.get('modified'))) {
      throw new TimestampMismatchError(
        `Error: Document has been modified after you have opened it (${String(stored.get('modified'))}, ${String(clientModified)}). Please refresh to get the latest document.`,
      )
    }
    const action = transition(doc, stored.docstatus, doc.docstatus)
    if (action === 'submit' || action === 'update_after_submit') await assertPermitted(ctx, stored, 'submit')
    if (action === 'cancel') await assertPermitted(ctx, stored, 'cancel')
    resetUnwritableValues(ctx, doc, stored) // fields above the user's permlevel keep their stored values (spec 9.1)
    doc.previous = stored
    adoptStoredRows(doc, stored)
    const now = nowDatetime()
    doc.set('owner', stored.get('owner'))
    doc.set('creation', stored.get('creation'))
    await assertPermitted(ctx, doc, 'write') // the new values too: no moving a document out of the user's User Permissions
    doc.set('modified', now)
    doc.set('modified_by', ctx.user)
    setChildNames(doc)
    for (const row of prepareChildren(ctx, doc, now)) applyDefaults(row, ctx.user)
    coerceValues(doc)
    if (action !== 'cancel' && !doc.flags.ignoreLinks) {
      await validateLinks(tx, (name) => ctx.site.services.meta.find(name), doc)
    }
    await runBeforeHooks(doc, action)
    if (action !== 'cancel') {
      await builtInChecks(doc)
      checkUnchangeable(doc, stored, action)
    }
    await updateRow(tx, ctx.site.services.database, doc)
    await updateNestedSet(tx, doc)
    await runHooks(doc, ...AFTER_HOOKS[action])
    if (action === 'cancel') await assertNoSubmittedBackLinks(tx, doc)
    if (doc.meta.trackChanges && !doc.flags.ignoreVersion) await saveVersion(stored, doc)
    await runHook(doc, 'onChange')
    notifyUpdate(doc, ctx.user)
    return doc
  })
}

/** Submits a draft: docstatus 0 → 1, then save. */
export function submitDocument<D extends Document>(doc: D, options: ActionOptions = {}): Promise<D> {
  doc.set('docstatus', 1)
  return saveDocument(doc, options)
}

/** Cancels a submitted document: docstatus 1 → 2, then save. */
export function cancelDocument<D extends Document>(doc: D, options: ActionOptions = {}): Promise<D> {
  doc.set('docstatus', 2)
  return saveDocument(doc, options)
}

/** Loads a stored document on the current site, seeing the request's own writes. */
export async function getDocument(doctype: string, name: string): Promise<Document> {
  const ctx = currentContext()
  const provider = ctx.site.services.virtualDocTypes?.get(doctype)
  if (provider) {
    const values = await provider.getDoc(name)
    if (!values) throw new DoesNotExistError(doctype, name)
    return documentFactory(ctx.site).create(ctx.site.services.meta.get(doctype), values)
  }
  return loadDocument(database(ctx), documentFactory(ctx.site), doctype, name)
}

export interface DeleteOptions extends ActionOptions {
  readonly ignoreMissing?: boolean
  /** Delete even when other documents link to this one. */
  readonly force?: boolean
}

/** Frappe's `delete_doc` (spec 6.3). Returns false when the document was missing and that is allowed. */
export function deleteDocument(doctype: string, name: string, options: DeleteOptions = {}): Promise<boolean> {
  return inTransaction(async (tx) => {
    const ctx = currentContext()
    let doc: Document
    try {
      doc = await loadDocument(tx, documentFactory(ctx.site), doctype, name)
    } catch (error) {
      if (error instanceof DoesNotExistError && options.ignoreMissing) return false
      throw error
    }
    applyOptions(doc, options)
    await assertPermitted(ctx, doc, 'delete')
    if (doc.docstatus === 1) {
      throw new ValidationError(`${doctype} ${name}: Submitted Record cannot be deleted. You must Cancel it first.`)
    }
    doc.flags.inDelete = true
    await runHooks(doc, 'onTrash', 'onChange')
    if (!options.force) {
      const linked = await findLinkedDocuments(tx, ctx.site.services.meta.all(), doc, { submittedOnly: false })
      const first = linked[0]
      if (first) {
        const hint = doc.meta.fieldsByName.has('enabled') || doc.meta.fieldsByName.has('disabled') ? ' Consider disabling it instead.' : ''
        throw new LinkExistsError(`Cannot delete or cancel because ${doctype} ${name} is linked with ${first.doctype} ${first.name}.${hint}`)
      }
    }
    await assertNoChildNodes(tx, doc)
    await revertSeries(doc, tx, { dialect: ctx.site.services.database.dialect })
    await deleteRow(tx, doc)
    await deleteShares(tx, doctype, name)
    await runHook(doc, 'afterDelete')
    for (const step of ctx.site.services.model.afterDeleteSteps ?? []) await step(doc) // attached Files go too
    notifyUpdate(doc, ctx.user)
    return true
  })
}

async function saveVersion(stored: Document, doc: Document): Promise<void> {
  const diff = diffDocuments(stored, doc)
  if (!diff) return
  const version = documentFactory(currentContext().site).create(currentContext().site.services.meta.get('Version'), {
    ref_doctype: doc.doctype,
    docname: doc.name,
    data: JSON.stringify(diff),
  })
  await insertDocument(version, { ignorePermissions: true, ignoreLinks: true })
}
