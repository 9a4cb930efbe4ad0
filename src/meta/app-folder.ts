import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { scrub } from '../utils/index.js'
import { InvalidDocTypeError } from './load-doctype.js'

/** A DocType JSON file found in an app folder, with the controller file beside it, if any. */
export interface DocTypeFile {
  readonly definition: unknown
  readonly jsonPath: string
  readonly controllerPath: string | undefined
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  )
}

/**
 * Reads every `<folder>/<scrub>/<scrub>.json` under a doctype folder, the layout Frappe apps
 * use (`<app>/<module>/doctype/<scrub>/<scrub>.json`), so their folders load unchanged.
 */
export async function readDocTypeFolder(folder: string): Promise<DocTypeFile[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  const files: DocTypeFile[] = []
  for (const entry of entries.filter((candidate) => candidate.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const jsonPath = join(folder, entry.name, `${entry.name}.json`)
    if (!(await exists(jsonPath))) continue
    let definition: unknown
    try {
      definition = JSON.parse(await readFile(jsonPath, 'utf8'))
    } catch (error) {
      throw new InvalidDocTypeError(entry.name, undefined, `${jsonPath} is not valid JSON`, { cause: error })
    }
    const name = (definition as { name?: unknown }).name
    if (typeof name === 'string' && scrub(name) !== entry.name) {
      throw new InvalidDocTypeError(name, undefined, `must live in a folder named ${scrub(name)}, not ${entry.name}`)
    }
    const candidates = ['ts', 'js'].map((extension) => join(folder, entry.name, `${entry.name}.${extension}`))
    let controllerPath: string | undefined
    for (const candidate of candidates) {
      if (await exists(candidate)) {
        controllerPath = candidate
        break
      }
    }
    files.push({ definition, jsonPath, controllerPath })
  }
  return files
}
