import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest, serverMessages, type RawResponse } from '../helpers/http-request.js'

let bench: TestBench
let site: Site
let url: string
let admin: Record<string, string>

beforeAll(async () => {
  bench = await createTestBench({ apps: ['context_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('transactions.test')
  url = (await bench.startServer()).url
  admin = { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name }
})

afterAll(async () => {
  await bench.close()
})

const reader = () => site.services.database.reader

function postOrder(values: Record<string, unknown>): Promise<RawResponse> {
  return sendRequest(`${url}/api/resource/Context Order`, { method: 'POST', headers: admin, body: values })
}

async function commitLog(titles: readonly string[]): Promise<Record<string, { runs: number; sawRow: boolean[] }>> {
  const query = new URLSearchParams({ titles: JSON.stringify(titles) })
  const response = await sendRequest(`${url}/api/method/context_test.api.commit_log?${query}`, { headers: admin })
  expect(response.status).toBe(200)
  return (response.body as { message: Record<string, { runs: number; sawRow: boolean[] }> }).message
}

async function orderNames(prefix: string): Promise<string[]> {
  const rows = await reader().selectFrom('tabContext Order').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute()
  return rows.map((row) => String(row.name))
}

describe('request transactions', () => {
  it('leaves no trace of failed writers and runs after-commit callbacks once, for committed ones only', async () => {
    const run = `tx${randomId(8)}`
    const outcomes = ['commit', 'after_nested', 'after_callback'] as const
    const plan = Array.from({ length: 60 }, (_, index) => ({
      title: `${run}-${String(index).padStart(2, '0')}`,
      outcome: outcomes[index % outcomes.length] as (typeof outcomes)[number],
    }))
    const responses = await Promise.all(
      plan.map(({ title, outcome }) =>
        postOrder({ title, fail_at: outcome === 'commit' ? undefined : outcome, items: [{ item: 'first' }, { item: 'second' }] }),
      ),
    )

    for (const [index, response] of responses.entries()) {
      const { title, outcome } = plan[index] as (typeof plan)[number]
      if (outcome === 'commit') {
        expect(response.status, response.text).toBe(200)
        const data = (response.body as { data: Record<string, unknown> }).data
        expect(data).toMatchObject({ name: title, handled_by: 'context_test', owner: 'Administrator' })
        expect((data.items as Array<Record<string, unknown>>).map((row) => row.item)).toEqual(['first', 'second'])
      } else {
        expect(response.status, response.text).toBe(417)
        expect(response.body).toMatchObject({ exc_type: 'ValidationError' })
        const why = outcome === 'after_nested' ? `${title} fails after writing its Context Log` : `${title} fails after queueing its after-commit callback`
        expect(serverMessages(response.body).map((message) => message.message)).toEqual([why])
      }
    }

    const committed = plan.filter((entry) => entry.outcome === 'commit').map((entry) => entry.title)
    expect(await orderNames(`${run}-`)).toEqual(committed)
    const items = await reader()
      .selectFrom('tabContext Order Item')
      .select(['parent', 'item', 'idx'])
      .where('parent', 'like', `${run}-%`)
      .orderBy('parent')
      .orderBy('idx')
      .execute()
    expect(items).toEqual(committed.flatMap((parent) => [{ parent, item: 'first', idx: 1 }, { parent, item: 'second', idx: 2 }]))
    const logs = await reader().selectFrom('tabContext Log').select(['title', 'ref']).where('ref', 'like', `${run}-%`).orderBy('ref').execute()
    expect(logs).toEqual(committed.map((title) => ({ title: `${title}-log`, ref: title })))

    // Each committed order's callback ran once, and by then its row was committed.
    const expectedLog = Object.fromEntries(committed.map((title) => [title, { runs: 1, sawRow: [true] }]))
    expect(await commitLog(plan.map((entry) => entry.title))).toEqual(expectedLog)
  })

  it('answers a reader while a writer waits inside a hook, without showing the uncommitted row', async () => {
    const title = `tx${randomId(8)}-held`
    const hold = `hold-${title}`
    const writer = postOrder({ title, hold, items: [{ item: 'only' }] })
    let writerSettled = false
    const markSettled = () => {
      writerSettled = true
    }
    writer.then(markSettled, markSettled)
    await waitUntilHeld(hold)

    // The writer has inserted its order and its nested log and is awaiting in on_update.
    const read = await sendRequest(`${url}/api/resource/Context Order/${title}`, { headers: admin })
    expect(read.status).toBe(404)
    expect(read.body).toMatchObject({ exc_type: 'DoesNotExistError' })
    expect(await orderNames(title)).toEqual([])
    expect(await commitLog([title])).toEqual({})
    expect(writerSettled).toBe(false)

    const released = await sendRequest(`${url}/api/method/context_test.api.release_hold`, { method: 'POST', headers: admin, body: { name: hold } })
    expect(released.body).toEqual({ message: { released: true } })
    const written = await writer
    expect(written.status, written.text).toBe(200)
    const after = await sendRequest(`${url}/api/resource/Context Order/${title}`, { headers: admin })
    expect(after.status).toBe(200)
    expect(after.body).toMatchObject({ data: { name: title, hold, handled_by: 'context_test' } })
    expect(await commitLog([title])).toEqual({ [title]: { runs: 1, sawRow: [true] } })
  })

  it('rolls back GET requests and commits POST requests', async () => {
    const run = `tx${randomId(8)}`
    const viaGet = await sendRequest(`${url}/api/method/context_test.api.insert_log?title=${run}-get`, { headers: admin })
    expect(viaGet.status).toBe(200)
    const getName = (viaGet.body as { message: string }).message
    expect(getName).toMatch(/^[0-9a-z]{10}$/)
    const viaPost = await sendRequest(`${url}/api/method/context_test.api.insert_log`, { method: 'POST', headers: admin, body: { title: `${run}-post` } })
    expect(viaPost.status).toBe(200)
    const postName = (viaPost.body as { message: string }).message

    const rows = await reader().selectFrom('tabContext Log').select(['name', 'title']).where('title', 'like', `${run}-%`).execute()
    expect(rows).toEqual([{ name: postName, title: `${run}-post` }])
    const readBack = await sendRequest(`${url}/api/resource/Context Log/${getName}`, { headers: admin })
    expect(readBack.status).toBe(404)
  })
})

/** Polls the app until a request waits at the hold `name` (the writer is inside its hook). */
async function waitUntilHeld(name: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const response = await sendRequest(`${url}/api/method/context_test.api.hold_status?name=${name}`, { headers: admin })
    if ((response.body as { message?: { held?: boolean } }).message?.held) return
    await sleep(10)
  }
  throw new Error(`nobody reached the hold ${name}`)
}
