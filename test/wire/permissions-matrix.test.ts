import { FrappeApp } from 'frappe-js-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { cancelDocument, insertDocument, newDocument, submitDocument, type DocValues } from '../../src/model/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'

/**
 * The permission matrix of issue #3: principals × DocTypes × actions over HTTP, through fetch and
 * frappe-js-sdk. EXPECTED is written by hand from Frappe v15's rules (spec 9), never computed
 * from the DocPerms the server reads, so a change to either shows up here as a named cell.
 *
 * Fixtures (test/fixtures/apps/matrix_test), all with `batch = 'fixed'`:
 * - Matrix Customer: Alpha, Beta (Administrator's), C1 Own (roleC's), C2 Own (roleC2's).
 * - Matrix Sales Order: SO Alpha (Administrator's, customer Alpha, internal_note at permlevel 1),
 *   SO Beta (Administrator's, Beta), SO C1 (roleC's, Alpha, 50), SO C2 (roleC2's, Beta, 400).
 * Actions that change a document each get their own fresh one (`batch = 'scratch'`).
 */

type Principal = 'admin' | 'guest' | 'manager' | 'roleA' | 'roleB' | 'roleC' | 'roleC2' | 'roleD' | 'roleE' | 'roleAE' | 'restricted'
type MatrixDocType = 'Matrix Sales Order' | 'Matrix Customer'
type Action =
  | 'list' | 'list level1' | 'count' | 'get' | 'insert' | 'update' | 'delete' | 'submit' | 'cancel' | 'amend' | 'report'
  // if_owner: a document the user owns (the plain actions target someone else's)
  | 'get own' | 'update own' | 'delete own'
  // User Permissions: documents of a Customer the user is not allowed, and attempts to widen
  | 'get other customer' | 'insert other customer' | 'update other customer' | 'move to other customer' | 'delete other customer'
  | 'count other customer' | 'list or_filters' | 'count or_filters' | 'report or_filters' | 'aggregate' | 'report aggregate'

/** An HTTP status (200 and 202 for success), or 200 with these visible rows / this count / these groups. */
type Expectation =
  | number
  | { readonly rows: readonly string[] }
  | { readonly count: number }
  | { readonly level1: boolean }
  | { readonly groups: ReadonlyArray<Record<string, unknown>> }

/** Who acts, with which roles, and how they authenticate (token auth goes through frappe-js-sdk). */
const PRINCIPALS: Record<Principal, { readonly label: string; readonly roles: readonly string[]; readonly auth: 'basic' | 'token' | 'none' }> = {
  admin: { label: 'Administrator', roles: [], auth: 'basic' },
  guest: { label: 'Guest', roles: [], auth: 'none' },
  manager: { label: 'System Manager', roles: ['System Manager'], auth: 'token' },
  roleA: { label: 'A (create/write, no submit)', roles: ['Matrix Author'], auth: 'token' },
  roleB: { label: 'B (submit/cancel, no delete)', roles: ['Matrix Approver'], auth: 'token' },
  roleC: { label: 'C (if_owner read)', roles: ['Matrix Owner Reader'], auth: 'basic' },
  roleC2: { label: 'C, second user', roles: ['Matrix Owner Reader'], auth: 'basic' },
  roleD: { label: 'D (report only)', roles: ['Matrix Reporter'], auth: 'token' },
  roleE: { label: 'E (permlevel-1 read only)', roles: ['Matrix Field Reader'], auth: 'basic' },
  roleAE: { label: 'A+E', roles: ['Matrix Author', 'Matrix Field Reader'], auth: 'token' },
  restricted: { label: 'Sales User restricted to Customer Alpha', roles: ['Matrix Sales User'], auth: 'token' },
}

