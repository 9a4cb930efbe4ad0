import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSites, startServer, type RunningServer, type Sites } from '../../src/app/index.js'
import { dropMariadbDatabase, dropPostgresDatabase } from '../../src/db/index.js'
import { basicAuth, silentLogger } from '../helpers/bench.js'
import { CLI_APPS, runCli, temporarySites } from '../helpers/cli.js'
import { sendRequest, type RawResponse } from '../helpers/http-request.js'
import { MARIADB, POSTGRES, mariadbSiteConfig, postgresSiteConfig, requireMariadb, requirePostgres } from '../helpers/services.js'

const hasPostgres = await requirePostgres()
const hasMariadb = await requireMariadb()
const ADMIN = basicAuth('Administrator', 'admin')
const GADGET = 'Backup Gadget'

const { root, sitesPath } = temporarySites(['demo'])
const env = { CORTADO_SITES: sitesPath, CORTADO_APPS: CLI_APPS.demo, ADMIN_PASSWORD: 'admin' }
const targets = [
  { site: 'sqlite-copy.test', config: { db_type: 'sqlite' } },
  ...(hasPostgres ? [{ site: 'postgres-copy.test', config: postgresSiteConfig() }] : []),
  ...(hasMariadb ? [{ site: 'mariadb-copy.test', config: mariadbSiteConfig() }] : []),
]
const serverOf = (type: string) => (type === 'mariadb' ? MARIADB : POSTGRES)

let sites: Sites
let server: RunningServer

function call(site: string, method: string, path: string, body?: unknown, authorization = ADMIN): Promise<RawResponse> {
  return sendRequest(`${server.url}${path}`, { method, headers: { authorization, 'x-frappe-site-name': site, 'content-type': 'application/json' }, body })
}

async function ok(response: Promise<RawResponse>): Promise<Record<string, unknown>> {
  const done = await response
  expect(done.status, done.text).toBe(200)
  return ((done.body as { data?: unknown; message?: unknown }).data ?? (done.body as { message?: unknown }).message) as Record<string, unknown>
}

async function serve(): Promise<void> {
  await server?.stop()
  sites = await openSites({ sitesPath, appsPath: CLI_APPS.demo, logger: silentLogger })
  server = await startServer({ sites, logger: silentLogger, host: '127.0.0.1', port: 0 })
}

/** What a client sees of the source site's data, to compare across the round trip. */
async function snapshot(site: string): Promise<Record<string, unknown>> {
  const order = await ok(call(site, 'GET', '/api/resource/Sales Order?fields=["name"]&limit_page_length=1'))
  const orderName = ((order as unknown as Array<{ name: string }>)[0] ?? { name: '' }).name
  const full = await ok(call(site, 'GET', `/api/resource/Sales Order/${orderName}`))
  const pick = (doc: Record<string, unknown>) => ({ ...doc, modified: undefined })
  return {
    customer: pick(await ok(call(site, 'GET', '/api/resource/Customer/Backup Co'))),
    order: { ...pick(full), items: (full.items as Array<Record<string, unknown>>).map((row) => ({ ...row, modified: undefined })) },
    gadget: pick(await ok(call(site, 'GET', `/api/resource/${GADGET}/Widget One`))),
    clerk: (await call(site, 'GET', '/api/method/frappe.auth.get_logged_user', undefined, basicAuth('clerk@example.com', 'Clerk-Pass-42'))).body,
  }
}

