import { currentContext } from '../../context/index.js'
import { database, inTransaction } from '../../db/index.js'
import { DoesNotExistError, FrameworkError, FrappeTypeError, ValidationError } from '../../errors/index.js'
import { CHILD_COLUMNS, STANDARD_COLUMNS, tableName } from '../../meta/index.js'
import {
  cancelDocument,
  deleteDocument,
  getDocument,
  insertDocument,
  newDocument,
  renameDocument,
  saveDocument,
  submitDocument,
  type DocValues,
  type Document,
  type WhitelistedMethod,
} from '../../model/index.js'
import { isPlainObject } from '../../utils/index.js'
import { flagArg, jsonArg, listArg, objectArg, safeCopy, textArg } from '../args.js'
import { docAsDict, documentFromDict, doctypeOf, newDocumentValues } from '../document-dict.js'

const WRITE: WhitelistedMethod['methods'] = ['POST', 'PUT']
/** Frappe's `default_fields + child_table_fields`: `set_value` refuses them (spec 2.1). */
const STANDARD_FIELDS = new Set<string>(['doctype', ...STANDARD_COLUMNS, ...CHILD_COLUMNS])
const MAX_INSERTS = 200

/** The parent document holding a child row, and the row in it. */
async function parentOfRow(doctype: string, name: string): Promise<{ parent: Document; row: Document }> {
  const link = await database().selectFrom(tableName(doctype)).select(['parent', 'parenttype']).where('name', '=', name).executeTakeFirst()
  if (!link?.parent || !link.parenttype) throw new DoesNotExistError(doctype, name)
  const parent = await getDocument(String(link.parenttype), String(link.parent))
  for (const field of parent.meta.tableFields) {
    const row = parent.getTable(field.fieldname).find((candidate) => candidate.name === name)
    if (row) return { parent, row }
  }
  throw new DoesNotExistError(doctype, name)
}

/** Frappe's `insert_doc`: a child row is appended to its parent, which is saved and returned. */
async function insertFromDict(values: Record<string, unknown>): Promise<Document> {
  const doctype = doctypeOf(values)
  const meta = currentContext().site.services.meta.get(doctype)
  if (!meta.istable) return insertDocument(newDocument(doctype, newDocumentValues(values)))
  const { parenttype, parent, parentfield } = values
  if (typeof parenttype !== 'string' || typeof parent !== 'string' || typeof parentfield !== 'string' || !parenttype || !parent || !parentfield) {
    throw new ValidationError('Parenttype, Parent and Parentfield are required to insert a child record')
  }
  const parentDoc = await getDocument(parenttype, parent)
  const field = parentDoc.meta.fieldsByName.get(parentfield)
  if (field?.options !== doctype) throw new ValidationError(`${parenttype} has no table ${parentfield} of ${doctype}`)
  parentDoc.append(parentfield, newDocumentValues(values))
  return saveDocument(parentDoc)
}

/** `{field: value}` from `set_value`'s `fieldname`/`value` pair, as Frappe reads them. */
function valuesToSet(fieldname: unknown, value: unknown): Record<string, unknown> {
  if (typeof fieldname === 'string' && STANDARD_FIELDS.has(fieldname)) throw new ValidationError('Cannot edit standard fields')
  let values: unknown
  const falsy = value === undefined || value === null || value === '' || value === 0 || value === false
  if (!falsy) {
    if (typeof fieldname !== 'string') throw new FrappeTypeError('fieldname must be a field name when a value is given')
    values = { [fieldname]: value }
  } else if (typeof fieldname === 'string') {
    try {
      values = JSON.parse(fieldname) as unknown
    } catch {
      values = { [fieldname]: '' }
    }
  } else {
    values = fieldname
  }
  if (!isPlainObject(values)) throw new FrappeTypeError('fieldname must be a field name or an object of values')
  const copy = safeCopy(values)
  // Beyond Frappe v15, which checks only a plain `fieldname`: an object cannot reach them either.
  if (Object.keys(copy).some((key) => STANDARD_FIELDS.has(key) || key.startsWith('__'))) throw new ValidationError('Cannot edit standard fields')
  return copy
}

