/** Frappe's DocField fieldtypes and what each stores (spec 7.4). */

/** The storage kind of a column; each dialect maps it to its own SQL type. */
export type ColumnKind =
  | 'varchar'
  | 'int'
  | 'bigint'
  | 'check'
  | 'decimal'
  | 'rating'
  | 'date'
  | 'datetime'
  | 'time'
  | 'text'
  | 'longtext'
  | 'json'

const COLUMN_KIND_BY_FIELDTYPE = {
  Data: 'varchar',
  Link: 'varchar',
  'Dynamic Link': 'varchar',
  Select: 'varchar',
  'Read Only': 'varchar',
  Color: 'varchar',
  Icon: 'varchar',
  Phone: 'varchar',
  Autocomplete: 'varchar',
  Int: 'int',
  Check: 'check',
  Float: 'decimal',
  Currency: 'decimal',
  Percent: 'decimal',
  Duration: 'decimal',
  Rating: 'rating',
  Date: 'date',
  Datetime: 'datetime',
  Time: 'time',
  'Small Text': 'text',
  Text: 'text',
  Password: 'text',
  Attach: 'text',
  'Attach Image': 'text',
  'Long Text': 'longtext',
  Code: 'longtext',
  'Text Editor': 'longtext',
  'Markdown Editor': 'longtext',
  'HTML Editor': 'longtext',
  Signature: 'longtext',
  Barcode: 'longtext',
  Geolocation: 'longtext',
  JSON: 'json',
  Table: null,
  'Table MultiSelect': null,
  'Section Break': null,
  'Column Break': null,
  'Tab Break': null,
  HTML: null,
  Button: null,
  Image: null,
  Fold: null,
  Heading: null,
} as const satisfies Record<string, ColumnKind | null>

export type FieldType = keyof typeof COLUMN_KIND_BY_FIELDTYPE

export const FIELD_TYPES: ReadonlySet<string> = new Set(Object.keys(COLUMN_KIND_BY_FIELDTYPE))

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && FIELD_TYPES.has(value)
}

/** The column kind of a fieldtype, or null for fieldtypes without a column. */
export function columnKindOf(fieldtype: FieldType, length?: number): ColumnKind | null {
  const kind = COLUMN_KIND_BY_FIELDTYPE[fieldtype]
  return kind === 'int' && length !== undefined && length > 11 ? 'bigint' : kind
}

export const TABLE_FIELD_TYPES: ReadonlySet<FieldType> = new Set(['Table', 'Table MultiSelect'])

export const NUMERIC_FIELD_TYPES: ReadonlySet<FieldType> = new Set([
  'Int',
  'Check',
  'Float',
  'Currency',
  'Percent',
  'Duration',
  'Rating',
])

/** Fieldtypes whose text length Frappe limits to `length` or 140. */
export function isVarchar(fieldtype: FieldType): boolean {
  return COLUMN_KIND_BY_FIELDTYPE[fieldtype] === 'varchar'
}
