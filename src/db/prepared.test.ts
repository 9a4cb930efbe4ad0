import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql, type LogEvent } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SiteDatabase } from './database.js'
import { createSqliteDatabase } from './dialects/sqlite.js'
import { executePrepared, PreparedQuery } from './prepared.js'

describe('prepared queries', () => {
  let folder: string
  let database: SiteDatabase
  let logged: string[]

  const open = async (log?: (event: LogEvent) => void): Promise<void> => {
    database = createSqliteDatabase({ file: join(folder, 'site.sqlite3'), log })
    const tx = await database.beginWrite()
    await sql`create table if not exists notes (name text primary key, title text)`.execute(tx)
    await tx.commit().execute()
  }

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cortado-prepared-'))
    logged = []
    await open()
  })

  afterEach(async () => {
    await database.close()
    rmSync(folder, { recursive: true, force: true })
  })

  const byName = (): PreparedQuery<{ name: string; title: string }> =>
    PreparedQuery.of(database.reader.selectFrom('notes').select(['name', 'title']).where('name', '=', '')) as PreparedQuery<{ name: string; title: string }>

  it('runs one compiled statement with new values, in a transaction and on the reader', async () => {
    const insert = PreparedQuery.of(database.reader.insertInto('notes').values({ name: '', title: '' }))
    const tx = await database.beginWrite()
    await executePrepared(tx, insert.with('a', 'First'))
    await executePrepared(tx, insert.with('b', 'Second'))
    expect((await executePrepared(tx, byName().with('b'))).rows).toEqual([{ name: 'b', title: 'Second' }])
    expect((await executePrepared(database.reader, byName().with('b'))).rows).toEqual([]) // not committed yet
    await tx.commit().execute()
    expect((await executePrepared(database.reader, byName().with('a'))).rows).toEqual([{ name: 'a', title: 'First' }])
  })

  it('refuses a transaction that has ended, as Kysely does', async () => {
    const tx = await database.beginWrite()
    await tx.commit().execute()
    await expect(executePrepared(tx, byName().with('a'))).rejects.toThrow(/committed/)
  })

  it('rejects, not throws, when the statement fails', async () => {
    const insert = PreparedQuery.of(database.reader.insertInto('notes').values({ name: '', title: '' }))
    const tx = await database.beginWrite()
    await executePrepared(tx, insert.with('a', 'First'))
    const duplicate = executePrepared(tx, insert.with('a', 'Again'))
    expect(duplicate).toBeInstanceOf(Promise)
    await expect(duplicate).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })
    await tx.rollback().execute()
  })

  it('wants as many values as the builder bound', () => {
    expect(() => byName().with('a', 'b')).toThrow(/takes 1 values, not 2/)
  })

  it('goes through Kysely, and so its SQL log, when the database logs queries', async () => {
    await database.close()
    await open((event) => logged.push(event.query.sql))
    await executePrepared(database.reader, byName().with('a'))
    expect(logged.at(-1)).toMatch(/^select "name", "title" from "notes" where "name" = \?$/)
  })
})
