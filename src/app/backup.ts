import { createReadStream, createWriteStream, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { once } from 'node:events'
import { createGunzip, createGzip } from 'node:zlib'
import type { Logger, Site } from '../context/index.js'
import { CACHE_GENERATION_TABLE, inTransaction, runUnitOfWork, type Executor } from '../db/index.js'
import { loadCustomDocTypes, loadCustomizations } from '../doctypes/index.js'
import { adminContext, migrateSite } from './migrate.js'

/**
 * A site's backup: gzipped JSON lines, the same on every engine, so a SQLite site's backup
 * restores into PostgreSQL and back. The first line describes the backup; then each table is a
 * line `{"table", "columns"}` followed by one line per row, its values in column order.
 */
export const BACKUP_FORMAT = 'cortado-backup'

interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT
  readonly version: 1
  readonly site: string
  readonly dbType: string
  readonly created: string
  readonly tables: ReadonlyArray<{ readonly name: string; readonly rows: number }>
}

/** Reports rows done out of the total, for a progress bar. */
export type Progress = (done: number, total: number, table: string) => void

/** Where `cortado backup` writes by default, as Frappe: `sites/<site>/private/backups/<stamp>-<site>-database.jsonl.gz`. */
export function defaultBackupPath(site: Site, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)
  return join(site.path, 'private', 'backups', `${stamp}-${site.name.replaceAll('.', '_')}-database.jsonl.gz`)
}

/** Writes every table of the site, read from one consistent snapshot, to `file`. */
export async function backupSite(site: Site, file: string, progress: Progress = () => {}): Promise<BackupHeader> {
  const { database } = site.services
  mkdirSync(dirname(file), { recursive: true })
  return database.snapshot(async (db) => {
    const tables = []
    for (const name of await database.listTables(db)) {
      const counted = await db.selectFrom(name).select((eb) => eb.fn.countAll<number>().as('rows')).executeTakeFirst()
      tables.push({ name, rows: Number(counted?.rows ?? 0) })
    }
    const header: BackupHeader = { format: BACKUP_FORMAT, version: 1, site: site.name, dbType: database.dialect, created: new Date().toISOString(), tables }
    const total = tables.reduce((sum, table) => sum + table.rows, 0)
    const gzip = createGzip()
    const output = gzip.pipe(createWriteStream(file))
    const write = async (value: unknown): Promise<void> => {
      if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain')
    }
    await write(header)
    let done = 0
    progress(done, total, '')
    for (const table of tables) {
      const columns = (await database.listColumns(db, table.name)).map((column) => column.name)
      await write({ table: table.name, columns })
      for await (const row of db.selectFrom(table.name).selectAll().stream(500)) {
        await write(columns.map((column) => (row as Record<string, unknown>)[column] ?? null))
        if (++done % 500 === 0) progress(done, total, table.name)
      }
    }
    progress(done, total, '')
    gzip.end()
    await once(output, 'finish')
    return header
  })
}

interface BackupTable {
  readonly name: string
  readonly columns: readonly string[]
  readonly rows: unknown[][]
}

/** Reads a backup file: its header and its tables. */
async function readBackup(file: string): Promise<{ header: BackupHeader; tables: BackupTable[] }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })
  let header: BackupHeader | undefined
  const tables: BackupTable[] = []
  for await (const line of lines) {
    if (!line) continue
    const value: unknown = JSON.parse(line)
    if (!header) {
      if ((value as { format?: unknown }).format !== BACKUP_FORMAT) throw new Error(`${file} is not a Cortado backup`)
      header = value as BackupHeader
    } else if (Array.isArray(value)) {
      const table = tables.at(-1)
      if (!table) throw new Error(`${file}: a row before any table`)
      table.rows.push(value)
    } else {
      const { table, columns } = value as { table: string; columns: string[] }
      tables.push({ name: table, columns, rows: [] })
    }
  }
  if (!header) throw new Error(`${file} is empty`)
  return { header, tables }
}

/** Tables a restore leaves alone: the cache counter (bumped instead, so every process drops its copies) and the scheduler's lease. */
const NOT_RESTORED = new Set([CACHE_GENERATION_TABLE, '__SchedulerLock'])

/** Metadata tables go first: the DocTypes, fields and customisations they hold decide the other tables' columns. */
const METADATA_TABLES = new Set(['tabDocType', 'tabDocField', 'tabDocPerm', 'tabCustom Field', 'tabProperty Setter', 'tabCustom DocPerm'])

async function replaceRows(tx: Executor, site: Site, table: BackupTable, onRows: (count: number) => void): Promise<boolean> {
  const existing = new Set((await site.services.database.listColumns(tx, table.name)).map((column) => column.name))
  if (existing.size === 0) return false
  await tx.deleteFrom(table.name).execute()
  const kept = table.columns.map((column, index) => ({ column, index })).filter(({ column }) => existing.has(column))
  const batch = Math.max(1, Math.floor(10_000 / Math.max(1, kept.length)))
  for (let start = 0; start < table.rows.length; start += batch) {
    const rows = table.rows.slice(start, start + batch).map((row) => Object.fromEntries(kept.map(({ column, index }) => [column, row[index] ?? null])))
    if (rows.length > 0 && kept.length > 0) await tx.insertInto(table.name).values(rows).execute()
    onRows(rows.length)
  }
  return kept.length === table.columns.length
}

/**
 * Replaces the site's data with a backup's, on any engine: metadata first, then the tables
 * (created or widened by a migrate for custom DocTypes and fields), each emptied and refilled,
 * all in one transaction per step so a failed restore leaves the site as it was before it.
 */
export async function restoreSite(site: Site, logger: Logger, file: string, progress: Progress = () => {}): Promise<BackupHeader> {
  const { header, tables } = await readBackup(file)
  const total = tables.reduce((sum, table) => sum + table.rows.length, 0)
  let done = 0
  const count = (rows: number): void => {
    done += rows
    progress(done, total, '')
  }
  const metadata = tables.filter((table) => METADATA_TABLES.has(table.name))
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async (tx) => {
      for (const table of metadata) await replaceRows(tx, site, table, count)
    }),
  )
  // The restored DocTypes and Custom Fields take effect, and their tables and columns are made.
  await loadCustomDocTypes(site)
  await loadCustomizations(site)
  await migrateSite(site, logger)
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async (tx) => {
      for (const table of tables) {
        if (METADATA_TABLES.has(table.name) || NOT_RESTORED.has(table.name)) continue
        const whole = await replaceRows(tx, site, table, count)
        if (!whole) logger.warn({ table: table.name }, 'restore: the site has no such table or lacks some of its columns; those values were left out')
      }
      await tx.updateTable(CACHE_GENERATION_TABLE).set((eb) => ({ generation: eb('generation', '+', 1) })).execute()
    }),
  )
  await loadCustomDocTypes(site)
  await loadCustomizations(site)
  progress(total, total, '')
  return header
}
