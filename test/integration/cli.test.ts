import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSites, startServer, type RunningServer, type Sites } from '../../src/app/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { basicAuth, runAs, silentLogger } from '../helpers/bench.js'
import { CLI_APPS, freePort, runCli, startCli, temporarySites } from '../helpers/cli.js'
import { sendRequest, serverMessages } from '../helpers/http-request.js'

const roots: string[] = []

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A bench folder with the context_test app, removed after the file's tests. */
function fixtureBench(): { sitesPath: string; env: Record<string, string> } {
  const { root, sitesPath } = temporarySites(['context_test'])
  roots.push(root)
  return { sitesPath, env: { CORTADO_SITES: sitesPath, CORTADO_APPS: CLI_APPS.fixtures } }
}

/** Reads a site's SQLite file directly, as an operator would. */
function readDatabase<T>(file: string, read: (database: BetterSqlite3.Database) => T): T {
  const database = new BetterSqlite3(file, { readonly: true })
  try {
    return read(database)
  } finally {
    database.close()
  }
}

function loggedUser(url: string, site: string, user: string, password: string) {
  return sendRequest(`${url}/api/method/frappe.auth.get_logged_user`, {
    headers: { authorization: basicAuth(user, password), 'x-frappe-site-name': site },
  })
}

describe('cortado --help', () => {
  it('prints usage for the program and for each command, exiting 0', async () => {
    const commands = ['new-site', 'migrate', 'serve', 'set-admin-password', 'start']
    const results = await Promise.all([runCli(['--help']), ...commands.map((command) => runCli([command, '--help']))])
    const [program, ...perCommand] = results
    expect(program?.code).toBe(0)
    expect(program?.stdout).toMatch(/^Usage: cortado \[options\] \[command\]/)
    for (const command of commands) expect(program?.stdout).toContain(command)
    for (const [index, result] of perCommand.entries()) {
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^Usage: cortado ${commands[index]} \\[options\\]`))
      expect(result.stdout).toContain('-h, --help')
    }
  })
})

describe('cortado new-site and set-admin-password', () => {
  const { sitesPath, env } = fixtureBench()
  let sites: Sites
  let server: RunningServer

  beforeAll(async () => {
    const [withFlag, withEnvironment] = await Promise.all([
      runCli(['new-site', 'flag.test', '--admin-password', 'flag-secret'], env),
      runCli(['new-site', 'env.test'], { ...env, ADMIN_PASSWORD: 'env-secret' }),
    ])
    expect(withFlag.code, withFlag.stderr).toBe(0)
    expect(withEnvironment.code, withEnvironment.stderr).toBe(0)
    sites = await openSites({ sitesPath, appsPath: CLI_APPS.fixtures, logger: silentLogger })
    server = await startServer({ sites, logger: silentLogger, host: '127.0.0.1', port: 0 })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('creates site_config.json and a SQLite database in WAL mode', () => {
    for (const site of ['flag.test', 'env.test']) {
      const config: unknown = JSON.parse(readFileSync(join(sitesPath, site, 'site_config.json'), 'utf8'))
      expect(config).toEqual({ db_type: 'sqlite' })
      readDatabase(join(sitesPath, site, 'site.sqlite3'), (database) => {
        expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
        const admin = database.prepare('select name, enabled from tabUser where name = ?').get('Administrator')
        expect(admin).toEqual({ name: 'Administrator', enabled: 1 })
      })
    }
  })

  it('gives Administrator the password from --admin-password or ADMIN_PASSWORD', async () => {
    const viaFlag = await loggedUser(server.url, 'flag.test', 'Administrator', 'flag-secret')
    expect(viaFlag.status).toBe(200)
    expect(viaFlag.body).toEqual({ message: 'Administrator' })
    const viaEnvironment = await loggedUser(server.url, 'env.test', 'Administrator', 'env-secret')
    expect(viaEnvironment.body).toEqual({ message: 'Administrator' })
    const crossed = await loggedUser(server.url, 'env.test', 'Administrator', 'flag-secret')
    expect(crossed.status).toBe(401)
    expect(crossed.body).toMatchObject({ exc_type: 'AuthenticationError' })
  })

  it('replaces the password: the old one fails with 401 in Frappe\'s shape, the new one works', async () => {
    const before = await loggedUser(server.url, 'flag.test', 'Administrator', 'flag-secret')
    expect(before.body).toEqual({ message: 'Administrator' })
    const changed = await runCli(['set-admin-password', 'changed-secret', '--site', 'flag.test'], env)
    expect(changed.code, changed.stderr).toBe(0)

    const old = await loggedUser(server.url, 'flag.test', 'Administrator', 'flag-secret')
    expect(old.status).toBe(401)
    expect(old.body).toMatchObject({
      exc_type: 'AuthenticationError',
      exception: 'frappe.exceptions.AuthenticationError: Invalid login credentials',
    })
    expect(serverMessages(old.body).map((message) => message.message)).toEqual(['Invalid login credentials'])
    const fresh = await loggedUser(server.url, 'flag.test', 'Administrator', 'changed-secret')
    expect(fresh.status).toBe(200)
    expect(fresh.body).toEqual({ message: 'Administrator' })
    // The other site keeps its own password.
    expect((await loggedUser(server.url, 'env.test', 'Administrator', 'env-secret')).status).toBe(200)
  })
})

describe('cortado migrate', () => {
  it('is idempotent and keeps every row', async () => {
    const { sitesPath, env } = fixtureBench()
    expect((await runCli(['new-site', 'migrate.test', '--admin-password', 'pw'], env)).code).toBe(0)
    const titles = [`keep-${randomId(6)}`, `keep-${randomId(6)}`]
    const countRows = () => readDatabase(join(sitesPath, 'migrate.test', 'site.sqlite3'), (database) => ({
      probes: database.prepare('select name, probe_user from "tabContext Probe" order by name').all(),
      users: database.prepare('select name from tabUser order by name').all(),
      doctypes: database.prepare('select count(*) as n from tabDocType').get(),
    }))
    const sites = await openSites({ sitesPath, appsPath: CLI_APPS.fixtures, logger: silentLogger })
    await runAs(await sites.get('migrate.test'), async () => {
      for (const title of titles) await insertDocument(newDocument('Context Probe', { title }))
    })
    await sites.close()
    const before = countRows()
    expect(before.probes).toEqual([...titles].sort().map((name) => ({ name, probe_user: 'Administrator' })))

    for (let pass = 0; pass < 2; pass++) {
      const migrated = await runCli(['migrate'], env)
      expect(migrated.code, migrated.stderr).toBe(0)
      const report = migrated.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(report.filter((line) => line.msg === 'migrated')).toEqual([expect.objectContaining({ site: 'migrate.test', changed: [] })])
      expect(countRows()).toEqual(before)
    }
  })
})

describe('cortado start', () => {
  it('creates the demo site on an empty folder, warns about the default password and serves', async () => {
    const { root, sitesPath } = temporarySites()
    roots.push(root)
    rmSync(sitesPath, { recursive: true, force: true }) // nothing there at all
    const port = await freePort()
    const server = startCli(['start'], { CORTADO_SITES: sitesPath, CORTADO_APPS: CLI_APPS.demo, PORT: String(port) })
    try {
      await server.waitForLog((line) => line.msg === 'Cortado is serving')
      const warning = server.logLines().find((line) => line.level === 40)
      expect(String(warning?.msg)).toMatch(/^ADMIN_PASSWORD is not set: the Administrator password is "admin"/)
      expect(existsSync(join(sitesPath, 'demo.localhost', 'site_config.json'))).toBe(true)

      const base = `http://127.0.0.1:${port}`
      expect((await sendRequest(`${base}/api/method/ping`)).text).toBe('{"message":"pong"}')
      const admin = await loggedUser(base, 'demo.localhost', 'Administrator', 'admin')
      expect(admin.body).toEqual({ message: 'Administrator' })
      const demo = await sendRequest(`${base}/api/method/demo.api.customer_summary?customer=Nobody`, {
        headers: { authorization: basicAuth('Administrator', 'admin') }, // no site header: default_site
      })
      expect(demo.body).toEqual({ message: { customer: 'Nobody', user: 'Administrator', by_status: [] } })
    } finally {
      server.child.kill('SIGTERM')
    }
    expect((await server.exited).code).toBe(0)
  })
})
