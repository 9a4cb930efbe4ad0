import type { Site } from '../../src/context/index.js'
import { NUMERIC_FIELD_TYPES, TABLE_FIELD_TYPES, type DocField, type DocTypeMeta } from '../../src/meta/index.js'
import { PASSWORD_MASK, getDocument, insertDocument, newDocument, type DocValues, type Document } from '../../src/model/index.js'
import { inCorpusSite } from './doctype-corpus.js'

/** A document planned from metadata: what to insert, and what reading it back must give. */
export interface PlannedDocument {
  readonly doctype: string
  readonly values: DocValues
  /** Set only when a filled Link points outside the corpus (MANIFEST `links_outside_corpus`). */
  readonly ignoreLinks: boolean
  /** Set only for the root of a tree whose parent field is mandatory (as ERPNext's chart setup does). */
  readonly ignoreMandatory: boolean
  /** Field values the stored parent must hold, fetched (`fetch_from`) values included. */
  readonly expected: DocValues
  /** Per Table field, the values each stored row must hold. */
  readonly expectedRows: ReadonlyMap<string, readonly DocValues[]>
}

interface PlanState {
  ignoreLinks: boolean
  ignoreMandatory: boolean
}

const TEXT_VALUE_TYPES: ReadonlySet<string> = new Set(['Small Text', 'Text', 'Long Text', 'Code', 'Markdown Editor', 'HTML Editor', 'Signature', 'Barcode', 'Geolocation'])

const isBlank = (value: unknown): boolean => value === null || value === undefined || value === ''

/** A value as a column of this fieldtype gives it back, so written and read values compare. */
export function comparable(field: DocField | undefined, value: unknown): unknown {
  if (field && NUMERIC_FIELD_TYPES.has(field.fieldtype)) {
    const number = Number(value ?? 0)
    return Number.isNaN(number) ? 0 : number // Frappe's cint/flt: text fetched into a number is 0
  }
  return isBlank(value) ? null : String(value)
}

/**
 * Makes documents of the corpus DocTypes from their metadata alone: each field gets a valid value
 * for its fieldtype, and a Link inside the corpus points at a record created first (once per
 * DocType, in its own unit of work). Links outside the corpus are filled only when mandatory, and
 * only those make the insert pass `ignoreLinks`.
 */
export class CorpusRecords {
  #counter = 0
  readonly #records = new Map<string, Document>()
  readonly #creating = new Set<string>()
  readonly #fetchSources: ReadonlyMap<string, ReadonlySet<string>>

  constructor(readonly site: Site) {
    this.#fetchSources = fetchSourcesByTarget(site.services.meta.all())
  }

  /** Records created as Link targets, by DocType. */
  get records(): ReadonlyMap<string, Document> {
    return this.#records
  }