const ALL_ORDERS = { rows: ['SO Alpha', 'SO Beta', 'SO C1', 'SO C2'] } as const
const ALL_CUSTOMERS = { rows: ['Alpha', 'Beta', 'C1 Own', 'C2 Own'] } as const
const EVERY_ACTION_REFUSED_ORDER = {
  list: 403, count: 403, get: 403, insert: 403, update: 403, delete: 403, submit: 403, cancel: 403, amend: 403, report: 403,
} as const
const EVERY_ACTION_REFUSED_CUSTOMER = { list: 403, count: 403, get: 403, insert: 403, update: 403, delete: 403, report: 403 } as const

/**
 * The expected outcome of every cell: principal → DocType → action. `count` is
 * frappe.client.get_count, which Frappe v15 runs without any permission check; issue #3 (spec
 * 9.3) asks for counts restricted like lists, so that is what these cells expect.
 */
const EXPECTED: Record<Principal, Partial<Record<MatrixDocType, Partial<Record<Action, Expectation>>>>> = {
  admin: {
    'Matrix Sales Order': {
      list: ALL_ORDERS, count: { count: 4 }, get: { level1: true }, insert: 200, update: 200, delete: 202,
      submit: 200, cancel: 200, amend: 200, report: ALL_ORDERS,
    },
    'Matrix Customer': { list: ALL_CUSTOMERS, count: { count: 4 }, get: { level1: true }, insert: 200, update: 200, delete: 202, report: ALL_CUSTOMERS },
  },
  guest: {
    'Matrix Sales Order': EVERY_ACTION_REFUSED_ORDER,
    'Matrix Customer': EVERY_ACTION_REFUSED_CUSTOMER,
  },
  // System Manager has no bypass: these are what its DocPerm rows grant.
  manager: {
    'Matrix Sales Order': {
      list: ALL_ORDERS, 'list level1': { level1: true }, count: { count: 4 }, get: { level1: true }, insert: 200, update: 200, delete: 202,
      submit: 200, cancel: 200, amend: 200, report: ALL_ORDERS,
    },
    'Matrix Customer': { list: ALL_CUSTOMERS, count: { count: 4 }, get: { level1: true }, insert: 200, update: 200, delete: 202, report: ALL_CUSTOMERS },
  },
  roleA: {
    'Matrix Sales Order': {
      list: ALL_ORDERS, 'list level1': { level1: false }, count: { count: 4 }, get: { level1: false }, insert: 200, update: 200, delete: 202,
      submit: 403, cancel: 403, amend: 403, report: ALL_ORDERS,
      aggregate: { groups: [{ customer: 'Alpha', n: 2, total: 150 }, { customer: 'Beta', n: 2, total: 600 }] },
    },
    'Matrix Customer': {
      list: ALL_CUSTOMERS, 'list level1': { level1: false }, count: { count: 4 }, get: { level1: false }, insert: 403, update: 403, delete: 403, report: ALL_CUSTOMERS,
    },
  },
  // No `report` right, but frappe.desk.reportview.get needs only read (Frappe v15).
  roleB: {
    'Matrix Sales Order': {
      list: ALL_ORDERS, count: { count: 4 }, get: { level1: false }, insert: 200, update: 200, delete: 403,
      submit: 200, cancel: 200, amend: 200, report: ALL_ORDERS,
    },
    'Matrix Customer': EVERY_ACTION_REFUSED_CUSTOMER,
  },
  roleC: {
    'Matrix Sales Order': {
      list: { rows: ['SO C1'] }, count: { count: 1 }, get: 403, 'get own': { level1: false }, insert: 403,
      update: 403, 'update own': 403, delete: 403, 'delete own': 403, submit: 403, cancel: 403, amend: 403, report: { rows: ['SO C1'] },
      'list or_filters': { rows: ['SO C1'] }, 'count or_filters': { count: 1 }, aggregate: { groups: [{ customer: 'Alpha', n: 1, total: 50 }] },
    },
    'Matrix Customer': {
      list: { rows: ['C1 Own'] }, count: { count: 1 }, get: 403, 'get own': { level1: false }, insert: 200,
      update: 403, 'update own': 200, delete: 403, 'delete own': 202, report: { rows: ['C1 Own'] },
    },
  },
  roleC2: {
    'Matrix Sales Order': { list: { rows: ['SO C2'] }, count: { count: 1 }, get: 403, 'get own': { level1: false }, report: { rows: ['SO C2'] } },
    'Matrix Customer': { list: { rows: ['C2 Own'] }, count: { count: 1 }, get: 403, 'get own': { level1: false }, report: { rows: ['C2 Own'] } },
  },
  // `report` alone opens nothing: lists and reports need read (Frappe v15).
  roleD: {
    'Matrix Sales Order': EVERY_ACTION_REFUSED_ORDER,
    'Matrix Customer': { list: ALL_CUSTOMERS, count: { count: 4 }, get: { level1: false }, insert: 403, update: 403, delete: 403, report: ALL_CUSTOMERS },
  },
  // A permlevel-1 row without a permlevel-0 one grants no access to the document.
  roleE: {
    'Matrix Sales Order': EVERY_ACTION_REFUSED_ORDER,
    'Matrix Customer': EVERY_ACTION_REFUSED_CUSTOMER,
  },
  roleAE: {
    'Matrix Sales Order': { list: ALL_ORDERS, 'list level1': { level1: true }, count: { count: 4 }, get: { level1: true }, report: ALL_ORDERS },
    'Matrix Customer': { list: ALL_CUSTOMERS, 'list level1': { level1: true }, count: { count: 4 }, get: { level1: true }, report: ALL_CUSTOMERS },
  },
  // The plain actions target Customer Alpha's orders, the one Customer this user is allowed.
  restricted: {
    'Matrix Sales Order': {
      list: { rows: ['SO Alpha', 'SO C1'] }, 'list level1': { level1: false }, count: { count: 2 }, get: { level1: false }, insert: 200, update: 200, delete: 202,
      submit: 200, cancel: 200, amend: 200, report: { rows: ['SO Alpha', 'SO C1'] },
      'get other customer': 403, 'insert other customer': 403, 'update other customer': 403, 'move to other customer': 403,
      'delete other customer': 403, 'count other customer': { count: 0 }, 'count or_filters': { count: 2 },
      'list or_filters': { rows: ['SO Alpha', 'SO C1'] }, 'report or_filters': { rows: ['SO Alpha', 'SO C1'] },
      aggregate: { groups: [{ customer: 'Alpha', n: 2, total: 150 }] },
      'report aggregate': { groups: [{ customer: 'Alpha', n: 2, total: 150 }] },
    },
    'Matrix Customer': {
      list: { rows: ['Alpha'] }, count: { count: 1 }, get: { level1: false }, insert: 403, update: 403, delete: 403, report: { rows: ['Alpha'] },
      'get other customer': 403, 'count other customer': { count: 0 }, 'list or_filters': { rows: ['Alpha'] }, 'count or_filters': { count: 1 },
    },
  },
}

