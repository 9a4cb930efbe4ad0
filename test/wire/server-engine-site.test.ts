import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { FrappeApp } from 'frappe-js-sdk'
import { createPool } from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSites, startServer, type RunningServer, type Sites } from '../../src/app/index.js'
import { dropMariadbDatabase, dropPostgresDatabase } from '../../src/db/index.js'
import { basicAuth, silentLogger } from '../helpers/bench.js'
import { CLI_APPS, runCli, temporarySites } from '../helpers/cli.js'
import { sendRequest } from '../helpers/http-request.js'
import { MARIADB, POSTGRES, requireMariadb, requirePostgres } from '../helpers/services.js'

const SITE = 'erp.localhost'
const ADMIN = { 'X-Frappe-Site-Name': SITE, Authorization: basicAuth('Administrator', 'pg-secret'), 'Content-Type': 'application/json' }

/** Each server engine: where it is, how an operator reads it directly, and spec 7.4's column types there. */
const ENGINES = [
  {
    type: 'postgres',
    available: await requirePostgres(),
    server: POSTGRES,
    /** As an operator would with psql; `$1` placeholders, double-quoted names. */
    async query<T>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
      const client = new pg.Client({ host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database })
      await client.connect()
      try {
        return (await client.query(text.replaceAll('`', '"'), values)).rows as T[]
      } finally {
        await client.end()
      }
    },
    types: { name: 'character varying', customer_name: 'character varying', credit_limit: 'numeric', disabled: 'smallint', last_order_date: 'date', creation: 'timestamp without time zone', docstatus: 'bigint' },
    drop: dropPostgresDatabase,
  },
  {
    type: 'mariadb',
    available: await requireMariadb(),
    server: MARIADB,
    /** As an operator would with the mariadb client; `?` placeholders, backquoted names. */
    async query<T>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
      const pool = createPool({ host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database, connectionLimit: 1 })
      try {
        const [rows] = await pool.query(text.replace(/\$\d+/g, '?'), values)
        return (rows as Array<Record<string, unknown>>).map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]))) as T[]
      } finally {
        await pool.end()
      }
    },
    types: { name: 'varchar', customer_name: 'varchar', credit_limit: 'decimal', disabled: 'int', last_order_date: 'date', creation: 'datetime', docstatus: 'int' },
    drop: dropMariadbDatabase,
  },
] as const

