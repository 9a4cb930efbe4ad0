import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'
import { cookiesOf } from '../helpers/cookie-jar.js'

type Body = Record<string, unknown>

const SENTINEL = `sentinel-${randomId()}`
const ADMIN = basicAuth('Administrator', 'admin')

let bench: TestBench
let site: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['file_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('files-download.test', { download_test_secret: SENTINEL })
  url = (await bench.startServer()).url
  // Bytes next to the files folders that no URL may reach.
  mkdirSync(join(site.path, 'public', 'files'), { recursive: true })
  writeFileSync(join(site.path, 'public', 'outside.txt'), SENTINEL)
  writeFileSync(join(site.path, 'public', 'files', '.hidden'), SENTINEL)
})

afterAll(() => bench.close())

const fresh = (stem: string, extension = 'txt') => `${stem}-${randomId(4)}.${extension}`

async function newUser(roles: string[]): Promise<{ email: string; password: string; auth: string }> {
  const email = `download-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  await runAs(site, () => insertDocument(newDocument('User', { email, first_name: 'Down', new_password: password, roles: roles.map((role) => ({ role })) })))
  return { email, password, auth: basicAuth(email, password) }
}

async function newTarget(): Promise<string> {
  return runAs(site, async () => String((await insertDocument(newDocument('File Target', { title: 'download target' }))).name))
}

async function upload(auth: string, fields: Record<string, string>, name: string, content: string): Promise<Body> {
  const form = new FormData()
  form.append('file', new Blob([content]), name)
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  const response = await fetch(`${url}/api/method/upload_file`, { method: 'POST', headers: { authorization: auth, 'x-frappe-site-name': site.name }, body: form })
  expect(response.status).toBe(200)
  return ((await response.json()) as { message: Body }).message
}

function download(path: string, auth?: string): Promise<Response> {
  const headers: Record<string, string> = { 'x-frappe-site-name': site.name }
  if (auth) headers.authorization = auth
  return fetch(`${url}${path}`, { headers })
}

/** A GET with the path sent exactly as written: fetch would resolve `..` before sending. */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method: 'GET', headers: { 'x-frappe-site-name': site.name, authorization: ADMIN }, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

describe('GET /files/:name', () => {
  it('serves a public file to anyone with its content type', async () => {
    const file = await upload(ADMIN, {}, fresh('public'), 'public bytes')
    const response = await download(String(file.file_url))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-disposition')).toBeNull()
    expect(await response.text()).toBe('public bytes')
  })

  it('serves names with spaces and non-ASCII characters, as clients encode them', async () => {
    const name = `Überweisung ${randomId(4)} März.txt`
    const file = await upload(ADMIN, {}, name, 'encoded name')
    expect(file.file_url).toBe(`/files/${name}`)
    const response = await download(`/files/${encodeURIComponent(name)}`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('encoded name')
  })

  it('answers 404 for a missing file and for the folder itself', async () => {
    expect((await download(`/files/${fresh('missing')}`)).status).toBe(404)
    expect((await download('/files/')).status).toBe(404)
    expect((await download('/files')).status).toBe(404)
  })

  it('sends HTML and SVG as attachments, never inline', async () => {
    const file = await upload(ADMIN, {}, fresh('page', 'html'), '<script>alert(1)</script>')
    const response = await download(String(file.file_url))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="page-/)
  })
})

describe('GET /private/files/:name', () => {
  it('serves the owner, inline with a file name', async () => {
    const owner = await newUser(['File Target Editor'])
    const name = fresh('mine', 'pdf')
    const file = await upload(owner.auth, { is_private: '1' }, name, '%PDF private')
    const response = await download(String(file.file_url), owner.auth)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="${name}"; filename*=UTF-8''${name}`)
    expect(await response.text()).toBe('%PDF private')
  })

  it('serves a browser that logged in with a session cookie', async () => {
    const owner = await newUser(['File Target Editor'])
    const file = await upload(owner.auth, { is_private: '1' }, fresh('session'), 'session bytes')
    const login = await fetch(`${url}/api/method/login`, {
      method: 'POST',
      headers: { 'x-frappe-site-name': site.name, 'content-type': 'application/json' },
      body: JSON.stringify({ usr: owner.email, pwd: owner.password }),
    })
    const sid = cookiesOf(login).get('sid')?.value
    expect(sid).toMatch(/^[0-9a-f]{56}$/)
    const response = await fetch(`${url}${String(file.file_url)}`, { headers: { 'x-frappe-site-name': site.name, cookie: `sid=${sid}` } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('session bytes')
  })

  it('refuses Guest, and another user with no right, with a 403 PermissionError', async () => {
    const owner = await newUser(['File Target Editor'])
    const stranger = await newUser(['File Target Editor'])
    const file = await upload(owner.auth, { is_private: '1' }, fresh('private'), 'not for you')
    for (const auth of [undefined, stranger.auth]) {
      const response = await download(String(file.file_url), auth)
      expect(response.status).toBe(403)
      const body = (await response.json()) as Body
      expect(body.exc_type).toBe('PermissionError')
      expect(JSON.stringify(body)).not.toContain('not for you')
    }
  })

  it('serves a file attached to a document to whoever may read that document', async () => {
    const editor = await newUser(['File Target Editor'])
    const reader = await newUser(['File Target Reader'])
    const outsider = await newUser([])
    const target = await newTarget()
    const file = await upload(editor.auth, { is_private: '1', doctype: 'File Target', docname: target }, fresh('attached'), 'attached bytes')
    expect((await download(String(file.file_url), reader.auth)).status).toBe(200)
    expect((await download(String(file.file_url), outsider.auth)).status).toBe(403)
    expect((await download(String(file.file_url), ADMIN)).status).toBe(200)
  })

  it('gives System Manager no way into an unattached private file of another user, as Frappe', async () => {
    const owner = await newUser(['File Target Editor'])
    const manager = await newUser(['System Manager'])
    const file = await upload(owner.auth, { is_private: '1' }, fresh('owners-only'), 'owner bytes')
    expect((await download(String(file.file_url), manager.auth)).status).toBe(403)
  })

  it('answers 403 when no File describes the path, and 404 when its bytes are gone', async () => {
    expect((await download(`/private/files/${fresh('unknown')}`, ADMIN)).status).toBe(403)
    const name = fresh('vanished')
    const file = await upload(ADMIN, { is_private: '1' }, name, `vanishing ${randomId()}`)
    rmSync(join(site.path, 'private', 'files', name))
    expect((await download(String(file.file_url), ADMIN)).status).toBe(404)
  })
})

