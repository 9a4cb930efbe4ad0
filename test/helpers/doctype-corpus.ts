import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newContext, type RequestContext, type Site } from '../../src/context/index.js'
import { createSqliteDatabase, inTransaction, runUnitOfWork, syncCoreTables, syncTable, type SyncReport } from '../../src/db/index.js'
import { createMetaRegistry, type MetaRegistry } from '../../src/meta/index.js'
import { silentLogger } from './bench.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where `../shared` is for a clone of a local checkout (tools/fresh-clone-check clones into /tmp). */
function originShared(): string | undefined {
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return origin.startsWith('/') ? join(origin, '..', 'shared', 'fixtures', 'doctypes') : undefined
  } catch {
    return undefined
  }
}

/**
 * The 112 real Frappe and ERPNext DocType definitions, read-only test input kept in the shared
 * folder beside the checkout (never copied into the source tree); undefined when it is absent.
 */
export const DOCTYPE_CORPUS: string | undefined = [
  process.env.CORTADO_DOCTYPE_CORPUS,
  join(ROOT, '..', 'shared', 'fixtures', 'doctypes'),
  originShared(),
].find((candidate) => candidate !== undefined && existsSync(join(candidate, 'MANIFEST.json')))

/** Tests of the corpus skip with a notice when it is missing, but fail under CI=true. */
export const HAS_CORPUS = DOCTYPE_CORPUS !== undefined
if (!HAS_CORPUS) {
  if (process.env.CI === 'true') throw new Error('The DocType corpus (../shared/fixtures/doctypes) is missing; CI must not skip it')
  console.warn('skipping DocType corpus tests: ../shared/fixtures/doctypes not found (set CORTADO_DOCTYPE_CORPUS)')
}

/** One MANIFEST.json entry. */
export interface CorpusEntry {
  readonly file: string
  readonly app: 'frappe' | 'erpnext'
  readonly doctype: string
  readonly module: string
  readonly istable: number
  readonly issingle: number
  readonly is_submittable: number
  readonly is_tree: number
  readonly is_virtual: number
  readonly field_count: number
  readonly permission_rules: number
  readonly table_fields: readonly string[]
  readonly links_outside_corpus: readonly string[]
}

export interface Corpus {
  readonly counts: Readonly<Record<string, number>>
  readonly fieldtypeCounts: Readonly<Record<string, number>>
  readonly entries: readonly CorpusEntry[]
  /** Definitions by DocType name, parsed from the files. */
  readonly definitions: ReadonlyMap<string, Record<string, unknown>>
  /** Link, Table and Table MultiSelect targets with no file in the corpus. */
  readonly outside: ReadonlySet<string>
}

let cached: Corpus | undefined

const EMPTY_CORPUS: Corpus = { counts: {}, fieldtypeCounts: {}, entries: [], definitions: new Map(), outside: new Set() }

/** The corpus, or an empty one when it is missing (its tests are then skipped, see HAS_CORPUS). */
export function readCorpus(): Corpus {
  if (cached) return cached
  if (DOCTYPE_CORPUS === undefined) return EMPTY_CORPUS
  const folder = DOCTYPE_CORPUS
  const manifest = JSON.parse(readFileSync(join(folder, 'MANIFEST.json'), 'utf8')) as {
    counts: Record<string, number>
    fieldtype_counts: Record<string, number>
    doctypes: CorpusEntry[]
  }
  const definitions = new Map<string, Record<string, unknown>>()
  for (const entry of manifest.doctypes) {
    definitions.set(entry.doctype, JSON.parse(readFileSync(join(folder, entry.file), 'utf8')) as Record<string, unknown>)
  }
  cached = {
    counts: manifest.counts,
    fieldtypeCounts: manifest.fieldtype_counts,
    entries: manifest.doctypes,
    definitions,
    outside: new Set(manifest.doctypes.flatMap((entry) => entry.links_outside_corpus)),
  }
  return cached
}

/** A registry holding exactly the corpus DocTypes, defined all at once. */
export function corpusRegistry(corpus: Corpus = readCorpus()): MetaRegistry {
  const registry = createMetaRegistry()
  registry.define(corpus.entries.map((entry) => ({ definition: corpus.definitions.get(entry.doctype), source: entry.app })))
  return registry
}

export interface CorpusSite {
  readonly site: Site
  /** What the first sync did, by table. */
  readonly reports: readonly SyncReport[]
  close(): Promise<void>
}

/**
 * An isolated site whose metadata is the corpus alone (40 of its DocTypes share names with
 * Cortado's built-in ones), on a fresh SQLite database migrated with syncCoreTables + syncTable.
 */
export async function openCorpusSite(): Promise<CorpusSite> {
  const path = mkdtempSync(join(tmpdir(), 'cortado-corpus-'))
  const database = createSqliteDatabase({ file: join(path, 'corpus.sqlite3') })
  const meta = corpusRegistry()
  const site: Site = {
    name: 'corpus.test',
    path,
    config: {},
    services: { meta, database, model: { controllers: new Map(), docEvents: [] }, methods: new Map() },
  }
  const reports: SyncReport[] = []
  await runUnitOfWork(corpusContext(site), () =>
    inTransaction(async (tx) => {
      await syncCoreTables(tx, database)
      for (const doctype of meta.all()) {
        const report = await syncTable(tx, database, doctype)
        if (report) reports.push(report)
      }
    }),
  )
  return {
    site,
    reports,
    async close() {
      await database.close()
      rmSync(path, { recursive: true, force: true })
    },
  }
}

export function corpusContext(site: Site): RequestContext {
  return newContext({ site, user: 'Administrator', roles: ['Administrator'], logger: silentLogger })
}

/** Runs `fn` as one committed unit of work on the corpus site, as Administrator. */
export function inCorpusSite<T>(site: Site, fn: () => Promise<T>): Promise<T> {
  return runUnitOfWork(corpusContext(site), fn)
}
