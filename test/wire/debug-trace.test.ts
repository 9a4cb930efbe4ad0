import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site, TraceEntry } from '../../src/context/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, type TestBench } from '../helpers/bench.js'
import { sendRequest } from '../helpers/http-request.js'

/** After-commit callbacks of the app, not the realtime events every document action queues. */
const isAppCallback = (entry: TraceEntry): boolean => entry.kind === 'after_commit' && !entry.label.startsWith('realtime:')

let bench: TestBench
let developerSite: Site
let plainSite: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['context_test'], appsPath: APPS_PATHS.fixtures })
  developerSite = await bench.newSite('trace-dev.test', { developer_mode: 1 })
  plainSite = await bench.newSite('trace-plain.test')
  url = (await bench.startServer()).url
})

afterAll(async () => {
  await bench.close()
})

function postOrder(site: Site, values: Record<string, unknown>) {
  return sendRequest(`${url}/api/resource/Context Order`, {
    method: 'POST',
    headers: { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name },
    body: values,
  })
}

function traceOf(body: unknown): TraceEntry[] {
  const trace = (body as { _debug_trace?: unknown })._debug_trace
  expect(Array.isArray(trace)).toBe(true)
  return trace as TraceEntry[]
}

const hookRow = (entry: TraceEntry) => (entry.kind === 'hook' ? [entry.hook, entry.doctype, entry.name, entry.source] : undefined)

describe('_debug_trace of POST /api/resource/:doctype', () => {
  it('lists the hooks in order, the SQL, the after-commit entries and the transaction events', async () => {
    const title = `trace-${randomId(8)}`
    const response = await postOrder(developerSite, { title, items: [{ item: 'traced' }] })
    expect(response.status, response.text).toBe(200)
    expect(response.body).toMatchObject({ data: { name: title, handled_by: 'context_test' } })
    const trace = traceOf(response.body)
    const log = await developerSite.services.database.reader.selectFrom('tabContext Log').select('name').where('ref', '=', title).executeTakeFirstOrThrow()
    const logName = String(log.name)

    // Spec 6.3 insert order; the app's doc_event runs after the controller's method.
    expect(trace.map(hookRow).filter(Boolean)).toEqual([
      ['before_insert', 'Context Order', undefined, 'controller'],
      ['before_naming', 'Context Order', undefined, 'controller'],
      ['autoname', 'Context Order', undefined, 'controller'],
      ['before_validate', 'Context Order', title, 'controller'],
      ['validate', 'Context Order', title, 'controller'],
      ['before_save', 'Context Order', title, 'controller'],
      ['before_save', 'Context Order', title, 'context_test'],
      ['after_insert', 'Context Order', title, 'controller'],
      ['before_insert', 'Context Log', undefined, 'controller'],
      ['before_naming', 'Context Log', undefined, 'controller'],
      ['autoname', 'Context Log', undefined, 'controller'],
      ['before_validate', 'Context Log', logName, 'controller'],
      ['validate', 'Context Log', logName, 'controller'],
      ['before_save', 'Context Log', logName, 'controller'],
      ['after_insert', 'Context Log', logName, 'controller'],
      ['on_update', 'Context Log', logName, 'controller'],
      ['on_change', 'Context Log', logName, 'controller'],
      ['on_update', 'Context Order', title, 'controller'],
      ['on_change', 'Context Order', title, 'controller'],
    ])

    const at = (predicate: (entry: TraceEntry) => boolean) => trace.findIndex(predicate)
    const isHook = (hook: string, doctype: string, source = 'controller') => (entry: TraceEntry) =>
      entry.kind === 'hook' && entry.hook === hook && entry.doctype === doctype && entry.source === source
    const isSql = (pattern: RegExp) => (entry: TraceEntry) => entry.kind === 'sql' && pattern.test(entry.sql)

    const orderInsert = trace[at(isSql(/^insert into ["`]tabContext Order["`] /))]
    expect(orderInsert).toMatchObject({ kind: 'sql', parameters: expect.arrayContaining([title, 'context_test']) })
    expect(at(isSql(/^insert into ["`]tabContext Order["`] /))).toBeGreaterThan(at(isHook('before_save', 'Context Order', 'context_test')))
    expect(at(isSql(/^insert into ["`]tabContext Order Item["`] /))).toBeGreaterThan(at(isSql(/^insert into ["`]tabContext Order["`] /)))
    expect(at(isSql(/^insert into ["`]tabContext Order Item["`] /))).toBeLessThan(at(isHook('after_insert', 'Context Order')))
    expect(at(isSql(/^insert into ["`]tabContext Log["`] /))).toBeLessThan(at(isHook('after_insert', 'Context Log')))

    expect(trace.filter(isAppCallback)).toEqual([{ kind: 'after_commit', label: 'record_commit' }])
    expect(at(isAppCallback)).toBeGreaterThan(at(isHook('on_update', 'Context Order')))
    // Each inserted document also queues its doc_update and list_update (issue 4).
    const realtime = trace.flatMap((entry) => (entry.kind === 'after_commit' && entry.label.startsWith('realtime:') ? [JSON.parse(entry.label.slice(9)) as unknown[]] : []))
    expect(realtime.map(([event, message]) => [event, (message as { doctype: string }).doctype])).toEqual([
      ['doc_update', 'Context Log'],
      ['list_update', 'Context Log'],
      ['doc_update', 'Context Order'],
      ['list_update', 'Context Order'],
    ])

    expect(trace.filter((entry) => entry.kind === 'transaction')).toEqual([
      { kind: 'transaction', event: 'begin' },
      { kind: 'transaction', event: 'commit' },
    ])
    const commit = at((entry) => entry.kind === 'transaction' && entry.event === 'commit')
    expect(commit).toBeGreaterThan(at(isHook('on_change', 'Context Order')))
    expect(at(isSql(/^commit$/))).toBe(commit - 1)
    // The after-commit callback's own query runs once the commit is done.
    expect(trace.slice(commit + 1)).toEqual([
      { kind: 'sql', sql: expect.stringMatching(/^select ["`]name["`] from ["`]tabContext Order["`] where ["`]name["`] = (\?|\$1)$/), parameters: [title] }, // each engine's quotes and placeholder
    ])
  })

  it('shows the rollback of a failed request in its error body', async () => {
    const title = `trace-${randomId(8)}`
    const response = await postOrder(developerSite, { title, fail_at: 'after_callback' })
    expect(response.status).toBe(417)
    expect(response.body).toMatchObject({ exc_type: 'ValidationError', exc: expect.any(String) })
    const trace = traceOf(response.body)
    expect(trace.filter((entry) => entry.kind === 'transaction').map((entry) => entry.kind === 'transaction' && entry.event)).toEqual([
      'begin',
      'rollback', // the failed action opened the transaction, so rolling it back needs no savepoint
    ])
    expect(trace.filter(isAppCallback)).toEqual([{ kind: 'after_commit', label: 'record_commit' }])
    expect(trace.filter((entry) => entry.kind === 'sql' && entry.sql === 'commit')).toEqual([])
  })

  it('is absent when developer mode is off', async () => {
    const title = `plain-${randomId(8)}`
    const ok = await postOrder(plainSite, { title })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ data: { name: title } })
    expect(ok.body).not.toHaveProperty('_debug_trace')
    const failed = await postOrder(plainSite, { title: `${title}-failed`, fail_at: 'after_nested' })
    expect(failed.status).toBe(417)
    expect(failed.body).not.toHaveProperty('_debug_trace')
    expect(failed.body).not.toHaveProperty('exc')
  })
})
