import { sql, type RawBuilder } from 'kysely'
import { DataError, ValidationError } from '../../errors/index.js'
import {
  CHILD_COLUMNS,
  OPTIONAL_COLUMNS,
  STANDARD_COLUMNS,
  TABLE_FIELD_TYPES,
  tableName,
  type DocTypeMeta,
  type FieldType,
} from '../../meta/index.js'
import type { ColumnRef } from './field-expression.js'

/** A table the query reads besides the main one: a child table or a Link target. */
export interface Join {
  readonly alias: string
  readonly meta: DocTypeMeta
  readonly kind: 'child' | 'link'
  /** For child joins: the table field, when the reference named one (`items.item_code`). */
  parentfield: string | undefined
  /** For link joins: the Link field of the main DocType. */
  readonly linkField: string | undefined
}

/** The tables of one query; identifiers come only from here, never from client text. */
export interface QueryScope {
  readonly meta: DocTypeMeta
  readonly metaOf: (doctype: string) => DocTypeMeta
  /** The main table, aliased as itself so permission conditions can name `tab<DocType>`. */
  readonly alias: string
  readonly joins: Join[]
  /** Which columns the user may read (the `restrict` hook's `canRead`); all when undefined. */
  readonly canRead: ((doctype: string, fieldname: string) => boolean) | undefined
}

/** A column the user may not read (spec 9.1): `fields` drops it, everything else refuses it. */
export class UnreadableColumnError extends DataError {}

/** A column resolved against metadata. */
export interface ResolvedColumn {
  readonly sql: RawBuilder<unknown>
  readonly fieldname: string
  readonly fieldtype: FieldType
  readonly meta: DocTypeMeta
}

const STANDARD_TYPES: Readonly<Record<string, FieldType>> = {
  name: 'Data',
  owner: 'Data',
  modified_by: 'Data',
  creation: 'Datetime',
  modified: 'Datetime',
  docstatus: 'Int',
  idx: 'Int',
  parent: 'Data',
  parentfield: 'Data',
  parenttype: 'Data',
  _user_tags: 'Text',
  _comments: 'Text',
  _assign: 'Text',
  _liked_by: 'Text',
  _seen: 'Text',
}

export function createScope(
  metaOf: (doctype: string) => DocTypeMeta,
  doctype: string,
  canRead?: (doctype: string, fieldname: string) => boolean,
): QueryScope {
  const meta = metaOf(doctype)
  if (meta.issingle || meta.isVirtual) {
    throw new ValidationError(
      `${doctype} is a ${meta.issingle ? 'Single' : 'virtual'} DocType and has no list`,
    )
  }
  return { meta, metaOf, alias: tableName(meta.name), joins: [], canRead }
}

/** The standard columns a DocType's table has (spec 6.1), in table order. */
export function standardColumns(meta: DocTypeMeta): string[] {
  const extra: string[] = meta.istable ? [...CHILD_COLUMNS] : [...OPTIONAL_COLUMNS]
  if (!meta.istable && meta.definition.track_seen) extra.push('_seen')
  return [...STANDARD_COLUMNS, ...extra]
}

/** Every column of the main table the user may read, as `*` selects them. */
export function allColumns(scope: QueryScope): ResolvedColumn[] {
  const names = [
    ...standardColumns(scope.meta),
    ...scope.meta.columns.map(({ field }) => field.fieldname),
  ]
  return names
    .filter((fieldname) => scope.canRead?.(scope.meta.name, fieldname) ?? true)
    .map((fieldname) => column(scope.alias, scope.meta, fieldname))
}

/** The type of a column of `meta`, or undefined when the table has no such column. */
export function columnType(meta: DocTypeMeta, fieldname: string): FieldType | undefined {
  if (standardColumns(meta).includes(fieldname)) return STANDARD_TYPES[fieldname]
  return meta.columns.find(({ field }) => field.fieldname === fieldname)?.field.fieldtype
}

export function hasColumn(meta: DocTypeMeta, fieldname: string): boolean {
  return columnType(meta, fieldname) !== undefined
}

function column(alias: string, meta: DocTypeMeta, fieldname: string): ResolvedColumn {
  const fieldtype = columnType(meta, fieldname)
  if (fieldtype === undefined) throw new DataError(`Field not permitted in query: ${fieldname}`)
  return { sql: sql.id(alias, fieldname), fieldname, fieldtype, meta }
}

/** The same message as an unknown field, so a refusal tells nothing about the column. */
function assertReadable(scope: QueryScope, meta: DocTypeMeta, fieldname: string, text: string): void {
  if (scope.canRead && !scope.canRead(meta.name, fieldname)) {
    throw new UnreadableColumnError(`Field not permitted in query: ${text}`)
  }
}

