import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Site } from '../context/index.js'
import { createSqliteDatabase, syncCacheGenerationTable, type SiteDatabase } from '../db/index.js'
import { hashPassword } from '../model/index.js'

const scryptRuns = vi.hoisted(() => ({ count: 0 }))

vi.mock('../model/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../model/index.js')>()
  return {
    ...original,
    verifyPassword: (password: string, stored: string) => {
      scryptRuns.count++
      return original.verifyPassword(password, stored)
    },
  }
})

const { authenticateHeader } = await import('./authenticate.js')

describe('API secret verification', () => {
  let folder: string
  let database: SiteDatabase
  let site: Site

  const setSecret = async (secret: string): Promise<void> => {
    const tx = await database.beginWrite()
    await tx.deleteFrom('__Auth').execute()
    await tx.insertInto('__Auth').values({ doctype: 'User', name: 'api@example.com', fieldname: 'api_secret', password: await hashPassword(secret) }).execute()
    await tx.updateTable('__cache_generation').set({ generation: sql`generation + 1` }).execute()
    await tx.commit().execute()
  }

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cortado-auth-'))
    database = createSqliteDatabase({ file: join(folder, 'site.sqlite3') })
    const tx = await database.beginWrite()
    await syncCacheGenerationTable(tx, database)
    await sql`create table "tabUser" (name text primary key, enabled integer, api_key text)`.execute(tx)
    await sql`create table "__Auth" (doctype text, name text, fieldname text, password text)`.execute(tx)
    await tx.insertInto('tabUser').values({ name: 'api@example.com', enabled: 1, api_key: 'key1' }).execute()
    await tx.commit().execute()
    await setSecret('secret1')
    site = { name: `auth-test-${Math.random()}`, config: {}, services: { database } } as unknown as Site
    scryptRuns.count = 0
  })

  afterEach(async () => {
    await database.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('runs scrypt once for many requests that arrive together with the same token', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, () => authenticateHeader(site, 'token key1:secret1')))
    expect(new Set(users)).toEqual(new Set(['api@example.com']))
    expect(scryptRuns.count).toBe(1)
    expect(await authenticateHeader(site, 'token key1:secret1')).toBe('api@example.com')
    expect(scryptRuns.count).toBe(1)
  })

  it('refuses every request of a wrong secret, and stops accepting a secret once it changes', async () => {
    const wrong = await Promise.allSettled(Array.from({ length: 5 }, () => authenticateHeader(site, 'token key1:guess')))
    expect(wrong.every((result) => result.status === 'rejected')).toBe(true)
    expect(await authenticateHeader(site, 'token key1:secret1')).toBe('api@example.com')
    await setSecret('secret2')
    await expect(authenticateHeader(site, 'token key1:secret1')).rejects.toThrow('Invalid API key or secret')
    expect(await authenticateHeader(site, 'token key1:secret2')).toBe('api@example.com')
  })
})