  #meta(doctype: string): DocTypeMeta {
    return this.site.services.meta.get(doctype)
  }

  /** A stored record of `doctype`, created on first use. */
  async record(doctype: string): Promise<Document> {
    const existing = this.#records.get(doctype)
    if (existing) return existing
    if (this.#creating.has(doctype)) throw new Error(`Link cycle through ${doctype}`)
    this.#creating.add(doctype)
    try {
      const stored = await this.insert(await this.plan(doctype, { dependency: true }))
      this.#records.set(doctype, stored)
      return stored
    } finally {
      this.#creating.delete(doctype)
    }
  }

  /** Inserts a planned document in its own unit of work and reads it back after the commit. */
  async insert(plan: PlannedDocument): Promise<Document> {
    const name = await inCorpusSite(this.site, async () => {
      const doc = await insertDocument(newDocument(plan.doctype, plan.values), {
        ignoreLinks: plan.ignoreLinks,
        ignoreMandatory: plan.ignoreMandatory,
      })
      return String(doc.name)
    })
    return inCorpusSite(this.site, () => getDocument(plan.doctype, name))
  }

  /**
   * Values for a new document of `doctype`. A dependency (a record others link to) gets its reqd
   * fields, the fields others fetch from it and a row in each reqd Table. A tested document gets
   * a value in every column it can fill, one row in each Table field and, in a tree, a parent node.
   */
  async plan(doctype: string, options: { dependency?: boolean } = {}): Promise<PlannedDocument> {
    const meta = this.#meta(doctype)
    const state: PlanState = { ignoreLinks: false, ignoreMandatory: false }
    const values = await this.#fill(meta, state, options.dependency ?? false)
    if (meta.autoname.toLowerCase() === 'prompt') {
      // The DocType record others link to names a real DocType, so Dynamic Links can use it.
      values.name = options.dependency && doctype === 'DocType' ? 'Role' : `${doctype} ${this.#next()}`
    }
    if (!options.dependency && meta.nsmParentField && isBlank(values[meta.nsmParentField])) {
      values[meta.nsmParentField] = (await this.record(doctype)).name
    }
    for (const field of meta.tableFields) {
      if (options.dependency && !field.reqd) continue
      const rowMeta = this.#meta(field.options ?? '')
      values[field.fieldname] = [await this.#fill(rowMeta, state, options.dependency ?? false)]
    }
    const expectedRows = new Map<string, DocValues[]>()
    for (const field of meta.tableFields) {
      const rows = (values[field.fieldname] as DocValues[] | undefined) ?? []
      expectedRows.set(field.fieldname, rows.map((row) => this.#expected(this.#meta(field.options ?? ''), row, state)))
    }
    return {
      doctype,
      values,
      ignoreLinks: state.ignoreLinks,
      ignoreMandatory: state.ignoreMandatory,
      expected: this.#expected(meta, values, state),
      expectedRows,
    }
  }

  #next(): number {
    this.#counter += 1
    return this.#counter
  }

  /**
   * A dependency gets its reqd fields and the fields others fetch from it; a tested document or
   * row gets every column, except optional Links that cannot point at a real record here
   * (outside the corpus, a child table, or the DocType itself, such as `amended_from`).
   */
  async #fill(meta: DocTypeMeta, state: PlanState, dependency: boolean): Promise<DocValues> {
    const values: DocValues = {}
    const wanted = dependency ? (this.#fetchSources.get(meta.name) ?? new Set<string>()) : undefined
    const fields = meta.columns
      .map(({ field }) => field)
      .filter((field) => field.reqd || ((wanted?.has(field.fieldname) ?? true) && this.#canFill(meta, field)))
    for (const field of fields.filter((candidate) => candidate.fieldtype !== 'Dynamic Link')) {
      const value = await this.#valueFor(meta, field, state, dependency)
      if (value !== undefined) values[field.fieldname] = value
    }
    for (const field of fields.filter((candidate) => candidate.fieldtype === 'Dynamic Link')) {
      const holder = values[field.options ?? '']
      const target = typeof holder === 'string' ? this.site.services.meta.find(holder) : undefined
      if (field.reqd || (target && !target.istable && !target.isVirtual)) values[field.fieldname] = await this.#linkValue(String(holder), field, state)
    }
    for (const { field } of meta.columns) {
      // A literal default for a Link outside the corpus (User.user_type = "System User") is checked too.
      const outside = field.fieldtype === 'Link' && !this.site.services.meta.find(field.options ?? '')
      if (outside && values[field.fieldname] === undefined && field.default && !field.default.startsWith(':')) state.ignoreLinks = true
    }
    return values
  }

  #canFill(meta: DocTypeMeta, field: DocField): boolean {
    if (meta.isTree && ['lft', 'rgt', 'old_parent'].includes(field.fieldname)) return false // the nested set's own
    if (field.fieldtype !== 'Link') return true
    if (field.unique) return false // would clash with the record other documents link to
    const target = this.site.services.meta.find(field.options ?? '')
    return target !== undefined && !target.istable && !target.isVirtual && target.name !== meta.name
  }

  async #linkValue(target: string, field: DocField, state: PlanState): Promise<string> {
    const targetMeta = this.site.services.meta.find(target)
    if (!targetMeta || targetMeta.isVirtual) {
      state.ignoreLinks = true // a target with no file here, as MANIFEST lists it
      return text(field, `${target} ${this.#next()}`)
    }
    if (targetMeta.issingle) return targetMeta.name
    return String((await this.record(target)).name)
  }

  async #valueFor(meta: DocTypeMeta, field: DocField, state: PlanState, dependency: boolean): Promise<unknown> {
    const n = this.#next()
    const options = field.options ?? ''
    switch (field.fieldtype) {
      case 'Link':
        if (options === meta.name && dependency) {
          if (field.reqd) state.ignoreMandatory = true // the root of a tree has no parent
          return undefined
        }
        return this.#linkValue(options, field, state)
      case 'Select': {
        const choices = options.split('\n').map((option) => option.trim()).filter(Boolean)
        // The second option, where there is one, so the value is not the implicit default.
        return choices[1] ?? choices[0] ?? `Option ${n}`
      }
      case 'Int':
        return n
      case 'Check':
        return 1
      case 'Float':
      case 'Currency':
      case 'Percent':
      case 'Duration':
        return n + 0.25
      case 'Rating':
        return 0.6
      case 'Date':
        return '2025-03-14'
      case 'Datetime':
        return '2025-03-14 10:20:30'
      case 'Time':
        return '10:20:30'
      case 'Text Editor':
        return `<p>${field.label ?? field.fieldname} ${n}</p>`
      case 'JSON':
        return JSON.stringify({ n })
      case 'Attach':
      case 'Attach Image':
        return `/files/upload-${n}.png`
      case 'Color':
        return '#3366ff'
      case 'Password':
        return `secret-${n}`
      case 'Data':
        if (options === 'Email') return `user${n}@example.com`
        if (options === 'Phone') return `+4930${String(n).padStart(6, '0')}`
        if (options === 'URL') return `https://example.com/${n}`
        return text(field, `${field.label ?? field.fieldname} ${n}`)
      default:
        if (TEXT_VALUE_TYPES.has(field.fieldtype)) return `${field.label ?? field.fieldname} ${n}`
        return text(field, `${field.label ?? field.fieldname} ${n}`)
    }
  }

  /** What the stored document holds: the values given, with `fetch_from` fields copied from the linked record. */
  #expected(meta: DocTypeMeta, values: DocValues, state: PlanState): DocValues {
    const expected: DocValues = {}
    for (const [fieldname, value] of Object.entries(values)) {
      const field = meta.fieldsByName.get(fieldname)
      if (!field || TABLE_FIELD_TYPES.has(field.fieldtype)) continue
      expected[fieldname] = field.fieldtype === 'Password' ? PASSWORD_MASK : value
    }
    if (state.ignoreLinks) return expected // no link check, so nothing is fetched
    for (const { field } of meta.columns) {
      const [link, source] = (field.fetch_from ?? '').split('.')
      const linkField = link ? meta.fieldsByName.get(link) : undefined
      if (!source || linkField?.fieldtype !== 'Link' || isBlank(values[linkField.fieldname])) continue
      const target = this.site.services.meta.find(linkField.options ?? '')
      if (!target || target.issingle || !(source === 'name' || target.fieldsByName.has(source))) continue
      if (field.fetch_if_empty && !isBlank(values[field.fieldname])) continue
      const record = this.#records.get(target.name)
      if (!record || record.name !== values[linkField.fieldname]) continue
      expected[field.fieldname] = source === 'name' ? record.name : (record.get(source) ?? null)
    }
    return expected
  }
}

/** Text cut to the field's length (varchar columns hold `length` or 140 characters). */
function text(field: DocField, value: string): string {
  return value.slice(0, field.length || 140)
}

/** For each DocType, the fields that other DocTypes fetch from it through a Link (`fetch_from`). */
function fetchSourcesByTarget(metas: readonly DocTypeMeta[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>()
  for (const meta of metas) {
    for (const field of meta.fields) {
      const [link, source] = (field.fetch_from ?? '').split('.')
      const linkField = link ? meta.fieldsByName.get(link) : undefined
      if (!source || linkField?.fieldtype !== 'Link' || !linkField.options) continue
      const sources = result.get(linkField.options) ?? new Set<string>()
      sources.add(source)
      result.set(linkField.options, sources)
    }
  }
  return result
}
