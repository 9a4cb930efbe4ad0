import { ValidationError } from '../errors/index.js'
import { isPlainObject, scrub } from '../utils/index.js'
import {
  CHILD_COLUMNS,
  RESERVED_FIELDNAMES,
  type ColumnField,
  type DocField,
  type DocPerm,
  type DocTypeMeta,
} from './doctype.js'
import { TABLE_FIELD_TYPES, columnKindOf, isFieldType } from './fieldtypes.js'

/** A DocType definition that cannot be used; the message names the DocType and the field. */
export class InvalidDocTypeError extends ValidationError {
  constructor(
    readonly doctype: string,
    readonly fieldname: string | undefined,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`DocType ${doctype}${fieldname ? `, field ${fieldname}` : ''}: ${problem}`, options)
  }
}

// Frappe's validate_column_name rejects only non-word characters: `2_add_edit_gl_entries` is valid.
const FIELDNAME_PATTERN = /^[A-Za-z0-9_]+$/
const DOCTYPE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9 _-]*$/

const flag = (value: unknown): boolean => Boolean(value) && value !== '0'

const CHILD_ONLY: ReadonlySet<string> = new Set(CHILD_COLUMNS)

function parseField(doctype: string, istable: boolean, raw: unknown, index: number): DocField {
  if (!isPlainObject(raw)) throw new InvalidDocTypeError(doctype, `#${index + 1}`, 'not an object')
  const fieldname = raw.fieldname
  if (typeof fieldname !== 'string' || !FIELDNAME_PATTERN.test(fieldname) || fieldname.length > 64) {
    const named = typeof fieldname === 'string' && fieldname ? fieldname : `#${index + 1}` // an empty name names the row
    throw new InvalidDocTypeError(doctype, named, 'fieldname must be letters, digits and _ (at most 64)')
  }
  if (!isFieldType(raw.fieldtype)) {
    throw new InvalidDocTypeError(doctype, fieldname, `unknown fieldtype ${JSON.stringify(raw.fieldtype)}`)
  }
  if (raw.options !== undefined && raw.options !== null && typeof raw.options !== 'string') {
    throw new InvalidDocTypeError(doctype, fieldname, 'options must be text')
  }
  const needsOptions = raw.fieldtype === 'Link' || raw.fieldtype === 'Dynamic Link' || TABLE_FIELD_TYPES.has(raw.fieldtype)
  if (needsOptions && !raw.options) {
    throw new InvalidDocTypeError(doctype, fieldname, `a ${raw.fieldtype} field needs options`)
  }
  if (raw.length !== undefined && (typeof raw.length !== 'number' || raw.length < 0)) {
    throw new InvalidDocTypeError(doctype, fieldname, 'length must be a positive number')
  }
  const hasColumn = columnKindOf(raw.fieldtype) !== null
  // `parent` is a standard column only in child tables (Custom DocPerm has a `parent` field).
  if (hasColumn && RESERVED_FIELDNAMES.has(fieldname) && (istable || !CHILD_ONLY.has(fieldname))) {
    throw new InvalidDocTypeError(doctype, fieldname, 'is a standard field and cannot be redefined')
  }
  const defaultValue = raw.default
  return {
    ...raw,
    fieldname,
    fieldtype: raw.fieldtype,
    ...(defaultValue !== undefined && defaultValue !== null ? { default: String(defaultValue) } : {}),
  } as DocField
}

/** Fields in `field_order` order; fields missing from it keep their place at the end. */
function orderFields(fields: DocField[], fieldOrder: unknown): DocField[] {
  if (!Array.isArray(fieldOrder)) return fields
  const byName = new Map(fields.map((field) => [field.fieldname, field]))
  const ordered: DocField[] = []
  for (const fieldname of fieldOrder) {
    const field = typeof fieldname === 'string' ? byName.get(fieldname) : undefined
    if (field) {
      ordered.push(field)
      byName.delete(fieldname as string)
    }
  }
  return [...ordered, ...byName.values()]
}

