import { FrappeApp } from 'frappe-js-sdk'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { insertDocument, newDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, type TestBench } from '../helpers/bench.js'

type Body = Record<string, unknown>

let bench: TestBench
let site: Site
let url: string

beforeAll(async () => {
  bench = await createTestBench({ apps: ['file_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('files-upload.test')
  url = (await bench.startServer()).url
})

afterAll(() => bench.close())

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex')
const publicFolder = () => join(site.path, 'public', 'files')
const privateFolder = () => join(site.path, 'private', 'files')
const fresh = (stem: string, extension = 'txt') => `${stem}-${randomId(4)}.${extension}`

interface TestUser {
  readonly email: string
  readonly auth: string
}

async function newUser(roles: string[], userType = 'System User'): Promise<TestUser> {
  const email = `files-${randomId(5)}@example.com`
  const password = `pw-${randomId(8)}`
  const values = { email, first_name: 'Files', new_password: password, user_type: userType, roles: roles.map((role) => ({ role })) }
  await runAs(site, () => insertDocument(newDocument('User', values)))
  return { email, auth: basicAuth(email, password) }
}

async function newTarget(title = 'target'): Promise<string> {
  return runAs(site, async () => String((await insertDocument(newDocument('File Target', { title }))).name))
}

async function tokenFor(user: string): Promise<string> {
  const response = await fetch(`${url}/api/method/frappe.core.doctype.user.user.generate_keys`, {
    method: 'POST',
    headers: { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name, 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  })
  const secret = ((await response.json()) as { message: { api_secret: string } }).message.api_secret
  const row = await site.services.database.reader.selectFrom('tabUser').select('api_key').where('name', '=', user).executeTakeFirstOrThrow()
  return `${String(row.api_key)}:${secret}`
}

function sdk(token: string): FrappeApp {
  return new FrappeApp(url, { useToken: true, token: () => token, type: 'token' }, 'files-sdk', { 'X-Frappe-Site-Name': site.name })
}

/** A multipart POST to upload_file with fetch's own FormData; `file` first, as the SDK sends it. */
async function upload(auth: string | undefined, fields: Record<string, string>, file?: { name: string; content: string | Buffer }, onSite = site): Promise<{ status: number; body: Body }> {
  const form = new FormData()
  if (file) form.append('file', new Blob([file.content]), file.name)
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  const headers: Record<string, string> = { 'x-frappe-site-name': onSite.name }
  if (auth) headers.authorization = auth
  const response = await fetch(`${url}/api/method/upload_file`, { method: 'POST', headers, body: form })
  return { status: response.status, body: (await response.json()) as Body }
}

async function fileRow(name: string): Promise<Body | undefined> {
  return site.services.database.reader.selectFrom('tabFile').selectAll().where('name', '=', name).executeTakeFirst()
}

describe('POST /api/method/upload_file', () => {
  it('stores a public upload from frappe-js-sdk and answers with the File document', async () => {
    const editor = await newUser(['File Target Editor'])
    const name = fresh('notes')
    const response = await sdk(await tokenFor(editor.email)).file().uploadFile(new File(['hello files'], name), { isPrivate: false })
    const message = (response.data as { message: Body }).message
    expect(message).toMatchObject({
      doctype: 'File',
      file_name: name,
      file_url: `/files/${name}`,
      is_private: 0,
      file_size: 11,
      content_hash: md5('hello files'),
      folder: 'Home',
      owner: editor.email,
    })
    expect(String(message.name)).toMatch(/^[0-9a-v]{10}$/)
    expect(message).not.toHaveProperty('attached_to_doctype')
    expect(readFileSync(join(publicFolder(), name), 'utf8')).toBe('hello files')
    expect(await fileRow(String(message.name))).toMatchObject({ file_url: `/files/${name}`, file_type: 'TXT' })
  })

  it('attaches a private upload to a document the user may write', async () => {
    const editor = await newUser(['File Target Editor'])
    const target = await newTarget()
    const name = fresh('contract', 'pdf')
    const response = await sdk(await tokenFor(editor.email))
      .file()
      .uploadFile(new File(['%PDF-1.4 fake'], name), { isPrivate: true, doctype: 'File Target', docname: target, fieldname: 'attachment' })
    const message = (response.data as { message: Body }).message
    expect(message).toMatchObject({
      file_url: `/private/files/${name}`,
      is_private: 1,
      attached_to_doctype: 'File Target',
      attached_to_name: target,
      attached_to_field: 'attachment',
      folder: 'Home',
    })
    expect(readFileSync(join(privateFolder(), name), 'utf8')).toBe('%PDF-1.4 fake')
    expect(existsSync(join(publicFolder(), name))).toBe(false)
    const attached = await site.services.database.reader
      .selectFrom('tabFile')
      .select('name')
      .where('attached_to_doctype', '=', 'File Target')
      .where('attached_to_name', '=', target)
      .execute()
    expect(attached.map((row) => row.name)).toEqual([message.name])
  })

  it('accepts a raw multipart form with Basic auth, fields before or after the file', async () => {
    const editor = await newUser(['File Target Editor'])
    const target = await newTarget()
    const after = await upload(editor.auth, { is_private: '1', doctype: 'File Target', docname: target }, { name: fresh('after'), content: 'a' })
    expect(after.status).toBe(200)
    expect(after.body.message).toMatchObject({ is_private: 1, attached_to_name: target })
    const form = new FormData()
    form.append('is_private', '1')
    form.append('doctype', 'File Target')
    form.append('docname', target)
    form.append('file', new Blob(['b']), fresh('before'))
    const before = await fetch(`${url}/api/method/upload_file`, { method: 'POST', headers: { authorization: editor.auth, 'x-frappe-site-name': site.name }, body: form })
    expect(before.status).toBe(200)
    expect(((await before.json()) as Body).message).toMatchObject({ is_private: 1, attached_to_name: target })
  })

  it('refuses to attach to a document the user may only read, and keeps no bytes', async () => {
    const reader = await newUser(['File Target Reader'])
    const target = await newTarget()
    const name = fresh('refused')
    const { status, body } = await upload(reader.auth, { doctype: 'File Target', docname: target }, { name, content: 'nope' })
    expect(status).toBe(403)
    expect(body.exc_type).toBe('PermissionError')
    expect(existsSync(join(publicFolder(), name))).toBe(false)
    const rows = await site.services.database.reader.selectFrom('tabFile').select('name').where('attached_to_name', '=', target).execute()
    expect(rows).toEqual([])
  })

  it('gives a second upload of one name with other content its own stored name', async () => {
    const editor = await newUser(['File Target Editor'])
    const name = fresh('same')
    const first = await upload(editor.auth, {}, { name, content: 'first content' })
    const second = await upload(editor.auth, {}, { name, content: 'second content' })
    const stem = name.slice(0, -'.txt'.length)
    expect((first.body.message as Body).file_url).toBe(`/files/${name}`)
    expect((second.body.message as Body).file_url).toBe(`/files/${stem}${md5('second content').slice(-6)}.txt`)
    expect(readFileSync(join(publicFolder(), name), 'utf8')).toBe('first content')
    expect(readFileSync(join(publicFolder(), `${stem}${md5('second content').slice(-6)}.txt`), 'utf8')).toBe('second content')
  })

  it('reuses the stored bytes of identical content with the same privacy', async () => {
    const editor = await newUser(['File Target Editor'])
    const content = `shared ${randomId()}`
    const first = await upload(editor.auth, {}, { name: fresh('copy-a'), content })
    const second = await upload(editor.auth, {}, { name: fresh('copy-b'), content })
    expect((second.body.message as Body).file_url).toBe((first.body.message as Body).file_url)
    expect((second.body.message as Body).name).not.toBe((first.body.message as Body).name)
    const privateCopy = await upload(editor.auth, { is_private: '1' }, { name: fresh('copy-c'), content })
    expect((privateCopy.body.message as Body).file_url).toMatch(/^\/private\/files\//)
  })

  it('stores client-chosen names only as plain names inside the files folder', async () => {
    const editor = await newUser(['File Target Editor'])
    const before = readFileSync(join(site.path, 'site_config.json'), 'utf8')
    for (const name of ['../../site_config.json', '..\\..\\site_config.json', '/etc/passwd', '.htaccess', 'a%2f..%2fb.txt', '.. .txt']) {
      const { status, body } = await upload(editor.auth, {}, { name, content: `payload for ${name}` })
      expect(status, name).toBe(200)
      const fileUrl = String((body.message as Body).file_url)
      expect(fileUrl, name).toMatch(/^\/files\/[^/\\.][^/\\]*$/)
      const stored = fileUrl.slice('/files/'.length)
      expect(readdirSync(publicFolder())).toContain(stored)
      expect(readFileSync(join(publicFolder(), stored), 'utf8')).toBe(`payload for ${name}`)
    }
    expect(readFileSync(join(site.path, 'site_config.json'), 'utf8')).toBe(before)
  })

  it('attaches an existing stored file by its URL', async () => {
    const editor = await newUser(['File Target Editor'])
    const target = await newTarget()
    const original = await upload(editor.auth, {}, { name: fresh('library'), content: 'library bytes' })
    const fileUrl = String((original.body.message as Body).file_url)
    const { status, body } = await upload(editor.auth, { file_url: fileUrl, doctype: 'File Target', docname: target })
    expect(status).toBe(200)
    expect(body.message).toMatchObject({ file_url: fileUrl, attached_to_name: target, content_hash: md5('library bytes'), file_size: 13, is_private: 0 })
  })

  it('refuses a file_url that leaves the files folders or names another user’s private file', async () => {
    const owner = await newUser(['File Target Editor'])
    const other = await newUser(['File Target Editor'])
    const secret = await upload(owner.auth, { is_private: '1' }, { name: fresh('secret'), content: 'private bytes' })
    const secretUrl = String((secret.body.message as Body).file_url)
    const stolen = await upload(other.auth, { file_url: secretUrl })
    expect(stolen.status).toBe(403)
    expect(stolen.body.exc_type).toBe('PermissionError')
    for (const fileUrl of ['/files/../site_config.json', '/private/files/../../site_config.json', '/files/%2e%2e/site_config.json', '/etc/passwd']) {
      const { status, body } = await upload(other.auth, { file_url: fileUrl })
      expect(status, fileUrl).toBe(417)
      expect(body.exc_type, fileUrl).toBe('ValidationError')
    }
  })

  it('refuses to repoint an existing File at another user’s private bytes', async () => {
    const owner = await newUser(['File Target Editor'])
    const other = await newUser(['File Target Editor'])
    const secret = (await upload(owner.auth, { is_private: '1' }, { name: fresh('secret'), content: `secret ${randomId()}` })).body.message as Body
    const mine = (await upload(other.auth, {}, { name: fresh('mine'), content: `mine ${randomId()}` })).body.message as Body
    const response = await fetch(`${url}/api/resource/File/${String(mine.name)}`, {
      method: 'PUT',
      headers: { authorization: other.auth, 'x-frappe-site-name': site.name, 'content-type': 'application/json' },
      body: JSON.stringify({ file_url: secret.file_url }),
    })
    expect(response.status).toBe(403)
    expect(((await response.json()) as Body).exception).toBe('frappe.exceptions.PermissionError: You do not have permission to access this file')
    expect(await fileRow(String(mine.name))).toMatchObject({ file_url: mine.file_url })
  })

  it('refuses a Guest unless the site allows guest uploads, and then only safe types', async () => {
    const refused = await upload(undefined, {}, { name: fresh('guest'), content: 'hi' })
    expect(refused.status).toBe(403)
    expect(refused.body.exc_type).toBe('PermissionError')
    const open = await bench.newSite(`files-guest-${randomId(3)}.test`, { allow_guests_to_upload_files: 1 })
    const allowed = await upload(undefined, {}, { name: fresh('guest'), content: 'hi' }, open)
    expect(allowed.status).toBe(200)
    expect(allowed.body.message).toMatchObject({ owner: 'Guest', is_private: 0 })
    const script = await upload(undefined, {}, { name: fresh('guest', 'html'), content: '<script>alert(1)</script>' }, open)
    expect(script.status).toBe(417)
    expect(script.body.exc_type).toBe('ValidationError')
  })

  it('limits website users to the safe types too', async () => {
    const visitor = await newUser([], 'Website User')
    const { status } = await upload(visitor.auth, {}, { name: fresh('page', 'svg'), content: '<svg/>' })
    expect(status).toBe(417)
    const text = await upload(visitor.auth, {}, { name: fresh('page'), content: 'plain' })
    expect(text.status).toBe(200)
  })
})

describe('upload size limit', () => {
  let small: Site

  beforeAll(async () => {
    small = await bench.newSite(`files-small-${randomId(3)}.test`, { max_file_size: 1024 })
  })

  it('accepts a file of exactly max_file_size bytes', async () => {
    const { status, body } = await upload(basicAuth('Administrator', 'admin'), {}, { name: fresh('exact'), content: Buffer.alloc(1024, 'x') }, small)
    expect(status).toBe(200)
    expect(body.message).toMatchObject({ file_size: 1024 })
  })

  it('refuses a larger file with MaxFileSizeReachedError and stores nothing', async () => {
    const name = fresh('large')
    const { status, body } = await upload(basicAuth('Administrator', 'admin'), {}, { name, content: Buffer.alloc(5000, 'x') }, small)
    expect(status).toBe(417)
    expect(body.exc_type).toBe('MaxFileSizeReachedError')
    expect(JSON.stringify(body._server_messages)).toContain('File size exceeded the maximum allowed size of 0.0009765625 MB')
    expect(existsSync(join(small.path, 'public', 'files', name))).toBe(false)
  })

  it('refuses a body far over the limit before reading it', async () => {
    const { status, body } = await upload(basicAuth('Administrator', 'admin'), {}, { name: fresh('huge'), content: Buffer.alloc(3 * 1024 * 1024, 'x') }, small)
    expect(status).toBe(417)
    expect(body.exc_type).toBe('MaxFileSizeReachedError')
  })
})

describe('frappe.client.attach_file', () => {
  const attach = async (auth: string, args: Body) => {
    const response = await fetch(`${url}/api/method/frappe.client.attach_file`, {
      method: 'POST',
      headers: { authorization: auth, 'x-frappe-site-name': site.name, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    })
    return { status: response.status, body: (await response.json()) as Body }
  }

  it('stores base64 filedata, attaches it and sets the document field', async () => {
    const editor = await newUser(['File Target Editor'])
    const target = await newTarget()
    const name = fresh('encoded')
    const { status, body } = await attach(editor.auth, {
      filename: name,
      filedata: Buffer.from('decoded bytes').toString('base64'),
      decode_base64: 1,
      doctype: 'File Target',
      docname: target,
      docfield: 'attachment',
      is_private: 1,
    })
    expect(status).toBe(200)
    expect(body.message).toMatchObject({ file_url: `/private/files/${name}`, attached_to_name: target, attached_to_field: 'attachment', file_size: 13 })
    expect(readFileSync(join(privateFolder(), name), 'utf8')).toBe('decoded bytes')
    const row = await site.services.database.reader.selectFrom('tabFile Target').select('attachment').where('name', '=', target).executeTakeFirstOrThrow()
    expect(row.attachment).toBe(`/private/files/${name}`)
  })

  it('cleans traversal out of the file name', async () => {
    const target = await newTarget()
    for (const filename of ['../../site_config.json', '..\\evil.txt', '.hidden', 'nul\u0000byte.txt']) {
      const { status, body } = await attach(basicAuth('Administrator', 'admin'), { filename, filedata: `data ${randomId()}`, doctype: 'File Target', docname: target })
      expect(status, filename).toBe(200)
      const fileUrl = String((body.message as Body).file_url)
      expect(fileUrl, filename).toMatch(/^\/files\/[^/\\.\0][^/\\\0]*$/)
    }
    const nameless = await attach(basicAuth('Administrator', 'admin'), { filename: '..', filedata: 'x', doctype: 'File Target', docname: target })
    expect(nameless.status).toBe(417)
    expect(nameless.body.exc_type).toBe('MandatoryError')
  })

  it('needs write permission on the document', async () => {
    const reader = await newUser(['File Target Reader'])
    const { status, body } = await attach(reader.auth, { filename: fresh('read-only'), filedata: 'x', doctype: 'File Target', docname: await newTarget() })
    expect(status).toBe(403)
    expect(body.exc_type).toBe('PermissionError')
  })
})

describe('File deletion', () => {
  const remove = (name: string) =>
    fetch(`${url}/api/resource/File/${name}`, { method: 'DELETE', headers: { authorization: basicAuth('Administrator', 'admin'), 'x-frappe-site-name': site.name } })

  it('removes the bytes when no other File uses them, and keeps shared bytes', async () => {
    const content = `to delete ${randomId()}`
    const first = (await upload(basicAuth('Administrator', 'admin'), {}, { name: fresh('gone'), content })).body.message as Body
    const second = (await upload(basicAuth('Administrator', 'admin'), {}, { name: fresh('gone'), content })).body.message as Body
    const stored = join(publicFolder(), String(first.file_url).slice('/files/'.length))
    expect((await remove(String(first.name))).status).toBe(202)
    expect(existsSync(stored)).toBe(true)
    expect((await remove(String(second.name))).status).toBe(202)
    expect(existsSync(stored)).toBe(false)
  })

  // Issue 3: Frappe's delete_doc removes the attachments (remove_all) with the document.
  it('deletes the Files attached to a deleted document, and their bytes unless another File uses them', async () => {
    const admin = basicAuth('Administrator', 'admin')
    const target = await newTarget('with attachments')
    const attach = { doctype: 'File Target', docname: target }
    const own = (await upload(admin, { ...attach, is_private: '1' }, { name: fresh('own'), content: `own ${randomId()}` })).body.message as Body
    const sharedContent = `shared ${randomId()}`
    const attached = (await upload(admin, attach, { name: fresh('shared'), content: sharedContent })).body.message as Body
    const elsewhere = (await upload(admin, {}, { name: fresh('elsewhere'), content: sharedContent })).body.message as Body
    expect(elsewhere.file_url).toBe(attached.file_url)
    const ownPath = join(privateFolder(), String(own.file_url).slice('/private/files/'.length))
    const sharedPath = join(publicFolder(), String(attached.file_url).slice('/files/'.length))
    expect(existsSync(ownPath)).toBe(true)

    const response = await fetch(`${url}/api/resource/File%20Target/${target}`, { method: 'DELETE', headers: { authorization: admin, 'x-frappe-site-name': site.name } })
    expect(response.status).toBe(202)
    expect(await fileRow(String(own.name))).toBeUndefined()
    expect(await fileRow(String(attached.name))).toBeUndefined()
    expect(existsSync(ownPath)).toBe(false)
    expect(await fileRow(String(elsewhere.name))).toMatchObject({ file_url: attached.file_url })
    expect(readFileSync(sharedPath, 'utf8')).toBe(sharedContent)
  })

  it('keeps the attachments when the document is not deleted', async () => {
    const editor = await newUser(['File Target Editor'])
    const target = await newTarget('kept')
    const file = (await upload(basicAuth('Administrator', 'admin'), { doctype: 'File Target', docname: target }, { name: fresh('kept'), content: `kept ${randomId()}` })).body.message as Body
    const response = await fetch(`${url}/api/resource/File%20Target/${target}`, { method: 'DELETE', headers: { authorization: editor.auth, 'x-frappe-site-name': site.name } })
    expect(response.status).toBe(403)
    expect(await fileRow(String(file.name))).toMatchObject({ attached_to_name: target })
    expect(existsSync(join(publicFolder(), String(file.file_url).slice('/files/'.length)))).toBe(true)
  })
})
