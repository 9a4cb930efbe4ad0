import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import {
  cancelDocument,
  deleteDocument,
  getDocument,
  insertDocument,
  newDocument,
  renameDocument,
  saveDocument,
  submitDocument,
} from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import {
  fresh,
  insertCustomer,
  lifecycleBench,
  newOrder,
  recorded,
  recordedCalls,
  tracedHooks,
} from '../helpers/lifecycle-app.js'

// Spec 6.3: each hook runs the controller method, then the app's doc_events for the DocType,
// then those for `*`. The fixture app registers both for LT Order.
function expectedTrace(hooks: readonly string[]): string[] {
  return hooks.flatMap((hook) => [
    `controller:${hook}`,
    `lifecycle_test:${hook}`,
    `lifecycle_test:${hook}`,
  ])
}

function expectedCalls(hooks: readonly string[]): string[] {
  return hooks.flatMap((hook) => [`controller:${hook}`, `LT Order:${hook}`, `*:${hook}`])
}

const INSERT = [
  'before_insert',
  'before_naming',
  'autoname', // Frappe's set_new_name runs it as a hook when no name is set yet
  'before_validate',
  'validate',
  'before_save',
  'after_insert',
  'on_update',
  'on_change',
]
const SUBMIT_ON_INSERT = [
  'before_insert',
  'before_naming',
  'autoname', // Frappe's set_new_name runs it as a hook when no name is set yet
  'before_validate',
  'validate',
  'before_submit',
  'after_insert',
  'on_update',
  'on_submit',
  'on_change',
]
const SAVE = ['before_validate', 'validate', 'before_save', 'on_update', 'on_change']
const SUBMIT = [
  'before_validate',
  'validate',
  'before_submit',
  'on_update',
  'on_submit',
  'on_change',
]
const UPDATE_AFTER_SUBMIT = ['before_update_after_submit', 'on_update_after_submit', 'on_change']
const CANCEL = ['before_cancel', 'on_cancel', 'on_change']
const DELETE = ['on_trash', 'on_change', 'after_delete']
const RENAME = ['before_rename', 'after_rename']

let bench: TestBench
let site: Site
let customer: string

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
  customer = String((await runAs(site, () => insertCustomer())).name)
})
afterAll(async () => {
  await bench.close()
})

/** A committed LT Order, draft or submitted. */
async function storedOrder(docstatus = 0): Promise<string> {
  return runAs(site, async () =>
    String((await insertDocument(newOrder(customer, { docstatus }))).name),
  )
}

describe('insertDocument hook order', () => {
  it('runs before_insert … on_change, each followed by the DocType and * doc_events', async () => {
    const { result, trace, calls } = await recorded(site, () => insertDocument(newOrder(customer)))
    expect(result.docstatus).toBe(0)
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(INSERT))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(INSERT))
  })

  it('runs before_submit instead of before_save, and on_submit, when inserting at docstatus 1', async () => {
    const { result, trace, calls } = await recorded(site, () =>
      insertDocument(newOrder(customer, { docstatus: 1 })),
    )
    expect(result.docstatus).toBe(1)
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(SUBMIT_ON_INSERT))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(SUBMIT_ON_INSERT))
  })

  it('runs only the * doc_events for another DocType', async () => {
    const { trace, calls } = await recorded(site, () =>
      insertDocument(newDocument('LT Customer', { customer_name: fresh('Other') })),
    )
    expect(tracedHooks(trace, 'LT Customer')).toEqual(
      INSERT.flatMap((hook) => [`controller:${hook}`, `lifecycle_test:${hook}`]),
    )
    expect(recordedCalls(calls, 'LT Customer')).toEqual(INSERT.map((hook) => `*:${hook}`))
  })
})

describe('saveDocument hook order', () => {
  it('runs before_validate, validate, before_save, on_update, on_change for a draft', async () => {
    const name = await storedOrder()
    const { trace, calls } = await recorded(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.set('reference', 'changed')
      return saveDocument(doc)
    })
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(SAVE))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(SAVE))
  })

  it('runs the update-after-submit hooks when a submitted document is saved', async () => {
    const name = await storedOrder(1)
    const { trace, calls } = await recorded(site, async () => {
      const doc = await getDocument('LT Order', name)
      doc.set('remarks', 'late note')
      return saveDocument(doc)
    })
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(UPDATE_AFTER_SUBMIT))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(UPDATE_AFTER_SUBMIT))
  })
})

describe('submitDocument hook order', () => {
  it('runs before_submit, then on_update and on_submit', async () => {
    const name = await storedOrder()
    const { result, trace, calls } = await recorded(site, async () =>
      submitDocument(await getDocument('LT Order', name)),
    )
    expect(result.docstatus).toBe(1)
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(SUBMIT))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(SUBMIT))
  })
})

describe('cancelDocument hook order', () => {
  it('runs before_cancel, on_cancel, on_change', async () => {
    const name = await storedOrder(1)
    const { result, trace, calls } = await recorded(site, async () =>
      cancelDocument(await getDocument('LT Order', name)),
    )
    expect(result.docstatus).toBe(2)
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(CANCEL))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(CANCEL))
  })
})

describe('deleteDocument hook order', () => {
  it('runs on_trash, on_change, after_delete', async () => {
    const name = await storedOrder()
    const { result, trace, calls } = await recorded(site, () => deleteDocument('LT Order', name))
    expect(result).toBe(true)
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(DELETE))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(DELETE))
  })
})

describe('renameDocument hook order', () => {
  it('runs before_rename and after_rename with the old name, the new name and merge', async () => {
    const name = await storedOrder()
    const target = fresh('LTO-RENAMED').replace(' ', '-')
    const { result, trace, calls } = await recorded(site, () =>
      renameDocument('LT Order', name, target),
    )
    expect(result.name).toBe(target)
    expect(result.flags.renameArgs).toEqual([name, target, false])
    expect(tracedHooks(trace, 'LT Order')).toEqual(expectedTrace(RENAME))
    expect(recordedCalls(calls, 'LT Order')).toEqual(expectedCalls(RENAME))
  })
})