/** Tree doctypes get Frappe's nested-set fields when their JSON lacks them (spec 7.5). */
function treeFields(name: string, fields: DocField[], parentField: string): DocField[] {
  const present = new Set(fields.map((field) => field.fieldname))
  const wanted: DocField[] = [
    { fieldname: 'lft', fieldtype: 'Int', label: 'Left', hidden: 1, read_only: 1, no_copy: 1, search_index: 1 },
    { fieldname: 'rgt', fieldtype: 'Int', label: 'Right', hidden: 1, read_only: 1, no_copy: 1, search_index: 1 },
    { fieldname: 'is_group', fieldtype: 'Check', label: 'Is Group' },
    { fieldname: 'old_parent', fieldtype: 'Link', label: 'Old Parent', options: name, hidden: 1 },
    { fieldname: parentField, fieldtype: 'Link', label: `Parent ${name}`, options: name, ignore_user_permissions: 1 },
  ]
  return [...fields, ...wanted.filter((field) => !present.has(field.fieldname))]
}

function parsePermissions(doctype: string, raw: unknown): DocPerm[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new InvalidDocTypeError(doctype, undefined, 'permissions must be a list')
  return raw.map((perm, index) => {
    if (!isPlainObject(perm) || typeof perm.role !== 'string' || !perm.role) {
      throw new InvalidDocTypeError(doctype, undefined, `permission #${index + 1} needs a role`)
    }
    return perm as DocPerm
  })
}

/**
 * Validates a Frappe-format DocType definition and derives its lookups. Structural checks
 * across DocTypes (Table targets) are the registry's job.
 */
export function loadDocType(definition: unknown, source: string): DocTypeMeta {
  if (!isPlainObject(definition)) throw new InvalidDocTypeError('?', undefined, 'definition must be a JSON object')
  const name = definition.name
  if (typeof name !== 'string' || !DOCTYPE_NAME_PATTERN.test(name) || name.length > 61) {
    throw new InvalidDocTypeError(String(name ?? '?'), undefined, 'name must start with a letter and use letters, digits, spaces, - and _')
  }
  if (!Array.isArray(definition.fields)) throw new InvalidDocTypeError(name, undefined, 'fields must be a list')

  const parsed = definition.fields.map((field, index) => parseField(name, flag(definition.istable), field, index))
  const seen = new Set<string>()
  for (const field of parsed) {
    if (seen.has(field.fieldname)) throw new InvalidDocTypeError(name, field.fieldname, 'defined twice')
    seen.add(field.fieldname)
  }
  const isTree = flag(definition.is_tree)
  const nsmParentField = isTree
    ? typeof definition.nsm_parent_field === 'string' && definition.nsm_parent_field
      ? definition.nsm_parent_field
      : `parent_${scrub(name)}`
    : undefined
  const withTree = nsmParentField ? treeFields(name, parsed, nsmParentField) : parsed
  const fields = orderFields(withTree, definition.field_order)

  const columns: ColumnField[] = []
  for (const field of fields) {
    const kind = flag(field.is_virtual) ? null : columnKindOf(field.fieldtype, field.length)
    if (kind) columns.push({ field, kind })
  }
  const sortField = typeof definition.sort_field === 'string' && definition.sort_field ? definition.sort_field : 'modified'
  const sortOrder = String(definition.sort_order ?? '').toUpperCase() === 'ASC' ? 'ASC' : 'DESC'

  return {
    name,
    module: typeof definition.module === 'string' ? definition.module : 'Custom',
    custom: flag(definition.custom),
    istable: flag(definition.istable),
    issingle: flag(definition.issingle),
    isSubmittable: flag(definition.is_submittable),
    isTree,
    isVirtual: flag(definition.is_virtual),
    autoname: typeof definition.autoname === 'string' ? definition.autoname.trim() : '',
    namingRule: typeof definition.naming_rule === 'string' ? definition.naming_rule : '',
    titleField: typeof definition.title_field === 'string' && definition.title_field ? definition.title_field : undefined,
    sortField,
    sortOrder,
    trackChanges: flag(definition.track_changes),
    allowRename: flag(definition.allow_rename),
    nsmParentField,
    fields,
    permissions: parsePermissions(name, definition.permissions),
    fieldsByName: new Map(fields.map((field) => [field.fieldname, field])),
    columns,
    tableFields: fields.filter((field) => TABLE_FIELD_TYPES.has(field.fieldtype)),
    definition: { ...definition, fields },
    source,
  }
}
