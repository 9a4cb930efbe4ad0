import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readDocTypeFolder, InvalidDocTypeError, type DocTypeFile } from '../meta/index.js'
import { Document, type DocumentClass } from '../model/index.js'
import { frappeHooks } from '../api/index.js'
import type { AppDefinition, AppHooks } from './app-definition.js'

/** An app with its DocType files read and its controllers imported. */
export interface LoadedApp {
  readonly definition: AppDefinition
  readonly doctypes: ReadonlyArray<DocTypeFile & { readonly controller: DocumentClass | undefined }>
}

const BUILT_IN_DOCTYPES = join(dirname(fileURLToPath(import.meta.url)), '..', 'doctypes')

/** The framework's own app: the built-in DocTypes of src/doctypes. */
export const FRAPPE_APP: AppDefinition = { name: 'frappe', hooks: frappeHooks, doctypeFolders: [BUILT_IN_DOCTYPES] }

function isDocumentClass(value: unknown): value is DocumentClass {
  return typeof value === 'function' && value.prototype instanceof Document
}

async function importController(file: DocTypeFile): Promise<DocumentClass | undefined> {
  if (!file.controllerPath) return undefined
  const module = (await import(pathToFileURL(file.controllerPath).href)) as Record<string, unknown>
  const controllers = Object.values(module).filter(isDocumentClass)
  if (controllers.length !== 1) {
    const name = String((file.definition as { name?: unknown }).name)
    throw new InvalidDocTypeError(name, undefined, `${file.controllerPath} must export exactly one Document subclass`)
  }
  return controllers[0]
}

export async function loadApp(definition: AppDefinition): Promise<LoadedApp> {
  const doctypes = []
  for (const folder of definition.doctypeFolders) {
    for (const file of await readDocTypeFolder(folder)) doctypes.push({ ...file, controller: await importController(file) })
  }
  return { definition, doctypes }
}

/**
 * An app folder laid out as Frappe's: `hooks.ts` exporting `hooks`, and DocTypes in
 * `<module>/doctype/<scrub>/`. Read at boot from the apps folder, never named by a request.
 */
export async function appFromFolder(folder: string): Promise<AppDefinition> {
  const module = (await import(pathToFileURL(join(folder, 'hooks.ts')).href)) as { hooks?: AppHooks }
  if (!module.hooks?.app_name) throw new Error(`${folder}/hooks.ts must export hooks with an app_name`)
  const entries = await readdir(folder, { withFileTypes: true })
  const doctypeFolders = []
  for (const entry of entries.filter((candidate) => candidate.isDirectory())) {
    const inner = await readdir(join(folder, entry.name))
    if (inner.includes('doctype')) doctypeFolders.push(join(folder, entry.name, 'doctype'))
  }
  return { name: module.hooks.app_name, hooks: module.hooks, doctypeFolders }
}
