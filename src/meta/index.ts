export { readDocTypeFolder, type DocTypeFile } from './app-folder.js'
export {
  CHILD_COLUMNS,
  OPTIONAL_COLUMNS,
  RESERVED_FIELDNAMES,
  STANDARD_COLUMNS,
  isStandardField,
  tableName,
  type ColumnField,
  type DocField,
  type DocPerm,
  type DocTypeMeta,
} from './doctype.js'
export {
  NUMERIC_FIELD_TYPES,
  TABLE_FIELD_TYPES,
  columnKindOf,
  isFieldType,
  isVarchar,
  type ColumnKind,
  type FieldType,
} from './fieldtypes.js'
export { InvalidDocTypeError, loadDocType } from './load-doctype.js'
export {
  createMetaRegistry,
  type CustomFieldRow,
  type MetaRegistry,
  type PropertySetterRow,
} from './registry.js'
export { getMeta, metaRegistryOf } from './site-meta.js'