beforeAll(async () => {
  const created = await runCli(['new-site', 'source.test', '--admin-password', 'admin'], env)
  expect(created.code, created.stderr).toBe(0)
  for (const { site, config } of targets) {
    const server = serverOf(config.db_type)
    const args = config.db_type === 'sqlite' ? [] : ['--db-type', config.db_type, '--db-name', (config as { db_name: string }).db_name, '--db-user', server.user, '--db-host', server.host, '--db-port', String(server.port)]
    const made = await runCli(['new-site', site, '--admin-password', 'admin', ...args], env)
    expect(made.code, made.stderr).toBe(0)
  }
  await serve()
  const source = 'source.test'
  await ok(call(source, 'POST', '/api/resource/Custom Field', { dt: 'Customer', fieldname: 'region', label: 'Region', fieldtype: 'Data' }))
  await ok(call(source, 'POST', '/api/resource/Customer', { customer_name: 'Backup Co', credit_limit: 5000.25, region: 'West' }))
  await ok(call(source, 'POST', '/api/resource/Sales Order', { naming_series: 'SO-.YYYY.-.#####', customer: 'Backup Co', transaction_date: '2026-11-03', items: [{ item_name: 'Bolt', qty: 4, rate: 2.5 }, { item_name: 'Nut', qty: 10, rate: 0.3 }] }))
  await ok(call(source, 'POST', '/api/resource/DocType', {
    name: GADGET, custom: 1, module: 'Custom', autoname: 'field:title',
    fields: [{ fieldname: 'title', fieldtype: 'Data', label: 'Title', reqd: 1 }, { fieldname: 'weight', fieldtype: 'Float', label: 'Weight' }],
    permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 }],
  }))
  await ok(call(source, 'POST', `/api/resource/${GADGET}`, { title: 'Widget One', weight: 1.75 }))
  await ok(call(source, 'POST', '/api/resource/User', { email: 'clerk@example.com', first_name: 'Clerk', new_password: 'Clerk-Pass-42', roles: [{ role: 'System Manager' }] }))
}, 180_000)

afterAll(async () => {
  await server?.stop()
  for (const { config } of targets) {
    if (config.db_type === 'sqlite') continue
    const server = serverOf(config.db_type)
    const drop = config.db_type === 'mariadb' ? dropMariadbDatabase : dropPostgresDatabase
    await drop({ host: server.host, port: server.port, user: server.user, database: (config as { db_name: string }).db_name })
  }
  rmSync(root, { recursive: true, force: true })
})

describe('cortado backup and cortado restore', () => {
  it('round-trips a site through every engine and back: documents, child rows, custom DocTypes and fields, passwords', async () => {
    const before = await snapshot('source.test')
    expect(before.clerk).toEqual({ message: 'clerk@example.com' })
    const file = join(root, 'source-backup.jsonl.gz')
    const backup = await runCli(['backup', '--site', 'source.test', '--file', file], env)
    expect(backup.code, backup.stderr).toBe(0)
    expect(existsSync(file)).toBe(true)
    expect(backup.stderr).toMatch(/backup source\.test \[#+\] 100% [\d,]+\/[\d,]+ rows/) // the progress bar

    for (const { site } of targets) {
      const restore = await runCli(['restore', file, '--site', site], env)
      expect(restore.code, restore.stderr).toBe(0)
      expect(restore.stderr).toMatch(new RegExp(`restore ${site.replaceAll('.', '\\.')} \\[#+\\] 100%`))
    }
    await serve() // as after any restore, the server starts again to load the restored DocTypes
    for (const { site } of targets) expect(await snapshot(site), site).toEqual(before)

    // And back: each server engine's backup (its own snapshot and row stream) restores into SQLite.
    for (const { site } of targets.slice(1)) {
      const again = join(root, `${site}.jsonl.gz`)
      expect((await runCli(['backup', '--site', site, '--file', again], env)).code).toBe(0)
      const restore = await runCli(['restore', again, '--site', 'sqlite-copy.test'], env)
      expect(restore.code, restore.stderr).toBe(0)
      await serve()
      expect(await snapshot('sqlite-copy.test'), `from ${site}`).toEqual(before)
    }
  })

  it('backs up the default site to sites/<site>/private/backups when no file is given', async () => {
    writeFileSync(join(sitesPath, 'common_site_config.json'), JSON.stringify({ default_site: 'source.test' }))
    const backup = await runCli(['backup'], env)
    expect(backup.code, backup.stderr).toBe(0)
    const written = backup.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg?: string; file?: string }).find((line) => line.msg === 'backup written')
    expect(written?.file).toMatch(new RegExp(`${sitesPath.replaceAll('/', '\\/')}/source\\.test/private/backups/\\d{8}_\\d{6}-source_test-database\\.jsonl\\.gz$`))
    expect(existsSync(written?.file ?? '')).toBe(true)
  })
})