interface Cell {
  readonly principal: Principal
  readonly doctype: MatrixDocType
  readonly action: Action
  readonly expected: Expectation
  readonly label: string
}

function describeExpectation(expected: Expectation): string {
  if (typeof expected === 'number') return String(expected)
  if ('rows' in expected) return `rows [${expected.rows.join(', ')}]`
  if ('count' in expected) return `count ${expected.count}`
  if ('level1' in expected) return expected.level1 ? '200 with permlevel-1 field' : '200 without permlevel-1 field'
  return `groups ${JSON.stringify(expected.groups)}`
}

const CELLS: Cell[] = Object.entries(EXPECTED).flatMap(([principal, byDoctype]) =>
  Object.entries(byDoctype).flatMap(([doctype, byAction]) =>
    Object.entries(byAction).map(([action, expected]) => ({
      principal: principal as Principal,
      doctype: doctype as MatrixDocType,
      action: action as Action,
      expected,
      label: `${PRINCIPALS[principal as Principal].label} | ${doctype} | ${action} → ${describeExpectation(expected)}`,
    })),
  ),
)

type Filter = [string, '=' | 'like', string]

interface ListQuery {
  readonly fields: string[]
  readonly filters: Filter[]
  readonly orFilters?: Filter[]
  readonly groupBy?: string
}

