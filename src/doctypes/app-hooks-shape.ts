import type { JobFunction, SchedulerEvents } from '../jobs/index.js'
import type { DocEventHandler, WhitelistedMethod } from '../model/index.js'

/** The shape of an app's hooks; app/ re-exports it as `AppHooks` for apps to use. */
export interface AppHooksShape {
  readonly app_name: string
  readonly app_title?: string
  /** Frappe's `doc_events`: DocType (or `*`) → event (`on_update`…) → handler(s). */
  readonly doc_events?: Readonly<Record<string, Readonly<Record<string, DocEventHandler | readonly DocEventHandler[]>>>>
  /** Whitelisted methods by dotted path, e.g. `demo.api.top_customers`. */
  readonly whitelisted_methods?: Readonly<Record<string, WhitelistedMethod>>
  /** Functions background jobs may run, by dotted path (whitelisted methods may run too). */
  readonly job_functions?: Readonly<Record<string, JobFunction>>
  /** Frappe's `scheduler_events`: job function names by event, or by cron expression. */
  readonly scheduler_events?: SchedulerEvents
}
