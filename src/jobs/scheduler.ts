import { randomUUID } from 'node:crypto'
import { CronExpressionParser } from 'cron-parser'
import { currentContext, newContext, type Logger, type Site } from '../context/index.js'
import { inTransaction, runUnitOfWork, type Executor } from '../db/index.js'
import { getDocument, insertDocument, newDocument } from '../model/index.js'
import { formatDate, formatTime } from '../utils/index.js'
import { enqueue } from './enqueue.js'
import type { JobFunction, QueueName } from './job-types.js'
import { SCHEDULER_LOCK_TABLE, syncSchedulerLockTable } from './job-table.js'

/** An app's `scheduler_events` hook (spec 11.2): event → job function names; `cron`: expression → names. */
export interface SchedulerEvents {
  readonly all?: readonly string[]
  readonly hourly?: readonly string[]
  readonly hourly_long?: readonly string[]
  readonly daily?: readonly string[]
  readonly daily_long?: readonly string[]
  readonly weekly?: readonly string[]
  readonly weekly_long?: readonly string[]
  readonly monthly?: readonly string[]
  readonly monthly_long?: readonly string[]
  readonly yearly?: readonly string[]
  readonly annual?: readonly string[]
  readonly cron?: Readonly<Record<string, readonly string[]>>
}

declare module '../context/site.js' {
  interface SiteServices {
    /** The `scheduler_events` of the site's apps, in install order. */
    readonly schedulerEvents?: readonly SchedulerEvents[]
  }
}

/** Frappe's frequencies and their schedules; `all` is every `scheduler_interval` (240 s). */
const FREQUENCIES: ReadonlyArray<{ event: Exclude<keyof SchedulerEvents, 'cron'>; frequency: string; cron: string }> = [
  { event: 'all', frequency: 'All', cron: '*/4 * * * *' },
  { event: 'hourly', frequency: 'Hourly', cron: '0 * * * *' },
  { event: 'hourly_long', frequency: 'Hourly Long', cron: '0 * * * *' },
  { event: 'daily', frequency: 'Daily', cron: '0 0 * * *' },
  { event: 'daily_long', frequency: 'Daily Long', cron: '0 0 * * *' },
  { event: 'weekly', frequency: 'Weekly', cron: '0 0 * * 0' },
  { event: 'weekly_long', frequency: 'Weekly Long', cron: '0 0 * * 0' },
  { event: 'monthly', frequency: 'Monthly', cron: '0 0 1 * *' },
  { event: 'monthly_long', frequency: 'Monthly Long', cron: '0 0 1 * *' },
  { event: 'yearly', frequency: 'Yearly', cron: '0 0 1 1 *' },
  { event: 'annual', frequency: 'Annual', cron: '0 0 1 1 *' },
]
const CRON_BY_FREQUENCY = new Map(FREQUENCIES.map((entry) => [entry.frequency, entry.cron]))

/** The job function every scheduled event runs through (Frappe's `run_scheduled_job`). */
export const RUN_SCHEDULED_JOB = 'frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job'

const SCHEDULED_JOB_TYPE = 'Scheduled Job Type'
const TABLE = `tab${SCHEDULED_JOB_TYPE}`

const formatLocal = (date: Date): string => `${formatDate(date)} ${formatTime(date)}`
const parseLocal = (text: string): Date => new Date(text.slice(0, 19).replace(' ', 'T'))

/** Frappe names a Scheduled Job Type by the last two parts of its method. */
const typeName = (method: string): string => method.split('.').slice(-2).join('.')

function adminContext(site: Site, logger: Logger) {
  return newContext({ site, user: 'Administrator', roles: ['Administrator', 'System Manager', 'All'], logger })
}

/** Writes one `Scheduled Job Type` per `scheduler_events` entry, as Frappe's migrate does. */
export async function syncScheduledJobTypes(site: Site, logger: Logger): Promise<void> {
  const wanted = new Map<string, { method: string; frequency: string; cron_format: string | null }>()
  for (const events of site.services.schedulerEvents ?? []) {
    for (const { event, frequency } of FREQUENCIES) {
      for (const method of events[event] ?? []) wanted.set(typeName(method), { method, frequency, cron_format: null })
    }
    for (const [cron, methods] of Object.entries(events.cron ?? {})) {
      CronExpressionParser.parse(cron) // a bad expression fails at boot
      for (const method of methods) wanted.set(typeName(method), { method, frequency: 'Cron', cron_format: cron })
    }
  }
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async (tx) => {
      for (const [name, values] of wanted) {
        const found = await tx.selectFrom(TABLE).select('name').where('name', '=', name).executeTakeFirst()
        if (found) await tx.updateTable(TABLE).set(values).where('name', '=', name).execute()
        else await insertDocument(newDocument(SCHEDULED_JOB_TYPE, values), { ignorePermissions: true })
      }
    }),
  )
}

/** When a type is next due: the schedule's next time after the last run (or the type's creation). */
export function nextExecution(row: { frequency: string; cron_format: string | null; last_execution: string | null; creation: string }): Date {
  const cron = row.frequency === 'Cron' ? row.cron_format ?? '' : CRON_BY_FREQUENCY.get(row.frequency) ?? '0 0 * * *'
  const from = parseLocal(row.last_execution ?? row.creation)
  return CronExpressionParser.parse(cron, { currentDate: from }).next().toDate()
}

