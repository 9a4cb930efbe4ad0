import type { ColumnKind, FieldType } from './fieldtypes.js'

/** A DocField as Frappe's JSON stores it; absent keys mean 0 or empty (spec 7.1). */
export interface DocField {
  readonly fieldname: string
  readonly fieldtype: FieldType
  readonly label?: string
  readonly options?: string
  readonly reqd?: number
  readonly unique?: number
  readonly default?: string
  readonly length?: number
  readonly precision?: string
  readonly read_only?: number
  readonly hidden?: number
  readonly permlevel?: number
  readonly fetch_from?: string
  readonly fetch_if_empty?: number
  readonly set_only_once?: number
  readonly allow_on_submit?: number
  readonly no_copy?: number
  readonly search_index?: number
  readonly in_list_view?: number
  readonly in_standard_filter?: number
  readonly ignore_user_permissions?: number
  readonly non_negative?: number
  readonly is_virtual?: number
  readonly not_nullable?: number
  readonly [key: string]: unknown
}

/** A DocPerm row of a DocType's `permissions`. */
export interface DocPerm {
  readonly role: string
  readonly permlevel?: number
  readonly if_owner?: number
  readonly read?: number
  readonly write?: number
  readonly create?: number
  readonly delete?: number
  readonly submit?: number
  readonly cancel?: number
  readonly amend?: number
  readonly report?: number
  readonly export?: number
  readonly import?: number
  readonly share?: number
  readonly print?: number
  readonly email?: number
  readonly select?: number
  readonly [key: string]: unknown
}

/** A field that has a column, with the kind of column it needs. */
export interface ColumnField {
  readonly field: DocField
  readonly kind: ColumnKind
}

/** A validated DocType with lookups derived from its definition. Treat as immutable. */
export interface DocTypeMeta {
  readonly name: string
  readonly module: string
  readonly custom: boolean
  readonly istable: boolean
  readonly issingle: boolean
  readonly isSubmittable: boolean
  readonly isTree: boolean
  readonly isVirtual: boolean
  readonly autoname: string
  readonly namingRule: string
  readonly titleField: string | undefined
  readonly sortField: string
  readonly sortOrder: 'ASC' | 'DESC'
  readonly trackChanges: boolean
  readonly allowRename: boolean
  readonly nsmParentField: string | undefined
  /** Fields in `field_order` order. */
  readonly fields: readonly DocField[]
  readonly permissions: readonly DocPerm[]
  readonly fieldsByName: ReadonlyMap<string, DocField>
  /** Fields stored in this DocType's table, in order. */
  readonly columns: readonly ColumnField[]
  /** Table and Table MultiSelect fields. */
  readonly tableFields: readonly DocField[]
  /** The definition as loaded (Frappe JSON), for the wire and for the DocType document. */
  readonly definition: Readonly<Record<string, unknown>>
  /** Where the definition came from: an app name, or `custom` for DocType documents. */
  readonly source: string
}

/** Columns every non-single table has (spec 6.1). */
export const STANDARD_COLUMNS = ['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx'] as const
export const CHILD_COLUMNS = ['parent', 'parentfield', 'parenttype'] as const
export const OPTIONAL_COLUMNS = ['_user_tags', '_comments', '_assign', '_liked_by'] as const

/** Fieldnames a DocType may not define, because the framework owns them. */
export const RESERVED_FIELDNAMES: ReadonlySet<string> = new Set([
  ...STANDARD_COLUMNS,
  ...CHILD_COLUMNS,
  ...OPTIONAL_COLUMNS,
  '_seen',
  'doctype',
])

export function tableName(doctype: string): string {
  return `tab${doctype}`
}

export function isStandardField(fieldname: string): boolean {
  return RESERVED_FIELDNAMES.has(fieldname) && fieldname !== 'doctype'
}
