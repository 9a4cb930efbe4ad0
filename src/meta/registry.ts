import { DoesNotExistError } from '../errors/index.js'
import { isPlainObject } from '../utils/index.js'
import type { DocTypeMeta } from './doctype.js'
import { InvalidDocTypeError, loadDocType } from './load-doctype.js'

/** A `Custom Field` row (spec 7.1): a field added to a DocType at run time. */
export interface CustomFieldRow {
  readonly dt: string
  readonly insert_after?: string | null
  readonly [key: string]: unknown
}

/** A `Property Setter` row: one property of a DocType or of one of its fields, overridden. */
export interface PropertySetterRow {
  readonly doc_type: string
  readonly doctype_or_field: string
  readonly field_name?: string | null
  readonly property: string
  readonly value: unknown
}

/**
 * The DocTypes of one site: definitions from apps and custom ones from the database, with
 * Custom Fields and Property Setters laid over them. Reads are synchronous map lookups.
 */
export interface MetaRegistry {
  get(doctype: string): DocTypeMeta
  find(doctype: string): DocTypeMeta | undefined
  all(): readonly DocTypeMeta[]
  /** Adds or replaces definitions; checks Table targets across the whole set. */
  define(definitions: ReadonlyArray<{ definition: unknown; source: string }>): DocTypeMeta[]
  remove(doctype: string): void
  /** Replaces every customization at once and rebuilds the affected metas. */
  setCustomizations(customFields: readonly CustomFieldRow[], propertySetters: readonly PropertySetterRow[]): void
  /** Bumped on every change, so caches derived from metadata know they are stale. */
  readonly version: number
}

function withCustomizations(
  base: Record<string, unknown>,
  customFields: readonly CustomFieldRow[],
  propertySetters: readonly PropertySetterRow[],
): Record<string, unknown> {
  const fields = (base.fields as Record<string, unknown>[]).map((field) => ({ ...field }))
  for (const custom of customFields) {
    const { dt: _dt, insert_after: insertAfter, ...field } = custom
    const at = fields.findIndex((existing) => existing.fieldname === insertAfter)
    fields.splice(at === -1 ? fields.length : at + 1, 0, { ...field, is_custom_field: 1 })
  }
  const definition: Record<string, unknown> = { ...base, fields, field_order: fields.map((field) => field.fieldname) }
  for (const setter of propertySetters) {
    if (setter.doctype_or_field === 'DocField') {
      const field = fields.find((candidate) => candidate.fieldname === setter.field_name)
      if (field) field[setter.property] = setter.value
    } else if (!['name', 'fields', 'permissions'].includes(setter.property)) {
      definition[setter.property] = setter.value
    }
  }
  return definition
}

function checkTableTargets(metas: ReadonlyMap<string, DocTypeMeta>, meta: DocTypeMeta): void {
  for (const field of meta.tableFields) {
    const target = metas.get(field.options ?? '')
    if (!target) throw new InvalidDocTypeError(meta.name, field.fieldname, `table DocType ${field.options} is not defined`)
    if (!target.istable) throw new InvalidDocTypeError(meta.name, field.fieldname, `${field.options} is not a child table (istable)`)
  }
}

export function createMetaRegistry(): MetaRegistry {
  const bases = new Map<string, { definition: Record<string, unknown>; source: string }>()
  const metas = new Map<string, DocTypeMeta>()
  let customFields: readonly CustomFieldRow[] = []
  let propertySetters: readonly PropertySetterRow[] = []
  let version = 0

  type Base = { definition: Record<string, unknown>; source: string }

  function build(name: string, base: Base): DocTypeMeta {
    const fields = customFields.filter((row) => row.dt === name)
    const setters = propertySetters.filter((row) => row.doc_type === name)
    const definition = fields.length || setters.length ? withCustomizations(base.definition, fields, setters) : base.definition
    return loadDocType(definition, base.source)
  }

  return {
    get(doctype) {
      const meta = metas.get(doctype)
      if (!meta) throw new DoesNotExistError('DocType', doctype)
      return meta
    },
    find: (doctype) => metas.get(doctype),
    all: () => [...metas.values()],
    define(definitions) {
      const next = new Map(metas)
      const staged: Array<{ meta: DocTypeMeta; base: Base }> = []
      for (const { definition, source } of definitions) {
        const loaded = loadDocType(definition, source) // validates before anything changes
        if (!isPlainObject(definition)) throw new Error('unreachable: loadDocType checks this')
        const base = { definition, source }
        const meta = build(loaded.name, base)
        next.set(meta.name, meta)
        staged.push({ meta, base })
      }
      for (const meta of next.values()) checkTableTargets(next, meta)
      for (const { meta, base } of staged) {
        bases.set(meta.name, base)
        metas.set(meta.name, meta)
      }
      version += 1
      return staged.map(({ meta }) => meta)
    },
    remove(doctype) {
      bases.delete(doctype)
      metas.delete(doctype)
      version += 1
    },
    setCustomizations(fields, setters) {
      customFields = fields
      propertySetters = setters
      for (const [name, base] of bases) metas.set(name, build(name, base))
      version += 1
    },
    get version() {
      return version
    },
  }
}
