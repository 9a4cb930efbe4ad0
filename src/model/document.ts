import { FrappeTypeError } from '../errors/index.js'
import { TABLE_FIELD_TYPES, type DocTypeMeta } from '../meta/index.js'
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/index.js'

export type DocValues = Record<string, unknown>

/** Builds the right class (controller or plain Document) for a DocType; see controllers.ts. */
export interface DocumentFactory {
  metaOf(doctype: string): DocTypeMeta
  create(meta: DocTypeMeta, values: DocValues): Document
}

/**
 * A document of any DocType: its values, its child rows (as Documents) and the lifecycle hooks
 * a controller may override. The lifecycle itself lives in lifecycle.ts.
 */
export class Document<Fields extends DocValues = DocValues> {
  readonly meta: DocTypeMeta
  /** Request-scoped switches, as Frappe's `doc.flags` (`ignorePermissions`, `ignoreLinks`…). */
  readonly flags: Record<string, unknown> = {}
  /** The stored version while saving an existing document; undefined for a new one. */
  previous: Document | undefined
  /** The parent of a child row. */
  parentDoc: Document | undefined
  #values: DocValues = Object.create(null) as DocValues
  #isNew = true
  readonly #factory: DocumentFactory | undefined

  constructor(meta: DocTypeMeta, values: DocValues = {}, factory?: DocumentFactory) {
    this.meta = meta
    this.#factory = factory
    this.update(values)
  }

  /** Builds documents of other DocTypes on the same site (child rows, copies). */
  get factory(): DocumentFactory {
    if (!this.#factory) throw new Error(`${this.doctype} was built without a document factory`)
    return this.#factory
  }

  get doctype(): string {
    return this.meta.name
  }

  get name(): string | undefined {
    const name = this.#values.name
    return name === undefined || name === null || name === '' ? undefined : String(name)
  }

  set name(value: string | undefined) {
    this.#values.name = value
  }

  get docstatus(): number {
    return Number(this.#values.docstatus ?? 0)
  }

  get isNew(): boolean {
    return this.#isNew
  }

  /** Marks the document as stored (after insert or load). */
  markStored(): void {
    this.#isNew = false
  }

  get<K extends keyof Fields & string>(fieldname: K): Fields[K]
  get(fieldname: string): unknown
  get(fieldname: string): unknown {
    return this.#values[fieldname]
  }

  set<K extends keyof Fields & string>(fieldname: K, value: Fields[K]): void
  set(fieldname: string, value: unknown): void
  set(fieldname: string, value: unknown): void {
    if (FORBIDDEN_KEYS.has(fieldname)) return
    this.#values[fieldname] = value
  }

  has(fieldname: string): boolean {
    return fieldname in this.#values
  }

  /** Copies values in; table fields take lists of plain objects or Documents. */
  update(values: DocValues): void {
    for (const [fieldname, value] of Object.entries(values)) {
      if (FORBIDDEN_KEYS.has(fieldname)) continue
      const field = this.meta.fieldsByName.get(fieldname)
      if (field && TABLE_FIELD_TYPES.has(field.fieldtype)) {
        if (value !== null && value !== undefined && !Array.isArray(value)) {
          throw new FrappeTypeError(`${this.doctype}: ${fieldname} must be a list of rows`)
        }
        this.#values[fieldname] = []
        for (const row of value ?? []) this.append(fieldname, row as DocValues)
      } else {
        this.#values[fieldname] = value
      }
    }
  }

  /** The child rows of a table field. */
  getTable(fieldname: string): Document[] {
    const rows = this.#values[fieldname]
    return Array.isArray(rows) ? (rows as Document[]) : []
  }

  /** Adds a child row to a table field and returns it. */
  append(fieldname: string, row: DocValues | Document = {}): Document {
    const child = row instanceof Document ? row : this.newChild(fieldname, row)
    child.parentDoc = this
    const rows = this.getTable(fieldname)
    this.#values[fieldname] = [...rows, child]
    return child
  }

  protected newChild(fieldname: string, values: DocValues): Document {
    const field = this.meta.fieldsByName.get(fieldname)
    if (!field || !TABLE_FIELD_TYPES.has(field.fieldtype)) throw new Error(`${this.doctype} has no table field ${fieldname}`)
    if (!isPlainObject(values)) throw new FrappeTypeError(`${this.doctype}: each row of ${fieldname} must be an object`)
    return this.factory.create(this.factory.metaOf(field.options ?? ''), values)
  }

  /** Whether a field differs from the stored version (always true for a new document). */
  hasChanged(fieldname: string): boolean {
    if (!this.previous) return true
    return !sameValue(this.previous.get(fieldname), this.get(fieldname))
  }

  /** The plain values, children as lists of objects; `noNulls` drops null and undefined keys. */
  asDict(options: { noNulls?: boolean } = {}): DocValues {
    const result: DocValues = {}
    for (const [fieldname, value] of Object.entries(this.#values)) {
      if (Array.isArray(value) && value.every((row) => row instanceof Document)) {
        result[fieldname] = (value as Document[]).map((row) => row.asDict(options))
      } else if (!(options.noNulls && (value === null || value === undefined))) {
        result[fieldname] = value
      }
    }
    result.doctype = this.doctype
    return result
  }

  // Lifecycle hooks (spec 6.3). Controllers override the ones they need.
  async beforeInsert(): Promise<void> {}
  async beforeNaming(): Promise<void> {}
  async autoname(): Promise<void> {}
  async beforeValidate(): Promise<void> {}
  async validate(): Promise<void> {}
  async beforeSave(): Promise<void> {}
  async beforeSubmit(): Promise<void> {}
  async beforeCancel(): Promise<void> {}
  async beforeUpdateAfterSubmit(): Promise<void> {}
  async afterInsert(): Promise<void> {}
  async onUpdate(): Promise<void> {}
  async onSubmit(): Promise<void> {}
  async onCancel(): Promise<void> {}
  async onUpdateAfterSubmit(): Promise<void> {}
  async onChange(): Promise<void> {}
  async onTrash(): Promise<void> {}
  async afterDelete(): Promise<void> {}
  async beforeRename(_oldName: string, _newName: string, _merge: boolean): Promise<void> {}
  async afterRename(_oldName: string, _newName: string, _merge: boolean): Promise<void> {}
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === '')) return true
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b)
  return a === b
}

/** A Document subclass for a DocType: what an app's `<doctype>.ts` exports. */
export type DocumentClass = new (meta: DocTypeMeta, values?: DocValues, factory?: DocumentFactory) => Document
