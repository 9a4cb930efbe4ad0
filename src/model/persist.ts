import type { CompiledQuery } from 'kysely'
import { DoesNotExistError, DuplicateEntryError, UniqueValidationError } from '../errors/index.js'
import { executePrepared, noteCachedWrite, PreparedQuery, type Executor, type SiteDatabase } from '../db/index.js'
import { CHILD_COLUMNS, NUMERIC_FIELD_TYPES, STANDARD_COLUMNS, tableName, type DocTypeMeta } from '../meta/index.js'
import type { DocValues, Document, DocumentFactory } from './document.js'
import { PASSWORD_MASK, setPassword } from './passwords.js'

/** The row a document writes: standard columns plus one per stored field. */
function rowOf(doc: Document): DocValues {
  const row: DocValues = {}
  const standard = doc.meta.istable ? [...STANDARD_COLUMNS, ...CHILD_COLUMNS] : STANDARD_COLUMNS
  for (const column of standard) row[column] = doc.get(column) ?? null
  row.docstatus = doc.docstatus
  row.idx = Number(doc.get('idx') ?? 0)
  for (const { field } of doc.meta.columns) {
    const value = doc.get(field.fieldname)
    if (field.fieldtype === 'Password') row[field.fieldname] = value ? PASSWORD_MASK : null
    else if (NUMERIC_FIELD_TYPES.has(field.fieldtype)) row[field.fieldname] = value ?? 0 // NOT NULL columns (spec 7.4)
    else row[field.fieldname] = value ?? null
  }
  return row
}

/** Password values go, hashed, to `__Auth`; the document keeps only the mask. */
async function storePasswords(db: Executor, doc: Document): Promise<void> {
  for (const { field } of doc.meta.columns) {
    const value = doc.get(field.fieldname)
    if (field.fieldtype !== 'Password' || typeof value !== 'string' || !value || value === PASSWORD_MASK) continue
    await setPassword(db, doc.doctype, String(doc.name), field.fieldname, value)
    doc.set(field.fieldname, PASSWORD_MASK)
  }
}

function translateWriteError(database: SiteDatabase, doc: Document, error: unknown): unknown {
  const meaning = database.classifyError(error)
  if (meaning.kind === 'duplicate_primary_key') return new DuplicateEntryError(doc.doctype, String(doc.name), { cause: error })
  if (meaning.kind === 'unique_violation') {
    const field = meaning.column ? doc.meta.fieldsByName.get(meaning.column) : undefined
    const label = field?.label ?? meaning.column ?? 'value'
    return new UniqueValidationError(`${doc.doctype}: ${label} must be unique; ${String(field ? doc.get(field.fieldname) : '')} is already used`, { cause: error })
  }
  return error
}

/** A DocType's INSERT, compiled once per metadata: `rowOf` gives the same columns in the same order every time. */
const insertsByMeta = new WeakMap<DocTypeMeta, { readonly columns: readonly string[]; readonly query: PreparedQuery<unknown> }>()

function insertQuery(db: Executor, meta: DocTypeMeta, row: DocValues): CompiledQuery {
  let insert = insertsByMeta.get(meta)
  if (!insert) {
    const columns = Object.keys(row)
    insert = { columns, query: PreparedQuery.of(db.insertInto(tableName(meta.name)).values(row)) }
    insertsByMeta.set(meta, insert)
  }
  return insert.query.with(...insert.columns.map((column) => row[column]))
}

async function insertOne(db: Executor, database: SiteDatabase, doc: Document): Promise<void> {
  await noteCachedWrite(db, doc.doctype)
  await storePasswords(db, doc)
  try {
    await executePrepared(db, insertQuery(db, doc.meta, rowOf(doc)))
  } catch (error) {
    throw translateWriteError(database, doc, error)
  }
  doc.markStored()
}

function childRows(doc: Document): Document[] {
  return doc.meta.tableFields.flatMap((field) => doc.getTable(field.fieldname))
}

/** INSERTs the parent, then its child rows. */
export async function insertRow(db: Executor, database: SiteDatabase, doc: Document): Promise<void> {
  if (doc.meta.issingle) return writeSingle(db, database, doc)
  await insertOne(db, database, doc)
  for (const row of childRows(doc)) await insertOne(db, database, row)
}

/** UPDATEs the parent; child rows missing from the document are deleted, the rest upserted. */
export async function updateRow(db: Executor, database: SiteDatabase, doc: Document): Promise<void> {
  if (doc.meta.issingle) return writeSingle(db, database, doc)
  await noteCachedWrite(db, doc.doctype)
  await storePasswords(db, doc)
  const { name: _name, ...values } = rowOf(doc)
  try {
    await db.updateTable(tableName(doc.doctype)).set(values).where('name', '=', String(doc.name)).execute()
  } catch (error) {
    throw translateWriteError(database, doc, error)
  }
  await syncChildren(db, database, doc)
}