describe('download paths', () => {
  it('never serves anything outside the files folders, whatever the path says', async () => {
    symlinkSync(join(site.path, 'site_config.json'), join(site.path, 'public', 'files', 'linked-config.json'))
    const control = await upload(ADMIN, {}, fresh('control'), 'control bytes')
    expect(await rawGet(String(control.file_url))).toEqual({ status: 200, text: 'control bytes' })
    const paths = [
      '/files/../site_config.json',
      '/files/../../site_config.json',
      '/files/%2e%2e/site_config.json',
      '/files/%2e%2e%2f%2e%2e%2fsite_config.json',
      '/files/..%2fsite_config.json',
      '/files/..%5c..%5csite_config.json',
      '/files/....//....//site_config.json',
      '/files/../outside.txt',
      '/files/..%2foutside.txt',
      '/files/.hidden',
      '/files/%2ehidden',
      '/files/linked-config.json',
      '/files/outside.txt%00.png',
      `/files/${encodeURIComponent(join(site.path, 'site_config.json'))}`,
      '/files//etc/passwd',
      '/private/files/../../site_config.json',
      '/private/files/..%2f..%2fsite_config.json',
      '/private/files/%2e%2e/%2e%2e/site_config.json',
    ]
    for (const path of paths) {
      const { status, text } = await rawGet(path)
      expect([400, 403, 404], path).toContain(status)
      expect(text, path).not.toContain(SENTINEL)
      expect(text, path).not.toContain('db_file')
    }
  })
})
