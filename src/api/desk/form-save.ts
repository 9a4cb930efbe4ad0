import { msgprint } from '../../context/index.js'
import { FrappeTypeError } from '../../errors/index.js'
import { cancelDocument, getDocument, saveDocument, type Document, type WhitelistedMethod } from '../../model/index.js'
import { objectArg, optionalText, textArg } from '../args.js'
import { docAsDict, documentFromDict } from '../document-dict.js'
import { methodReply } from '../method-reply.js'
import { docinfo } from './form-load.js'

const DOCSTATUS_BY_ACTION: Readonly<Record<string, number>> = { Save: 0, Submit: 1, Update: 1, Cancel: 2 }

/**
 * Frappe's `set_local_name`: a new document (`__islocal`) comes with a temporary name such as
 * `new-sales-order-abc`; it is forgotten so that naming runs, and sent back as `localname`.
 */
function forgetLocalName(values: Record<string, unknown>): string | undefined {
  if (!values.__islocal) return undefined
  const localname = typeof values.name === 'string' ? values.name : undefined
  delete values.name
  if (typeof values.__newname === 'string' && values.__newname) values.name = values.__newname
  return localname
}

async function updatedDocs(doc: Document, localname: string | undefined): Promise<Record<string, unknown>> {
  const values = docAsDict(doc)
  if (localname) values.localname = localname
  return { docs: [values], docinfo: await docinfo(doc) }
}

/**
 * `frappe.desk.form.save.savedocs`: the form's Save, Submit, Update and Cancel. The document is
 * taken as posted; the reply carries it in `docs` and a "Saved" alert (appendix A).
 */
export const savedocs: WhitelistedMethod = {
  methods: ['POST', 'PUT'],
  async handler(args) {
    const values = objectArg(args, 'doc')
    const action = textArg(args, 'action')
    const docstatus = DOCSTATUS_BY_ACTION[action]
    if (docstatus === undefined) throw new FrappeTypeError(`Unknown action: ${action}`)
    const localname = forgetLocalName(values)
    const doc = documentFromDict(values)
    doc.set('docstatus', docstatus)
    await saveDocument(doc)
    msgprint('Saved', { indicator: 'green', alert: 1 })
    return methodReply(undefined, await updatedDocs(doc, localname))
  },
}

/** `frappe.desk.form.save.cancel`: cancels the stored document; `docs` and a "Cancelled" alert. */
export const cancel: WhitelistedMethod = {
  methods: ['POST', 'PUT'],
  async handler(args) {
    const doc = await getDocument(textArg(args, 'doctype'), textArg(args, 'name'))
    const stateField = optionalText(args, 'workflow_state_fieldname')
    const state = optionalText(args, 'workflow_state')
    if (stateField && state && doc.meta.fieldsByName.has(stateField)) doc.set(stateField, state)
    await cancelDocument(doc)
    msgprint('Cancelled', { indicator: 'red', alert: 1 })
    return methodReply(undefined, await updatedDocs(doc, undefined))
  },
}
