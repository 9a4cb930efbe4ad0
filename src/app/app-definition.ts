import type { AppHooksShape } from '../doctypes/index.js'

/** What an app's `hooks.ts` exports as `hooks`: the TypeScript form of Frappe's hooks.py. */
export type AppHooks = AppHooksShape

/** An app as the framework sees it: its hooks and the folders that hold its DocTypes. */
export interface AppDefinition {
  readonly name: string
  readonly hooks: AppHooks
  readonly doctypeFolders: readonly string[]
}
