import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { deleteDocument, getDocument, insertDocument, newDocument, saveDocument } from '../../src/model/index.js'
import { randomId } from '../../src/utils/index.js'
import { APPS_PATHS, createTestBench, runAs, type TestBench } from '../helpers/bench.js'

let bench: TestBench
let site: Site

beforeAll(async () => {
  bench = await createTestBench({ apps: ['file_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite('file-doctype.test')
})
afterAll(() => bench.close())

const fresh = (stem: string) => `${stem}-${randomId(4)}.txt`

function newFile(values: Record<string, unknown>, content: string) {
  const file = newDocument('File', values)
  file.flags.content = Buffer.from(content)
  return file
}

describe('File', () => {
  it('exists as the Home and Home/Attachments folders on a new site', async () => {
    const rows = await site.services.database.reader.selectFrom('tabFile').select(['name', 'folder', 'is_home_folder', 'is_attachments_folder']).where('is_folder', '=', 1).orderBy('name').execute()
    expect(rows).toEqual([
      { name: 'Home', folder: null, is_home_folder: 1, is_attachments_folder: 0 },
      { name: 'Home/Attachments', folder: 'Home', is_home_folder: 0, is_attachments_folder: 1 },
    ])
  })

  it('files an attachment under Home/Attachments and a plain file under Home', async () => {
    const target = await runAs(site, async () => String((await insertDocument(newDocument('File Target', { title: 'folders' }))).name))
    const attached = await runAs(site, () => insertDocument(newFile({ file_name: fresh('attached'), attached_to_doctype: 'File Target', attached_to_name: target }, 'a')))
    const plain = await runAs(site, () => insertDocument(newFile({ file_name: fresh('plain') }, 'b')))
    expect(attached.get('folder')).toBe('Home/Attachments')
    expect(plain.get('folder')).toBe('Home')
  })

  it('removes the bytes it wrote when the insert rolls back', async () => {
    const name = fresh('rolled-back')
    await expect(
      runAs(site, async () => {
        await insertDocument(newFile({ file_name: name }, 'short-lived'))
        expect(existsSync(join(site.path, 'public', 'files', name))).toBe(true)
        throw new Error('abort the unit of work')
      }),
    ).rejects.toThrow('abort the unit of work')
    expect(existsSync(join(site.path, 'public', 'files', name))).toBe(false)
  })

  it('moves the bytes between public and private when is_private changes', async () => {
    const name = fresh('moving')
    const inserted = await runAs(site, () => insertDocument(newFile({ file_name: name }, 'moving bytes')))
    await runAs(site, async () => {
      const file = await getDocument('File', String(inserted.name))
      file.set('is_private', 1)
      await saveDocument(file)
    })
    const stored = await runAs(site, () => getDocument('File', String(inserted.name)))
    expect(stored.get('file_url')).toBe(`/private/files/${name}`)
    expect(readFileSync(join(site.path, 'private', 'files', name), 'utf8')).toBe('moving bytes')
    expect(existsSync(join(site.path, 'public', 'files', name))).toBe(false)
  })

  it('keeps the Home folder and any folder with files in it', async () => {
    await expect(runAs(site, () => deleteDocument('File', 'Home', { force: true }))).rejects.toThrow('Cannot delete Home and Attachments folders')
    const folder = await runAs(site, () => insertDocument(newDocument('File', { file_name: `Folder ${randomId(3)}`, is_folder: 1, folder: 'Home' })))
    expect(folder.name).toBe(`Home/${String(folder.get('file_name'))}`)
    await runAs(site, () => insertDocument(newFile({ file_name: fresh('inside'), folder: folder.name }, 'inside')))
    await expect(runAs(site, () => deleteDocument('File', String(folder.name), { force: true }))).rejects.toThrow('is not empty')
  })

  it('refuses a File for bytes that are not stored', async () => {
    await expect(runAs(site, () => insertDocument(newDocument('File', { file_url: `/files/${fresh('nowhere')}` })))).rejects.toThrow('does not exist')
    const count = await runAs(site, () => database().selectFrom('tabFile').select('name').where('file_url', 'like', '/files/nowhere-%').execute())
    expect(count).toEqual([])
  })
})
