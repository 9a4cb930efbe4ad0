import type { RequestContext, Site, TraceEntry } from '../../src/context/index.js'
import {
  insertDocument,
  newDocument,
  type DocValues,
  type Document,
} from '../../src/model/index.js'
import type { HookCall } from '../fixtures/apps/lifecycle_test/hook-calls.js'
import { APPS_PATHS, createTestBench, runAs, type AsUserOptions, type TestBench } from './bench.js'

export type { HookCall }

/**
 * A bench with the `lifecycle_test` fixture app and one site in developer mode, so that every
 * unit of work carries a hook trace.
 */
export async function lifecycleBench(): Promise<{ bench: TestBench; site: Site }> {
  const bench = await createTestBench({ apps: ['lifecycle_test'], appsPath: APPS_PATHS.fixtures })
  const site = await bench.newSite(undefined, { developer_mode: 1 })
  return { bench, site }
}

let sequence = 0

/** A name no other test uses: `Acme 7`. */
export function fresh(prefix: string): string {
  sequence += 1
  return `${prefix} ${sequence}`
}

/** Inserts an LT Customer (named by `customer_name`). */
export function insertCustomer(values: DocValues = {}): Promise<Document> {
  return insertDocument(newDocument('LT Customer', { customer_name: fresh('Customer'), ...values }))
}

/** A new, unsaved LT Order for `customer` with two item rows. */
export function newOrder(customer: string, values: DocValues = {}): Document {
  return newDocument('LT Order', {
    customer,
    items: [
      { item_name: 'Widget', qty: 2 },
      { item_name: 'Gadget', qty: 1 },
    ],
    ...values,
  })
}

/** What one unit of work did: its result, the hooks it traced and the calls the hooks recorded. */
export interface Recorded<T> {
  readonly result: T
  readonly trace: readonly TraceEntry[]
  readonly calls: readonly HookCall[]
}

/** Runs `fn` as one committed unit of work that records hook calls (see hook-calls.ts). */
export async function recorded<T>(
  site: Site,
  fn: (ctx: RequestContext) => Promise<T>,
  options: AsUserOptions = {},
): Promise<Recorded<T>> {
  const calls: HookCall[] = []
  let trace: readonly TraceEntry[] = []
  const result = await runAs(
    site,
    async (ctx) => {
      const value = await fn(ctx)
      trace = ctx.trace ?? []
      return value
    },
    { ...options, flags: { ...options.flags, hookCalls: calls } },
  )
  return { result, trace, calls }
}

/** The hook entries of a trace for one DocType, as `source:hook`. */
export function tracedHooks(trace: readonly TraceEntry[], doctype: string): string[] {
  return trace.flatMap((entry) =>
    entry.kind === 'hook' && entry.doctype === doctype ? [`${entry.source}:${entry.hook}`] : [],
  )
}

/** The recorded calls for one DocType, as `by:event`. */
export function recordedCalls(calls: readonly HookCall[], doctype: string): string[] {
  return calls.filter((call) => call.doctype === doctype).map((call) => `${call.by}:${call.event}`)
}
