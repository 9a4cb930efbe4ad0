import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { database, inTransaction } from '../../src/db/index.js'
import { TimestampMismatchError } from '../../src/errors/index.js'
import { getDocument, insertDocument, saveDocument } from '../../src/model/index.js'
import { basicAuth, runAs, type TestBench } from '../helpers/bench.js'
import { insertCustomer, lifecycleBench, newOrder } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site
let server: RunningServer
let customer: string

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
  customer = String((await runAs(site, () => insertCustomer())).name)
  server = await bench.startServer()
})
afterAll(async () => {
  await bench.close()
})

async function storedOrder(): Promise<{ name: string; modified: string }> {
  const doc = await runAs(site, () => insertDocument(newOrder(customer)))
  return { name: String(doc.name), modified: String(doc.get('modified')) }
}

function storedModified(name: string): Promise<unknown> {
  return runAs(
    site,
    async () =>
      (
        await database()
          .selectFrom('tabLT Order')
          .select('modified')
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).modified,
  )
}

function put(name: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/api/resource/LT Order/${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      Authorization: basicAuth('Administrator', 'admin'),
      'X-Frappe-Site-Name': site.name,
    },
    body: JSON.stringify(body),
  })
}

describe('saveDocument optimistic locking', () => {
  it('refuses a save based on a stale modified with TimestampMismatchError', async () => {
    const { name, modified } = await storedOrder()
    const first = await runAs(site, async () => getDocument('LT Order', name))
    const second = await runAs(site, async () => getDocument('LT Order', name))
    first.set('reference', 'first')
    const saved = await runAs(site, () => saveDocument(first))
    const current = String(saved.get('modified'))
    expect(current).not.toBe(modified)

    second.set('reference', 'second')
    const attempt = runAs(site, () => saveDocument(second))
    await expect(attempt).rejects.toThrow(TimestampMismatchError)
    await expect(attempt).rejects.toThrow(
      `Error: Document has been modified after you have opened it (${current}, ${modified}). Please refresh to get the latest document.`,
    )
    expect(await storedModified(name)).toBe(current)
  })

  it('sets modified to a new value with microseconds and modified_by to the user on each save', async () => {
    const { name, modified } = await storedOrder()
    const saved = await runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.set('reference', 'changed')
      return saveDocument(doc)
    })
    expect(String(saved.get('modified'))).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)
    expect(String(saved.get('modified')) > modified).toBe(true)
    expect(saved.get('modified_by')).toBe('Administrator')
    expect(await storedModified(name)).toBe(saved.get('modified'))
  })
})

describe('PUT /api/resource/:doctype/:name optimistic locking', () => {
  it('accepts the exact modified string the client read, and refuses it once it is stale (417)', async () => {
    const { name } = await storedOrder()
    const read = (await await fetch(
      `${server.url}/api/resource/LT Order/${encodeURIComponent(name)}`,
      {
        headers: {
          Authorization: basicAuth('Administrator', 'admin'),
          'X-Frappe-Site-Name': site.name,
        },
      },
    ).then((response) => response.json())) as { data: { modified: string } }
    const modified = read.data.modified

    const ok = await put(name, { reference: 'one', modified })
    expect(ok.status).toBe(200)
    const stale = await put(name, { reference: 'two', modified })
    expect(stale.status).toBe(417)
    expect(((await stale.json()) as { exc_type: string }).exc_type).toBe('TimestampMismatchError')
  })

  it('compares the text: a stored value without a fraction matches only itself', async () => {
    const { name } = await storedOrder()
    await runAs(site, () =>
      inTransaction((tx) =>
        tx
          .updateTable('tabLT Order')
          .set({ modified: '2024-03-01 10:20:30' })
          .where('name', '=', name)
          .execute(),
      ),
    )
    const reformatted = await put(name, { reference: 'x', modified: '2024-03-01 10:20:30.000000' })
    expect(reformatted.status).toBe(417)
    const exact = await put(name, { reference: 'y', modified: '2024-03-01 10:20:30' })
    expect(exact.status).toBe(200)
    expect(((await exact.json()) as { data: { reference: string } }).data.reference).toBe('y')
  })

  it('skips the check when the client sends no modified', async () => {
    const { name } = await storedOrder()
    await runAs(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.set('reference', 'meanwhile')
      await saveDocument(doc)
    })
    const response = await put(name, { reference: 'blind' })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { data: { reference: string } }).data.reference).toBe(
      'blind',
    )
  })
})