function freeAlias(scope: QueryScope, doctype: string): string {
  const base = tableName(doctype)
  const taken = new Set([scope.alias, ...scope.joins.map((join) => join.alias)])
  if (!taken.has(base)) return base
  let suffix = 2
  while (taken.has(`${base}_${suffix}`)) suffix += 1
  return `${base}_${suffix}`
}

/** Whether `doctype` is the child DocType of one of the main DocType's table fields. */
export function isChildOf(scope: QueryScope, doctype: string): boolean {
  return scope.meta.tableFields.some((field) => field.options === doctype)
}

/**
 * The child join for `doctype`, created on first use when `canJoin`. A reference by DocType
 * (`tabItem`, a 4-element filter) reuses any join of that DocType, as Frappe joins each
 * table once; a reference through a table field (`items.x`) also restricts `parentfield`.
 */
export function childJoin(
  scope: QueryScope,
  doctype: string,
  parentfield: string | undefined,
  canJoin: boolean,
  text: string,
): Join {
  const existing = scope.joins.find(
    (join) =>
      join.kind === 'child' &&
      join.meta.name === doctype &&
      (parentfield === undefined ||
        join.parentfield === undefined ||
        join.parentfield === parentfield),
  )
  if (existing) {
    existing.parentfield ??= parentfield
    return existing
  }
  if (!canJoin) throw new DataError(`Table not in the query: ${text}`)
  const join: Join = {
    alias: freeAlias(scope, doctype),
    meta: scope.metaOf(doctype),
    kind: 'child',
    parentfield,
    linkField: undefined,
  }
  scope.joins.push(join)
  return join
}

function linkJoin(
  scope: QueryScope,
  linkField: string,
  target: string,
  canJoin: boolean,
  text: string,
): Join {
  const existing = scope.joins.find((join) => join.kind === 'link' && join.linkField === linkField)
  if (existing) return existing
  if (!canJoin) throw new DataError(`Table not in the query: ${text}`)
  const meta = scope.metaOf(target)
  if (meta.issingle || meta.isVirtual) throw new DataError(`Field not permitted in query: ${text}`)
  const join: Join = {
    alias: freeAlias(scope, target),
    meta,
    kind: 'link',
    parentfield: undefined,
    linkField,
  }
  scope.joins.push(join)
  return join
}

/** The table a qualifier names: a table field, a Link field, or `tab<DocType>`. */
function qualifiedTable(
  scope: QueryScope,
  qualifier: string,
  canJoin: boolean,
  text: string,
): { alias: string; meta: DocTypeMeta } {
  const field = scope.meta.fieldsByName.get(qualifier)
  if (field && TABLE_FIELD_TYPES.has(field.fieldtype) && field.options) {
    return childJoin(scope, field.options, field.fieldname, canJoin, text)
  }
  if (
    field &&
    field.fieldtype === 'Link' &&
    field.options &&
    hasColumn(scope.meta, field.fieldname)
  ) {
    return linkJoin(scope, field.fieldname, field.options, canJoin, text)
  }
  const doctype = qualifier.startsWith('tab') ? qualifier.slice(3) : undefined
  if (doctype === scope.meta.name) return scope
  if (doctype !== undefined && isChildOf(scope, doctype)) {
    return childJoin(scope, doctype, undefined, canJoin, text)
  }
  throw new DataError(`Field not permitted in query: ${text}`)
}

/**
 * Resolves a client's column reference against metadata. `canJoin` is false for `order_by`
 * and `group_by`, which may only name tables the fields and filters brought in.
 */
export function resolveColumn(scope: QueryScope, ref: ColumnRef, canJoin: boolean): ResolvedColumn {
  const text = ref.qualifier === undefined ? ref.fieldname : `${ref.qualifier}.${ref.fieldname}`
  const table =
    ref.qualifier === undefined ? scope : qualifiedTable(scope, ref.qualifier, canJoin, text)
  if (!hasColumn(table.meta, ref.fieldname)) {
    throw new DataError(`Field not permitted in query: ${text}`)
  }
  assertReadable(scope, table.meta, ref.fieldname, text)
  return column(table.alias, table.meta, ref.fieldname)
}

/** A column of a table already in the scope (used for filters retargeted by DocType). */
export function joinedColumn(
  scope: QueryScope,
  join: { alias: string; meta: DocTypeMeta },
  fieldname: string,
): ResolvedColumn {
  const resolved = column(join.alias, join.meta, fieldname)
  assertReadable(scope, join.meta, fieldname, fieldname)
  return resolved
}