describe.each(ENGINES)('a site on $type, created with new-site --db-type $type', ({ type, available, server: engineServer, query: queryOn, types: expectedTypes, drop }) => {
  if (!available) return
  const DATABASE = `cortado_cli_${process.pid}_${Date.now().toString(36)}_${type}`
  const query = <T>(text: string, values: unknown[] = []): Promise<T[]> => queryOn<T>(DATABASE, text, values)
  const { root, sitesPath } = temporarySites(['demo'])
  let sites: Sites
  let server: RunningServer
  const request = (method: string, path: string, body?: unknown) => sendRequest(`${server.url}${path}`, { method, headers: ADMIN, body })

  beforeAll(async () => {
    const args = ['new-site', SITE, '--db-type', type, '--db-host', engineServer.host, '--db-port', String(engineServer.port)]
    const created = await runCli([...args, '--db-name', DATABASE, '--db-user', engineServer.user, '--admin-password', 'pg-secret'], {
      CORTADO_SITES: sitesPath,
      CORTADO_APPS: CLI_APPS.demo,
    })
    expect(created.code, created.stderr).toBe(0)
    sites = await openSites({ sitesPath, appsPath: CLI_APPS.demo, logger: silentLogger })
    server = await startServer({ sites, logger: silentLogger, host: '127.0.0.1', port: 0 })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    await drop({ host: engineServer.host, port: engineServer.port, user: engineServer.user, database: DATABASE })
    rmSync(root, { recursive: true, force: true })
  })

  it('writes Frappe\'s keys to site_config.json and creates the database with the DocTypes\' tables', async () => {
    const config: unknown = JSON.parse(readFileSync(join(sitesPath, SITE, 'site_config.json'), 'utf8'))
    expect(config).toEqual({ db_type: type, db_name: DATABASE, db_host: engineServer.host, db_port: engineServer.port, db_user: engineServer.user })
    const columns = await query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_schema = ${type === 'postgres' ? 'current_schema()' : 'database()'} and table_name = 'tabCustomer' order by column_name`,
    )
    const types = Object.fromEntries(columns.map((column) => [column.column_name, column.data_type]))
    expect(types).toMatchObject(expectedTypes) // spec 7.4's column types on this engine
  })

  it('serves documents with child rows to frappe-js-sdk, with numbers, dates and datetimes as on SQLite', async () => {
    const db = new FrappeApp(server.url, undefined, 'cortado', ADMIN).db()
    const customer = await db.createDoc('Customer', { customer_name: 'Acme Postgres', credit_limit: 1250.5, disabled: 0 })
    expect(customer).toMatchObject({ name: 'Acme Postgres', credit_limit: 1250.5, customer_type: 'Company' })
    expect(customer.creation).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/)

    const order = await db.createDoc('Sales Order', {
      naming_series: 'SO-.YYYY.-.#####',
      customer: 'Acme Postgres',
      transaction_date: '2026-11-02',
      items: [
        { item_name: 'Widget', qty: 2, rate: 10.25 },
        { item_name: 'Gadget', qty: 1, rate: 99.5 },
      ],
    })
    expect(order.name).toMatch(/^SO-\d{4}-00001$/)
    const stored = await db.getDoc('Sales Order', order.name)
    expect(stored).toMatchObject({ customer: 'Acme Postgres', customer_name: 'Acme Postgres', transaction_date: '2026-11-02', docstatus: 0 })
    expect((stored.items as Array<Record<string, unknown>>).map((row) => [row.idx, row.item_name, row.qty, row.rate])).toEqual([
      [1, 'Widget', 2, 10.25],
      [2, 'Gadget', 1, 99.5],
    ])

    const second = await db.createDoc('Sales Order', { naming_series: 'SO-.YYYY.-.#####', customer: 'Acme Postgres', items: [{ item_name: 'Widget', qty: 5, rate: 1 }] })
    expect(second.name).toMatch(/^SO-\d{4}-00002$/)
    const list = await db.getDocList('Sales Order', {
      fields: ['name', 'grand_total'],
      filters: [['customer', '=', 'Acme Postgres']],
      orderBy: { field: 'name', order: 'asc' },
    })
    expect(list.map((row) => row.name)).toEqual([order.name, second.name])
    // LIKE is case-insensitive, as on SQLite and MariaDB (Frappe turns it into ILIKE on PostgreSQL).
    const found = await db.getDocList('Customer', { fields: ['name'], filters: [['customer_name', 'like', '%acme POST%']] })
    expect(found).toEqual([{ name: 'Acme Postgres' }])

    await db.updateDoc('Sales Order', order.name, { remarks: 'updated on postgres', items: [{ item_name: 'Widget', qty: 3, rate: 10.25 }] })
    const updated = await db.getDoc('Sales Order', order.name)
    expect(updated.remarks).toBe('updated on postgres')
    expect((updated.items as unknown[]).length).toBe(1)
    const rows = await query<{ count: string }>('select count(*) as count from `tabSales Order Item` where parent = $1', [order.name])
    expect(Number(rows[0]?.count)).toBe(1)
  })

  it('answers a duplicate name 409 and a unique value 417 in Frappe\'s shape, leaving nothing half-written', async () => {
    const first = await request('POST', '/api/resource/Customer', { customer_name: 'Unique Co' })
    expect(first.status).toBe(200)
    const again = await request('POST', '/api/resource/Customer', { customer_name: 'Unique Co' })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ exc_type: 'DuplicateEntryError' })
    const orders = await request('POST', '/api/resource/Sales Order', { naming_series: 'SO-.YYYY.-.#####', customer: 'Nobody Ltd', items: [{ item_name: 'X', qty: 1 }] })
    expect(orders.status).toBe(417)
    expect(orders.body).toMatchObject({ exc_type: 'LinkValidationError' })
    const count = await query<{ count: string }>("select count(*) as count from `tabCustomer` where name = 'Unique Co'")
    expect(Number(count[0]?.count)).toBe(1)
  })

  it('adds a Custom Field\'s column to the live table and takes values in it', async () => {
    const field = await request('POST', '/api/resource/Custom Field', { dt: 'Customer', fieldname: 'region', label: 'Region', fieldtype: 'Data' })
    expect(field.status, field.text).toBe(200)
    const customer = await request('POST', '/api/resource/Customer', { customer_name: 'Region Co', region: 'North' })
    expect(customer.status, customer.text).toBe(200)
    const rows = await query<{ region: string }>("select region from `tabCustomer` where name = 'Region Co'")
    expect(rows).toEqual([{ region: 'North' }])
  })
})