/** `frappe.client.set_value`: update fields and save; a child row saves its parent, which is returned. */
export const setValueMethod: WhitelistedMethod = {
  methods: WRITE,
  async handler(args) {
    const doctype = textArg(args, 'doctype')
    const name = textArg(args, 'name')
    const values = valuesToSet(jsonArg(args, 'fieldname') ?? args.fieldname, args.value)
    const meta = currentContext().site.services.meta.get(doctype)
    if (!meta.istable) {
      const doc = await getDocument(doctype, name)
      doc.update(values)
      return docAsDict(await saveDocument(doc))
    }
    const { parent, row } = await parentOfRow(doctype, name)
    row.update(values)
    return docAsDict(await saveDocument(parent))
  },
}

/** `frappe.client.insert`: the inserted document (or, for a child row, its saved parent). */
export const insertMethod: WhitelistedMethod = {
  methods: WRITE,
  handler: async (args) => docAsDict(await insertFromDict(objectArg(args, 'doc'))),
}

/** `frappe.client.insert_many`: at most 200 documents in one request; their names. */
export const insertManyMethod: WhitelistedMethod = {
  methods: WRITE,
  async handler(args) {
    const docs = listArg(args, 'docs')
    if (docs.length > MAX_INSERTS) throw new ValidationError(`Only ${MAX_INSERTS} inserts allowed in one request`)
    const names: string[] = []
    for (const values of docs) {
      if (!isPlainObject(values)) throw new FrappeTypeError('Each document must be an object')
      names.push(String((await insertFromDict(safeCopy(values))).name))
    }
    return names
  },
}

/** `frappe.client.save`: the document as posted (no merge with the stored row), saved. */
export const saveMethod: WhitelistedMethod = {
  methods: WRITE,
  handler: async (args) => docAsDict(await saveDocument(documentFromDict(objectArg(args, 'doc')))),
}

/** `frappe.client.submit`: the document as posted, submitted. */
export const submitMethod: WhitelistedMethod = {
  methods: WRITE,
  handler: async (args) => docAsDict(await submitDocument(documentFromDict(objectArg(args, 'doc')))),
}

/** `frappe.client.cancel`: the stored document, cancelled. */
export const cancelMethod: WhitelistedMethod = {
  methods: WRITE,
  handler: async (args) => docAsDict(await cancelDocument(await getDocument(textArg(args, 'doctype'), textArg(args, 'name')))),
}

/** `frappe.client.delete`: nothing comes back (`{}`); a child row is removed through its parent. */
export const deleteMethod: WhitelistedMethod = {
  methods: ['POST', 'DELETE'],
  async handler(args) {
    const doctype = textArg(args, 'doctype')
    const name = textArg(args, 'name')
    if (!currentContext().site.services.meta.get(doctype).istable) {
      await deleteDocument(doctype, name)
      return undefined
    }
    const { parent, row } = await parentOfRow(doctype, name)
    const fieldname = String(row.get('parentfield'))
    parent.update({ [fieldname]: parent.getTable(fieldname).filter((candidate) => candidate !== row) })
    await saveDocument(parent)
    return undefined
  },
}

/** `frappe.client.rename_doc`: the new name. */
export const renameDocMethod: WhitelistedMethod = {
  methods: WRITE,
  async handler(args) {
    const doc = await renameDocument(textArg(args, 'doctype'), textArg(args, 'old_name'), textArg(args, 'new_name'), { merge: flagArg(args, 'merge', false) })
    return doc.name
  },
}

function failureText(error: unknown): string {
  return error instanceof FrameworkError ? `frappe.exceptions.${error.code}: ${error.message}` : 'Internal Server Error'
}

/**
 * `frappe.client.bulk_update`: each `{doctype, docname, …fields}` is updated and saved in its
 * own savepoint; failures are reported, not thrown.
 */
export const bulkUpdateMethod: WhitelistedMethod = {
  methods: WRITE,
  async handler(args) {
    const failed: Array<{ doc: unknown; exc: string }> = []
    for (const entry of listArg(args, 'docs')) {
      try {
        if (!isPlainObject(entry)) throw new FrappeTypeError('Each document must be an object')
        const values: DocValues = safeCopy(entry)
        await inTransaction(async () => {
          const doc = await getDocument(doctypeOf(values), String(values.docname ?? ''))
          const { docname: _docname, name: _name, ...fields } = values
          doc.update(newDocumentValues(fields))
          await saveDocument(doc)
        })
      } catch (error) {
        if (!(error instanceof FrameworkError)) currentContext().logger.error({ err: error }, 'bulk_update failed on a document')
        failed.push({ doc: entry, exc: failureText(error) })
      }
    }
    return { failed_docs: failed }
  },
}