interface Reply {
  readonly status: number
  readonly data: unknown
}

/** The calls a test makes, by fetch or by frappe-js-sdk. */
interface Client {
  list(doctype: string, query: ListQuery): Promise<Reply>
  count(doctype: string, filters: Filter[]): Promise<Reply>
  get(doctype: string, name: string): Promise<Reply>
  insert(doctype: string, body: Record<string, unknown>): Promise<Reply>
  update(doctype: string, name: string, body: Record<string, unknown>): Promise<Reply>
  remove(doctype: string, name: string): Promise<Reply>
  /** GET /api/method/<method>; replies with `message`. */
  call(method: string, args: Record<string, unknown>): Promise<Reply>
}

function queryString(args: Record<string, unknown>): string {
  return Object.entries(args)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`)
    .join('&')
}

function fetchClient(url: string, headers: Record<string, string>): Client {
  const send = async (method: string, path: string, key: 'data' | 'message', body?: unknown): Promise<Reply> => {
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const json = (await response.json()) as Record<string, unknown>
    return { status: response.status, data: response.ok ? json[key] : json }
  }
  const resource = (doctype: string, name?: string): string =>
    `/api/resource/${encodeURIComponent(doctype)}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`
  return {
    list: (doctype, query) =>
      send('GET', `${resource(doctype)}?${queryString({ fields: query.fields, filters: query.filters, or_filters: query.orFilters, group_by: query.groupBy, limit: 100 })}`, 'data'),
    count: (doctype, filters) => send('GET', `/api/method/frappe.client.get_count?${queryString({ doctype, filters })}`, 'message'),
    get: (doctype, name) => send('GET', resource(doctype, name), 'data'),
    insert: (doctype, body) => send('POST', resource(doctype), 'data', body),
    update: (doctype, name, body) => send('PUT', resource(doctype, name), 'data', body),
    remove: (doctype, name) => send('DELETE', resource(doctype, name), 'data'),
    call: (method, args) => send('GET', `/api/method/${method}?${queryString(args)}`, 'message'),
  }
}

/** frappe-js-sdk's own methods; the status of a success is read off its axios instance. */
function sdkClient(app: FrappeApp): Client {
  let lastStatus = 0
  app.axios.interceptors.response.use((response) => {
    lastStatus = response.status
    return response
  })
  const settle = async (run: () => Promise<unknown>): Promise<Reply> => {
    try {
      const data = await run()
      return { status: lastStatus, data }
    } catch (error) {
      return { status: (error as { httpStatus?: number }).httpStatus ?? 0, data: error }
    }
  }
  const db = app.db()
  return {
    list: (doctype, query) =>
      settle(() => db.getDocList(doctype, { fields: query.fields, filters: query.filters, orFilters: query.orFilters, groupBy: query.groupBy, limit: 100 })),
    count: (doctype, filters) => settle(() => db.getCount(doctype, filters)),
    get: (doctype, name) => settle(() => db.getDoc(doctype, name)),
    insert: (doctype, body) => settle(() => db.createDoc(doctype, body)),
    update: (doctype, name, body) => settle(() => db.updateDoc(doctype, name, body)),
    remove: (doctype, name) => settle(() => db.deleteDoc(doctype, name)),
    call: (method, args) => settle(async () => ((await app.call().get(method, args)) as { message?: unknown }).message),
  }
}

/** The field that names a fixture row in lists, and the field at permlevel 1. */
const KEY_FIELD: Record<MatrixDocType, string> = { 'Matrix Sales Order': 'title', 'Matrix Customer': 'name' }
const LEVEL1_FIELD: Record<MatrixDocType, string> = { 'Matrix Sales Order': 'internal_note', 'Matrix Customer': 'credit_limit' }
const FIXED: Filter = ['batch', '=', 'fixed']
const WIDENING: Record<MatrixDocType, Filter[]> = {
  'Matrix Sales Order': [['customer', '=', 'Beta'], ['title', 'like', 'SO%']],
  'Matrix Customer': [['name', '=', 'Beta'], ['name', 'like', '%']],
}
const OF_OTHER_CUSTOMER: Record<MatrixDocType, Filter> = { 'Matrix Sales Order': ['customer', '=', 'Beta'], 'Matrix Customer': ['name', '=', 'Beta'] }
const AGGREGATE_FIELDS = ['customer', 'count(name) as n', 'sum(amount) as total']

/** `frappe.desk.reportview.get`'s `{keys, values}` (or `[]`) as row objects. */
function decompress(message: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(message)) return []
  const { keys, values } = message as { keys: string[]; values: unknown[][] }
  return values.map((row) => Object.fromEntries(keys.map((key, index) => [key, row[index]])))
}

describe('permission matrix over /api (issue #3, spec 9)', () => {
  let bench: TestBench
  let server: RunningServer
  let site: Site
  const users = new Map<Principal, string>()
  const clients = new Map<Principal, Client>()
  const fixed = new Map<string, string>() // title → name of the fixed Sales Orders
  const targets = new Map<string, string>() // cell label → the document it acts on
  let scratch = 0

  const siteHeader = (): Record<string, string> => ({ 'X-Frappe-Site-Name': site.name, 'Content-Type': 'application/json' })
  const admin = (): Client => clients.get('admin') as Client

  async function expectOk(reply: Promise<Reply>): Promise<Record<string, unknown>> {
    const { status, data } = await reply
    if (status !== 200) throw new Error(`setup request failed with ${status}: ${JSON.stringify(data)}`)
    return data as Record<string, unknown>
  }

  /** A user made over the API by Administrator, with a password and, for token auth, an API key. */
  async function createPrincipal(principal: Principal): Promise<void> {
    const { roles, auth } = PRINCIPALS[principal]
    if (auth === 'none') {
      clients.set(principal, fetchClient(server.url, siteHeader()))
      return
    }
    if (principal === 'admin') {
      users.set(principal, 'Administrator')
      clients.set(principal, fetchClient(server.url, { ...siteHeader(), Authorization: basicAuth('Administrator', 'admin') }))
      return
    }
    const email = `${principal.toLowerCase()}@matrix.test`
    const password = 'matrix-Pass-1'
    await expectOk(admin().insert('User', { email, first_name: principal, new_password: password, roles: roles.map((role) => ({ role })) }))
    users.set(principal, email)
    if (auth === 'basic') {
      clients.set(principal, fetchClient(server.url, { ...siteHeader(), Authorization: basicAuth(email, password) }))
      return
    }
    const keys = await fetch(`${server.url}/api/method/frappe.core.doctype.user.user.generate_keys`, {
      method: 'POST',
      headers: { ...siteHeader(), Authorization: basicAuth('Administrator', 'admin') },
      body: JSON.stringify({ user: email }),
    })
    const secret = ((await keys.json()) as { message?: { api_secret?: string } }).message?.api_secret
    const key = (await expectOk(admin().get('User', email))).api_key
    if (typeof secret !== 'string' || typeof key !== 'string') throw new Error(`no API key for ${email}`)
    const app = new FrappeApp(server.url, { useToken: true, token: () => `${key}:${secret}`, type: 'token' }, 'matrix', { 'X-Frappe-Site-Name': site.name })
    clients.set(principal, sdkClient(app))
  }

  /** Inserts (and submits or cancels) a document as `user`, permissions aside; returns its name. */
  async function insertAs(user: string, doctype: MatrixDocType, values: DocValues, docstatus: 0 | 1 | 2 = 0): Promise<string> {
    return runAs(site, async () => {
      const doc = await insertDocument(newDocument(doctype, values), { ignorePermissions: true })
      if (docstatus >= 1) await submitDocument(doc, { ignorePermissions: true })
      if (docstatus === 2) await cancelDocument(doc, { ignorePermissions: true })
      return String(doc.name)
    }, { user })
  }

  function scratchValues(doctype: MatrixDocType, customer: string): DocValues {
    scratch += 1
    return doctype === 'Matrix Customer'
      ? { customer_name: `Scratch ${scratch}`, batch: 'scratch' }
      : { title: `Scratch ${scratch}`, batch: 'scratch', customer, amount: 1 }
  }

  /** The document a cell acts on: a fixture for reads, a fresh one for each change. */
  async function targetOf(cell: Cell): Promise<string | undefined> {
    const user = users.get(cell.principal) ?? 'Administrator'
    const orders = cell.doctype === 'Matrix Sales Order'
    const own = cell.principal === 'roleC2' ? 'C2' : 'C1'
    switch (cell.action) {
      case 'get': return orders ? fixed.get('SO Alpha') : 'Alpha'
      case 'get own': return orders ? fixed.get(`SO ${own}`) : `${own} Own`
      case 'get other customer': return orders ? fixed.get('SO Beta') : 'Beta'
      case 'update': case 'delete': case 'submit': case 'move to other customer':
        return insertAs('Administrator', cell.doctype, scratchValues(cell.doctype, 'Alpha'))
      case 'cancel': return insertAs('Administrator', cell.doctype, scratchValues(cell.doctype, 'Alpha'), 1)
      case 'amend': return insertAs('Administrator', cell.doctype, scratchValues(cell.doctype, 'Alpha'), 2)
      case 'update own': case 'delete own': return insertAs(user, cell.doctype, scratchValues(cell.doctype, 'Alpha'))
      case 'update other customer': case 'delete other customer':
        return insertAs('Administrator', cell.doctype, scratchValues(cell.doctype, 'Beta'))
      default: return undefined
    }
  }

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['matrix_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
    server = await bench.startServer()
    for (const principal of Object.keys(PRINCIPALS) as Principal[]) await createPrincipal(principal)
    const customer = (name: string, extra: DocValues = {}) => ({ customer_name: name, batch: 'fixed', ...extra })
    await expectOk(admin().insert('Matrix Customer', customer('Alpha', { credit_limit: 5000 })))
    await expectOk(admin().insert('Matrix Customer', customer('Beta', { credit_limit: 7000 })))
    await expectOk((clients.get('roleC') as Client).insert('Matrix Customer', customer('C1 Own')))
    await expectOk((clients.get('roleC2') as Client).insert('Matrix Customer', customer('C2 Own')))
    await expectOk(admin().insert('User Permission', { user: users.get('restricted'), allow: 'Matrix Customer', for_value: 'Alpha', apply_to_all_doctypes: 1 }))
    const order = (title: string, customerName: string, amount: number) => ({ title, batch: 'fixed', customer: customerName, amount, internal_note: `note ${title}` })
    fixed.set('SO Alpha', String((await expectOk(admin().insert('Matrix Sales Order', order('SO Alpha', 'Alpha', 100)))).name))
    fixed.set('SO Beta', String((await expectOk(admin().insert('Matrix Sales Order', order('SO Beta', 'Beta', 200)))).name))
    // roleC has no create right on orders: its own ones are made for it, as it.
    fixed.set('SO C1', await insertAs(users.get('roleC') ?? '', 'Matrix Sales Order', order('SO C1', 'Alpha', 50)))
    fixed.set('SO C2', await insertAs(users.get('roleC2') ?? '', 'Matrix Sales Order', order('SO C2', 'Beta', 400)))
    for (const cell of CELLS) {
      const target = await targetOf(cell)
      if (target !== undefined) targets.set(cell.label, target)
    }
  })
  afterAll(() => bench.close())

  /** Performs the cell's action and checks what a success must have changed. */
  async function perform(cell: Cell, client: Client, target: string): Promise<Reply> {
    const { doctype } = cell
    const key = KEY_FIELD[doctype]
    const report = (extra: Record<string, unknown>) => client.call('frappe.desk.reportview.get', { doctype, fields: [key], filters: [FIXED], ...extra })
    const insertValues = (customer: string): Record<string, unknown> => ({ ...scratchValues(doctype, customer) })
    switch (cell.action) {
      case 'list': return client.list(doctype, { fields: [key], filters: [FIXED] })
      case 'list level1': return client.list(doctype, { fields: [key, LEVEL1_FIELD[doctype]], filters: [FIXED] })
      case 'list or_filters': return client.list(doctype, { fields: [key], filters: [FIXED], orFilters: WIDENING[doctype] })
      case 'aggregate': return client.list(doctype, { fields: AGGREGATE_FIELDS, filters: [FIXED], groupBy: 'customer' })
      case 'count': return client.count(doctype, [FIXED])
      case 'count other customer': return client.count(doctype, [FIXED, OF_OTHER_CUSTOMER[doctype]])
      // frappe.client.get_count takes no or_filters; the desk's count does
      case 'count or_filters': return client.call('frappe.desk.reportview.get_count', { doctype, filters: [FIXED], or_filters: WIDENING[doctype] })
      case 'report': return report({})
      case 'report or_filters': return report({ or_filters: WIDENING[doctype] })
      case 'report aggregate': return report({ fields: AGGREGATE_FIELDS, group_by: 'customer' })
      case 'get': case 'get own': case 'get other customer': return client.get(doctype, target)
      case 'insert': return client.insert(doctype, insertValues('Alpha'))
      case 'insert other customer': return client.insert(doctype, insertValues('Beta'))
      case 'update': case 'update own': case 'update other customer': return client.update(doctype, target, { batch: 'updated' })
      case 'move to other customer': return client.update(doctype, target, { customer: 'Beta' })
      case 'delete': case 'delete own': case 'delete other customer': return client.remove(doctype, target)
      case 'submit': return client.update(doctype, target, { docstatus: 1 })
      case 'cancel': return client.update(doctype, target, { docstatus: 2 })
      case 'amend': return client.insert(doctype, { ...insertValues('Alpha'), amended_from: target })
    }
  }

  /** What the reply shows, in the shape of the expectation, so a failing cell prints both side by side. */
  function observe(cell: Cell, reply: Reply): Expectation {
    const { expected, doctype } = cell
    if (typeof expected === 'number' || reply.status !== 200) return reply.status
    const reportRows = cell.action.startsWith('report')
    const rows = (reportRows ? decompress(reply.data) : reply.data) as Array<Record<string, unknown>>
    if ('rows' in expected) return { rows: rows.map((row) => String(row[KEY_FIELD[doctype]])).sort() }
    if ('groups' in expected) return { groups: [...rows].sort((a, b) => String(a.customer).localeCompare(String(b.customer))) }
    if ('count' in expected) return { count: Number(reply.data) }
    const withLevel1 = Array.isArray(reply.data) ? rows : [reply.data as Record<string, unknown>]
    return { level1: withLevel1.length > 0 && withLevel1.every((row) => Object.hasOwn(row, LEVEL1_FIELD[doctype])) }
  }

  /** The change a successful write must have made. */
  function checkEffect(cell: Cell, reply: Reply, target: string): void {
    const doc = reply.data as Record<string, unknown>
    const user = users.get(cell.principal)
    if (cell.action.startsWith('insert')) expect(doc.owner).toBe(user)
    if (cell.action.startsWith('update')) expect(doc.batch).toBe('updated')
    if (cell.action === 'submit') expect(doc.docstatus).toBe(1)
    if (cell.action === 'cancel') expect(doc.docstatus).toBe(2)
    if (cell.action === 'amend') expect([doc.amended_from, doc.docstatus]).toEqual([target, 0])
  }

  it.each(CELLS.map((cell) => [cell.label, cell] as const))('%s', async (_label, cell) => {
    const client = clients.get(cell.principal) as Client
    const target = targets.get(cell.label) ?? ''
    const reply = await perform(cell, client, target)
    expect(observe(cell, reply), JSON.stringify(reply.data)).toEqual(cell.expected)
    if (reply.status === 200 && typeof cell.expected === 'number') checkEffect(cell, reply, target)
  })
})