/** Takes (or keeps) the site's scheduler lease; false when another scheduler holds it. */
async function takeLease(tx: Executor, owner: string, now: number, leaseMs: number): Promise<boolean> {
  const taken = await tx
    .updateTable(SCHEDULER_LOCK_TABLE)
    .set({ owner, lease_until: now + leaseMs })
    .where('name', '=', 'scheduler')
    .where((eb) => eb.or([eb('owner', '=', owner), eb('lease_until', '<', now)]))
    .executeTakeFirst()
  return Number(taken.numUpdatedRows) === 1
}

export interface TickOptions {
  /** Identifies this scheduler process; defaults to a random id per call. */
  readonly owner?: string
  readonly now?: Date
  /** How long the lease lasts; a scheduler that stops ticking loses it after this. */
  readonly leaseMs?: number
}

/**
 * Creates the lease table and its one row on first use, each in a transaction of its own: two
 * schedulers starting on a new site may both try, and the loser's `create table` or insert fails
 * (aborting a PostgreSQL transaction); it then finds them there and goes on. With the row in
 * place, taking the lease is one conditional update, which the engine's row lock serialises.
 */
async function ensureSchedulerLease(site: Site, logger: Logger): Promise<void> {
  const { database } = site.services
  const ready = async (): Promise<boolean> =>
    (await database.listColumns(database.reader, SCHEDULER_LOCK_TABLE)).length > 0 &&
    (await database.reader.selectFrom(SCHEDULER_LOCK_TABLE).select('name').where('name', '=', 'scheduler').executeTakeFirst()) !== undefined
  if (await ready()) return
  try {
    await runUnitOfWork(adminContext(site, logger), () => inTransaction((tx) => syncSchedulerLockTable(tx, database)))
    await runUnitOfWork(adminContext(site, logger), () =>
      inTransaction(async (tx) => {
        const row = await tx.selectFrom(SCHEDULER_LOCK_TABLE).select('name').where('name', '=', 'scheduler').executeTakeFirst()
        if (!row) await tx.insertInto(SCHEDULER_LOCK_TABLE).values({ name: 'scheduler', owner: '', lease_until: 0 }).execute()
      }),
    )
  } catch (error) {
    if (!(await ready())) throw error
  }
}

/**
 * One scheduler tick on a site (Frappe's `enqueue_events`): under the site's lease, every due
 * `Scheduled Job Type` gets `last_execution` moved by a compare-and-set and its job enqueued,
 * so each event runs once per tick however many schedulers race. Returns the types enqueued.
 */
export async function runSchedulerTick(site: Site, logger: Logger, options: TickOptions = {}): Promise<string[]> {
  const now = options.now ?? new Date()
  const owner = options.owner ?? randomUUID()
  const enqueued: string[] = []
  await ensureSchedulerLease(site, logger)
  await runUnitOfWork(adminContext(site, logger), () =>
    inTransaction(async (tx) => {
      if (!(await takeLease(tx, owner, now.getTime(), options.leaseMs ?? 90_000))) return
      const rows = await tx.selectFrom(TABLE).selectAll().where('stopped', '=', 0).execute()
      for (const row of rows) {
        const type = row as { name: string; method: string; frequency: string; cron_format: string | null; last_execution: string | null; creation: string }
        if (nextExecution(type) > now) continue
        let claim = tx.updateTable(TABLE).set({ last_execution: formatLocal(now) }).where('name', '=', type.name)
        claim = type.last_execution === null ? claim.where('last_execution', 'is', null) : claim.where('last_execution', '=', type.last_execution)
        if (Number((await claim.executeTakeFirst()).numUpdatedRows) !== 1) continue
        const queue: QueueName = type.frequency.endsWith('Long') ? 'long' : 'default'
        await enqueue(RUN_SCHEDULED_JOB, { queue, jobId: `scheduled_job::${type.method}`, deduplicate: true, enqueueAfterCommit: true, job_type: type.name })
        enqueued.push(type.name)
      }
    }),
  )
  return enqueued
}

/**
 * Runs one scheduled event and writes its `Scheduled Job Log`. As in Frappe, a failing event is
 * rolled back and logged as Failed with its traceback; the job itself still finishes.
 */
export const runScheduledJob: JobFunction = {
  async handler(args, job) {
    const type = await getDocument(SCHEDULED_JOB_TYPE, String(args.job_type))
    const method = String(type.get('method'))
    let status = 'Complete'
    let details: string | null = null
    try {
      await inTransaction(async () => {
        const fn = currentContext().site.services.jobFunctions?.get(method)
        if (!fn?.handler) throw new Error(`No job function named ${method}`)
        await fn.handler({}, job)
      })
    } catch (error) {
      status = 'Failed'
      details = error instanceof Error ? (error.stack ?? error.message) : String(error)
    }
    await insertDocument(newDocument('Scheduled Job Log', { scheduled_job_type: type.name, status, details }), { ignorePermissions: true })
    return status
  },
}
