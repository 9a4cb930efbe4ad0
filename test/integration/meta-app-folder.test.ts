import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSites } from '../../src/app/index.js'
import { InvalidDocTypeError, readDocTypeFolder } from '../../src/meta/index.js'
import { silentLogger } from '../helpers/bench.js'

// Spec 7.1: an app's DocTypes live in <app>/<module>/doctype/<scrub>/<scrub>.json; a bad one fails at boot.
const roots: string[] = []

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A bench folder with one app, `shop`, holding the given DocType files (folder name → file text). */
function benchWithApp(files: Record<string, string>): { sitesPath: string; appsPath: string; doctypeFolder: string } {
  const root = mkdtempSync(join(tmpdir(), 'cortado-app-folder-'))
  roots.push(root)
  const appsPath = join(root, 'apps')
  const doctypeFolder = join(appsPath, 'shop', 'selling', 'doctype')
  mkdirSync(doctypeFolder, { recursive: true })
  writeFileSync(join(appsPath, 'shop', 'hooks.ts'), "export const hooks = { app_name: 'shop' }\n")
  for (const [folder, text] of Object.entries(files)) {
    mkdirSync(join(doctypeFolder, folder))
    writeFileSync(join(doctypeFolder, folder, `${folder}.json`), text)
  }
  const sitesPath = join(root, 'sites')
  mkdirSync(sitesPath)
  writeFileSync(join(sitesPath, 'apps.txt'), 'frappe\nshop\n')
  return { sitesPath, appsPath, doctypeFolder }
}

const GOOD = JSON.stringify({ doctype: 'DocType', name: 'Shop Item', module: 'Selling', fields: [{ fieldname: 'title', fieldtype: 'Data' }] })

async function bootError(sitesPath: string, appsPath: string): Promise<unknown> {
  try {
    const sites = await openSites({ sitesPath, appsPath, logger: silentLogger })
    await sites.close()
  } catch (error) {
    return error
  }
  throw new Error('the apps loaded')
}

describe('readDocTypeFolder', () => {
  it('reads <scrub>/<scrub>.json definitions of an app folder', async () => {
    const { doctypeFolder } = benchWithApp({ shop_item: GOOD })
    const files = await readDocTypeFolder(doctypeFolder)
    expect(files.map((file) => (file.definition as { name: string }).name)).toEqual(['Shop Item'])
    expect(files[0]?.jsonPath).toBe(join(doctypeFolder, 'shop_item', 'shop_item.json'))
    expect(files[0]?.controllerPath).toBeUndefined()
  })

  it('refuses a malformed JSON file, naming the folder and the file', async () => {
    const { doctypeFolder } = benchWithApp({ shop_item: GOOD, broken_item: '{"name": "Broken Item", "fields": [' })
    const error = await readDocTypeFolder(doctypeFolder).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidDocTypeError)
    expect((error as Error).message).toBe(`DocType broken_item: ${join(doctypeFolder, 'broken_item', 'broken_item.json')} is not valid JSON`)
    expect((error as Error).cause).toBeInstanceOf(SyntaxError)
  })

  it('refuses a definition in a folder not named after it', async () => {
    const { doctypeFolder } = benchWithApp({ item: GOOD })
    await expect(readDocTypeFolder(doctypeFolder)).rejects.toThrow('DocType Shop Item: must live in a folder named shop_item, not item')
  })
})

describe('openSites with a bad app DocType', () => {
  it('fails at boot on a malformed JSON file', async () => {
    const { sitesPath, appsPath } = benchWithApp({ broken_item: '{ not json' })
    const error = await bootError(sitesPath, appsPath)
    expect(error).toBeInstanceOf(InvalidDocTypeError)
    expect((error as Error).message).toContain('DocType broken_item:')
    expect((error as Error).message).toContain('broken_item.json is not valid JSON')
  })

  it('fails at boot on an unknown fieldtype, naming the DocType and the field', async () => {
    const bad = JSON.stringify({ name: 'Shop Item', module: 'Selling', fields: [{ fieldname: 'price', fieldtype: 'Money' }] })
    const { sitesPath, appsPath } = benchWithApp({ shop_item: bad })
    const error = await bootError(sitesPath, appsPath)
    expect(error).toBeInstanceOf(InvalidDocTypeError)
    expect((error as Error).message).toBe('DocType Shop Item, field price: unknown fieldtype "Money"')
  })

  it('fails at boot on a Table field whose DocType no app defines', async () => {
    const bad = JSON.stringify({ name: 'Shop Item', module: 'Selling', fields: [{ fieldname: 'parts', fieldtype: 'Table', options: 'Shop Part' }] })
    const { sitesPath, appsPath } = benchWithApp({ shop_item: bad })
    const error = await bootError(sitesPath, appsPath)
    expect((error as Error).message).toBe('DocType Shop Item, field parts: table DocType Shop Part is not defined')
  })
})
