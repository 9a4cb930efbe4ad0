/**
 * A port of ../shared/bench/seed.py: the same `Bench Note` rows from the mulberry32 generator
 * (seed 20240601), written into a Cortado site's table, and the same SHA-256 digest over them.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Logger, Site } from '../src/context/index.js'
import { adminContext } from '../src/app/index.js'
import { database, inTransaction, runUnitOfWork, type Executor } from '../src/db/index.js'

export const SEED = 20240601
export const DEFAULT_ROWS = 10_000
export const BENCH_DOCTYPE = 'Bench Note'
export const BENCH_TABLE = 'tabBench Note'
/** The `tabSeries` key of the DocType's `autoname` (`BN-.#####`). */
export const SERIES_KEY = 'BN-'
/** The composite index W2 needs; schema sync declares single-column indexes only. */
export const STATUS_PRIORITY_INDEX = 'tabBench Note_status_priority'

const ADJECTIVES = ['Quarterly', 'Urgent', 'Pending', 'Draft', 'Annual', 'Internal', 'Customer', 'Vendor', 'Shipping', 'Payroll', 'Support', 'Legacy']
const NOUNS = ['Invoice', 'Report', 'Review', 'Order', 'Request', 'Audit', 'Meeting', 'Ticket', 'Budget', 'Contract', 'Forecast', 'Delivery']
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod', 'tempor', 'incididunt', 'ut', 'labore',
  'et', 'dolore', 'magna', 'aliqua', 'enim', 'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi',
  'aliquip', 'ex', 'ea', 'commodo', 'consequat']

/** seed.py's COLUMNS, in its order: the digest hashes each row as a JSON array of these. */
export const COLUMNS = ['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx', 'title', 'status', 'priority', 'amount', 'description'] as const

/** A type alias, not an interface, so it fits Kysely's dynamic-table insert. */
export type BenchNoteRow = {
  name: string
  owner: string
  creation: string
  modified: string
  modified_by: string
  docstatus: number
  idx: number
  title: string
  status: string
  priority: number
  amount: number
  description: string
}

/** mulberry32: floats in [0, 1), bit for bit as seed.py's generator. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Python's `round(x, 2)`: correctly rounded, ties to even. `toFixed` rounds the exact binary
 * value too but sends ties up; a tie is exact, so `x * 200` is then an odd integer.
 */
export function pythonRound2(x: number): number {
  const doubled = x * 200
  if (Number.isInteger(doubled) && doubled % 2 !== 0) {
    const floor = Math.floor(x * 100)
    return (floor % 2 === 0 ? floor : floor + 1) / 100
  }
  return Number(x.toFixed(2))
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/** `datetime.strftime('%Y-%m-%d %H:%M:%S.%f')` of a UTC timestamp in whole seconds. */
function formatDatetime(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000000`
}

/** seed.py's `make_rows(count)`: `BN-00001` … with the generator's values, in its call order. */
export function makeRows(count: number): BenchNoteRow[] {
  const rnd = mulberry32(SEED)
  const pick = <T>(seq: readonly T[]): T => seq[Math.floor(rnd() * seq.length)] as T
  const base = Date.UTC(2024, 0, 1, 8, 0, 0)
  const rows: BenchNoteRow[] = []
  for (let i = 1; i <= count; i += 1) {
    const title = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${i}`
    const status = rnd() < 0.5 ? 'Open' : 'Closed'
    const priority = Math.floor(rnd() * 11)
    const amount = pythonRound2(rnd() * 10000)
    const words: string[] = []
    while (words.join(' ').length < 190) words.push(pick(WORDS))
    const text = words.join(' ').slice(0, 200).trimEnd()
    const description = `${text.charAt(0).toUpperCase()}${text.slice(1).toLowerCase()}.`
    const created = base + (37 * i * 60 + Math.floor(rnd() * 60)) * 1000
    const changed = created + Math.floor(rnd() * 86400) * 1000
    rows.push({
      name: `BN-${pad(i, 5)}`,
      owner: 'Administrator',
      creation: formatDatetime(created),
      modified: formatDatetime(changed),
      modified_by: 'Administrator',
      docstatus: 0,
      idx: 0,
      title,
      status,
      priority,
      amount,
      description,
    })
  }
  return rows
}

/** Python's `repr(float)` for the values seed.py writes (0 ≤ x < 1e16): `1234.0`, not `1234`. */
function pythonFloat(value: number): string {
  const text = String(value)
  return Number.isInteger(value) ? `${text}.0` : text
}

/**
 * seed.py's digest: SHA-256 over `json.dumps(row, separators=(",", ":"))` + `\n` per row in
 * name order. `amount` is a REAL in seed.py's table, so it prints as a Python float even when
 * our decimal column hands it back as an integer.
 */
export function digestRows(rows: Iterable<Record<(typeof COLUMNS)[number], unknown>>): string {
  const hash = createHash('sha256')
  for (const row of rows) {
    const parts = COLUMNS.map((column) => (column === 'amount' ? pythonFloat(Number(row.amount)) : JSON.stringify(row[column])))
    hash.update(`[${parts.join(',')}]\n`)
  }
  return hash.digest('hex')
}

/** The digest of what `tabBench Note` holds now, computed as seed.py computes it over its table. */
export async function tableDigest(tx: Executor): Promise<{ rows: number; sha256: string }> {
  const rows = (await tx
    .selectFrom(BENCH_TABLE)
    .select([...COLUMNS])
    .orderBy(sql`name collate binary`)
    .execute()) as Record<(typeof COLUMNS)[number], unknown>[]
  return { rows: rows.length, sha256: digestRows(rows) }
}

/**
 * Puts the table back to the seeded state: the first `count` rows only, as generated, and the
 * `BN-` series at `count`. Also adds the `(status, priority)` index W2 needs, which the DocType
 * cannot declare (schema sync makes single-column indexes only; `modified` gets its own).
 */
export async function seedBenchNotes(site: Site, logger: Logger, count: number): Promise<{ rows: number; sha256: string }> {
  const rows = makeRows(count)
  return runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async (tx) => {
      await sql`create index if not exists ${sql.id(STATUS_PRIORITY_INDEX)} on ${sql.table(BENCH_TABLE)} (status, priority)`.execute(tx)
      await tx.deleteFrom(BENCH_TABLE).execute()
      const batch = 500
      for (let start = 0; start < rows.length; start += batch) {
        await tx.insertInto(BENCH_TABLE).values(rows.slice(start, start + batch)).execute()
      }
      await tx.deleteFrom('tabSeries').where('name', '=', SERIES_KEY).execute()
      await tx.insertInto('tabSeries').values({ name: SERIES_KEY, current: count }).execute()
      return tableDigest(database())
    }),
  )
}
