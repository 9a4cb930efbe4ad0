import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SiteDatabase } from '../database.js'
import { createSqliteDatabase } from './sqlite.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('SQLite driver', () => {
  let folder: string
  let file: string
  let database: SiteDatabase

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cortado-driver-'))
    file = join(folder, 'site.sqlite3')
    database = createSqliteDatabase({ file })
    const tx = await database.beginWrite()
    await sql`create table notes (name text primary key)`.execute(tx)
    await tx.commit().execute()
  })

  afterEach(async () => {
    await database.close()
    rmSync(folder, { recursive: true, force: true })
  })

  const names = async (): Promise<string[]> =>
    (await database.reader.selectFrom('notes').select('name').orderBy('name').execute()).map((row) => String(row.name))

  it('lets a read in the same turn see what this process just committed', async () => {
    expect(await names()).toEqual([]) // opens the turn's read snapshot
    const tx = await database.beginWrite()
    await tx.insertInto('notes').values({ name: 'a' }).execute()
    expect(await names()).toEqual([]) // uncommitted: never seen by the reader
    await tx.commit().execute()
    expect(await names()).toEqual(['a'])
  })

  it("sees another process's commit from the next turn on", async () => {
    expect(await names()).toEqual([])
    const other = new BetterSqlite3(file)
    other.prepare("insert into notes (name) values ('b')").run()
    other.close()
    await nextTurn()
    expect(await names()).toEqual(['b'])
  })

  it('waits for a write lock held by another connection without blocking the event loop, then writes', async () => {
    const other = new BetterSqlite3(file)
    other.prepare('begin immediate').run()
    let ticks = 0
    const ticking = setInterval(() => ticks++, 1)
    const writing = (async () => {
      const tx = await database.beginWrite()
      await tx.insertInto('notes').values({ name: 'c' }).execute()
      await tx.commit().execute()
    })()
    await new Promise((resolve) => setTimeout(resolve, 60))
    other.prepare("insert into notes (name) values ('held')").run()
    other.prepare('commit').run()
    other.close()
    await writing
    clearInterval(ticking)
    expect(ticks).toBeGreaterThan(5) // timers kept firing while the writer waited
    expect(await names()).toEqual(['c', 'held'])
  })

  it('gives up on a lock that is never released with a busy error', async () => {
    const other = new BetterSqlite3(file)
    other.prepare('begin immediate').run()
    try {
      await expect(database.beginWrite()).rejects.toMatchObject({ code: 'SQLITE_BUSY' })
    } finally {
      other.prepare('rollback').run()
      other.close()
    }
    const tx = await database.beginWrite() // the failed attempt gave the connection back
    await tx.insertInto('notes').values({ name: 'd' }).execute()
    await tx.commit().execute()
    expect(await names()).toEqual(['d'])
  }, 15_000)

  it('copies committed pages back into the database file in the background', async () => {
    const before = statSync(file).size
    for (let batch = 0; batch < 20; batch++) {
      const tx = await database.beginWrite()
      for (let row = 0; row < 100; row++) await tx.insertInto('notes').values({ name: `${batch}-${row}-${'x'.repeat(200)}` }).execute()
      await tx.commit().execute()
    }
    await expect.poll(() => statSync(file).size, { timeout: 5000, interval: 100 }).toBeGreaterThan(before + 200 * 1000)
  })
})
