import { afterCommit, maybeContext, onRollback, type Site } from '../context/index.js'
import type { Executor } from './database.js'

/** One row, one counter per site: bumped in the transaction of every write to a cached table. */
export const CACHE_GENERATION_TABLE = '__cache_generation'
const MAX_ENTRIES = 20_000

/** Tables (DocType names, or `__Auth`) whose rows some layer caches; writes to others need no invalidation. */
const cachedTables = new Set<string>()

/** Tables chosen by a rule rather than by name (e.g. every tree DocType, whose shape User Permissions cache). */
const cachedTableRules: Array<(table: string, site: Site) => boolean> = []

/** Declares, at module load, that a layer caches rows of these tables. */
export function registerCachedTables(...tables: string[]): void {
  for (const table of tables) cachedTables.add(table)
}

export function registerCachedTableRule(rule: (table: string, site: Site) => boolean): void {
  cachedTableRules.push(rule)
}

function isCachedTable(table: string, site: Site): boolean {
  return cachedTables.has(table) || cachedTableRules.some((rule) => rule(table, site))
}

/**
 * A process-local copy of a site's rarely-changing rows (users, roles, API keys), as Frappe
 * keeps them in Redis. Every process and CLI command bumps the site's generation row when it
 * writes a cached table; the cache reads that row at most once per event-loop turn (the reader's
 * queries of one turn share a snapshot anyway) and drops everything if it moved. So a change
 * committed by any process (another app process, `cortado set-admin-password`) is seen by the
 * next request everywhere, for one indexed read per turn instead of one per cached row.
 */
class SiteCache {
  #generation = -1
  /** This turn's read of the generation, shared by every use in the turn: done, or in flight. */
  #check: Promise<void> | 'done' | undefined
  readonly #entries = new Map<string, unknown>()

  constructor(private readonly site: Site) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.#check) this.#checkGeneration()
    // A hit after a synchronous check (SQLite) answers without the async machinery: this runs on every request.
    if (this.#check === 'done' && this.#entries.has(key)) return Promise.resolve(this.#entries.get(key) as T)
    return this.#getChecked(key, load)
  }

  async #getChecked<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.#check !== 'done') await this.#check
    if (this.#entries.has(key)) return this.#entries.get(key) as T
    const generation = this.#generation
    const value = await load()
    if (generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string)
      this.#entries.set(key, value)
    }
    return value
  }

  #checkGeneration(): void {
    const generation = this.site.services.database.cacheGeneration()
    const check = typeof generation === 'number' ? (this.#observe(generation), 'done' as const) : generation.then((value) => this.#observe(value))
    this.#check = check
    setImmediate(() => {
      if (this.#check === check) this.#check = undefined
    })
  }

  /** Drops everything; a load that was in flight is not kept either, and the next use reads the generation again. */
  clear(): void {
    this.#entries.clear()
    this.#generation = -1
    this.#check = undefined
  }

  #observe(generation: number): void {
    if (generation === this.#generation) return
    this.#entries.clear()
    this.#generation = generation
  }
}

const caches = new WeakMap<Site, SiteCache>()

function siteCache(site: Site): SiteCache {
  let cache = caches.get(site)
  if (!cache) caches.set(site, (cache = new SiteCache(site)))
  return cache
}

/** `load()`'s value for `key`, kept until any cached table of the site changes. Treat it as read-only. */
export function cached<T>(site: Site, key: string, load: () => Promise<T>): Promise<T> {
  return siteCache(site).get(key, load)
}

/**
 * Marks a write to `table` in the transaction `db`: for a cached table, bumps the site's
 * generation in the same transaction (so other processes drop their copies once it commits,
 * and never if it rolls back) and clears this process's copy now and at commit or rollback.
 */
export async function noteCachedWrite(db: Executor, table: string): Promise<void> {
  const site = maybeContext()?.site
  if (!site || !isCachedTable(table, site)) return
  await db.updateTable(CACHE_GENERATION_TABLE).set((eb) => ({ generation: eb('generation', '+', 1) })).execute()
  const cache = siteCache(site)
  cache.clear()
  afterCommit(() => cache.clear(), `clear cache after ${table} write`)
  onRollback(() => cache.clear())
}