async function syncChildren(db: Executor, database: SiteDatabase, doc: Document): Promise<void> {
  for (const field of doc.meta.tableFields) {
    const table = tableName(field.options ?? '')
    const rows = doc.getTable(field.fieldname)
    await noteCachedWrite(db, field.options ?? '')
    const keep = rows.map((row) => String(row.name))
    let removal = db
      .deleteFrom(table)
      .where('parent', '=', String(doc.name))
      .where('parenttype', '=', doc.doctype)
      .where('parentfield', '=', field.fieldname)
    if (keep.length > 0) removal = removal.where('name', 'not in', keep)
    await removal.execute()
    for (const row of rows) {
      if (row.isNew) await insertOne(db, database, row)
      else {
        await storePasswords(db, row)
        const { name: _name, ...values } = rowOf(row)
        await db.updateTable(table).set(values).where('name', '=', String(row.name)).execute()
      }
    }
  }
}

/** A Single's values live in `tabSingles`, one text row per field (spec 7.5). */
async function writeSingle(db: Executor, database: SiteDatabase, doc: Document): Promise<void> {
  await noteCachedWrite(db, doc.doctype)
  await storePasswords(db, doc)
  await db.deleteFrom('tabSingles').where('doctype', '=', doc.doctype).execute()
  const row = rowOf(doc)
  const values = Object.entries(row)
    .filter(([field, value]) => value !== null && value !== undefined && field !== 'name')
    .map(([field, value]) => ({ doctype: doc.doctype, field, value: String(value) }))
  if (values.length > 0) await db.insertInto('tabSingles').values(values).execute()
  await syncChildren(db, database, doc)
  doc.markStored()
}

/** Reads a Single's values, cast by fieldtype. */
async function readSingle(db: Executor, meta: DocTypeMeta): Promise<DocValues> {
  const rows = await db.selectFrom('tabSingles').select(['field', 'value']).where('doctype', '=', meta.name).execute()
  const values: DocValues = { name: meta.name, docstatus: 0, idx: 0 }
  for (const { field } of meta.columns) if (NUMERIC_FIELD_TYPES.has(field.fieldtype)) values[field.fieldname] = 0
  for (const row of rows) {
    const field = meta.fieldsByName.get(String(row.field))
    const numeric = field && NUMERIC_FIELD_TYPES.has(field.fieldtype)
    values[String(row.field)] = numeric ? Number(row.value) : row.value
  }
  values.name = meta.name
  return values
}

/** The reads that load a document, compiled once per DocType's metadata (a changed DocType has new metadata). */
interface LoadQueries {
  /** The document's row by name; a Single's values come from `tabSingles` instead. */
  readonly row: PreparedQuery<DocValues> | undefined
  /** Per table field: the rows of one parent, in `idx` order. */
  readonly children: ReadonlyArray<{ readonly fieldname: string; readonly rows: PreparedQuery<DocValues> }>
}

const loadQueriesByMeta = new WeakMap<DocTypeMeta, LoadQueries>()

function loadQueries(db: Executor, meta: DocTypeMeta): LoadQueries {
  let queries = loadQueriesByMeta.get(meta)
  if (!queries) {
    const childRows = (table: string): PreparedQuery<DocValues> =>
      PreparedQuery.of(db.selectFrom(table).selectAll().where('parent', '=', '').where('parenttype', '=', '').where('parentfield', '=', '').orderBy('idx'))
    queries = {
      row: meta.issingle ? undefined : PreparedQuery.of(db.selectFrom(tableName(meta.name)).selectAll().where('name', '=', '')),
      children: meta.tableFields.map((field) => ({ fieldname: field.fieldname, rows: childRows(tableName(field.options ?? '')) })),
    }
    loadQueriesByMeta.set(meta, queries)
  }
  return queries
}

/** Loads a stored document with its child rows (in `idx` order). */
export async function loadDocument(db: Executor, factory: DocumentFactory, doctype: string, name: string): Promise<Document> {
  const meta = factory.metaOf(doctype)
  const queries = loadQueries(db, meta)
  const values = queries.row ? (await executePrepared(db, queries.row.with(name))).rows[0] : await readSingle(db, meta)
  if (!values) throw new DoesNotExistError(doctype, name)
  const doc = factory.create(meta, {})
  doc.update(values)
  doc.markStored()
  for (const child of queries.children) {
    const { rows } = await executePrepared(db, child.rows.with(String(values.name), doctype, child.fieldname))
    for (const row of rows) doc.append(child.fieldname, row).markStored()
  }
  return doc
}

/** Deletes a document's row and its child rows. */
export async function deleteRow(db: Executor, doc: Document): Promise<void> {
  await noteCachedWrite(db, doc.doctype)
  for (const field of doc.meta.tableFields) {
    await noteCachedWrite(db, field.options ?? '')
    await db
      .deleteFrom(tableName(field.options ?? ''))
      .where('parent', '=', String(doc.name))
      .where('parenttype', '=', doc.doctype)
      .where('parentfield', '=', field.fieldname)
      .execute()
  }
  if (doc.meta.issingle) await db.deleteFrom('tabSingles').where('doctype', '=', doc.doctype).execute()
  else await db.deleteFrom(tableName(doc.doctype)).where('name', '=', String(doc.name)).execute()
}
