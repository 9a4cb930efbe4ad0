import { ValidationError } from '../../errors/index.js'

/**
 * Named date ranges for the `timespan`, `previous` and `next` operators, as Frappe's
 * `get_timespan_date_range` computes them (spec 3.2). Dates are `YYYY-MM-DD` strings;
 * arithmetic runs in UTC so that daylight-saving changes never shift a day.
 */

type Range = readonly [Date, Date]

const DAY_MS = 86_400_000

function toDate(text: string): Date {
  const [year = 0, month = 1, day = 1] = text.split('-').map(Number)
  return new Date(Date.UTC(year, month - 1, day))
}

function format(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0')
  const year = String(date.getUTCFullYear()).padStart(4, '0')
  return `${year}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS)

/** Calendar months, clamping the day as Python's `relativedelta` does (Mar 31 → Feb 28). */
function addMonths(date: Date, months: number): Date {
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1))
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate()
  return new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)),
  )
}

const monthStart = (date: Date): Date =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
const monthEnd = (date: Date): Date =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0))
const quarterStart = (date: Date): Date =>
  new Date(Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3, 1))
const quarterEnd = (date: Date): Date =>
  new Date(Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3 + 3, 0))
const yearStart = (date: Date): Date => new Date(Date.UTC(date.getUTCFullYear(), 0, 1))
const yearEnd = (date: Date): Date => new Date(Date.UTC(date.getUTCFullYear(), 11, 31))

function week(date: Date, firstDay: number): Range {
  const start = addDays(date, -((date.getUTCDay() - firstDay + 7) % 7))
  return [start, addDays(start, 6)]
}

const month = (date: Date): Range => [monthStart(date), monthEnd(date)]
const quarter = (date: Date): Range => [quarterStart(date), quarterEnd(date)]
const year = (date: Date): Range => [yearStart(date), yearEnd(date)]

const RANGES: Readonly<Record<string, (today: Date, firstDay: number) => Range>> = {
  'last 7 days': (today) => [addDays(today, -7), today],
  'last 14 days': (today) => [addDays(today, -14), today],
  'last 30 days': (today) => [addDays(today, -30), today],
  'last week': (today, firstDay) => week(addDays(today, -7), firstDay),
  'last month': (today) => month(addMonths(today, -1)),
  'last quarter': (today) => quarter(addMonths(today, -3)),
  'last 6 months': (today) => [
    quarterStart(addMonths(today, -6)),
    quarterEnd(addMonths(today, -3)),
  ],
  'last year': (today) => year(addMonths(today, -12)),
  yesterday: (today) => [addDays(today, -1), addDays(today, -1)],
  today: (today) => [today, today],
  tomorrow: (today) => [addDays(today, 1), addDays(today, 1)],
  'this week': (today, firstDay) => week(today, firstDay),
  'this month': (today) => month(today),
  'this quarter': (today) => quarter(today),
  'this year': (today) => year(today),
  'next 7 days': (today) => [today, addDays(today, 7)],
  'next 14 days': (today) => [today, addDays(today, 14)],
  'next 30 days': (today) => [today, addDays(today, 30)],
  'next week': (today, firstDay) => week(addDays(today, 7), firstDay),
  'next month': (today) => month(addMonths(today, 1)),
  'next quarter': (today) => quarter(addMonths(today, 3)),
  'next 6 months': (today) => [quarterStart(addMonths(today, 3)), quarterEnd(addMonths(today, 6))],
  'next year': (today) => year(addMonths(today, 12)),
}

export const TIMESPANS: readonly string[] = Object.keys(RANGES)

/** `previous` / `next` values and the timespan each stands for. */
const PERIODS: Readonly<Record<string, string>> = {
  '1 week': 'week',
  '1 month': 'month',
  '3 months': 'quarter',
  '6 months': '6 months',
  '1 year': 'year',
}

const normalize = (value: unknown): string =>
  typeof value === 'string' ? value.trim().toLowerCase().replace(/\s+/g, ' ') : ''

/**
 * The `[from, to]` dates of a timespan operator. `today` is `YYYY-MM-DD`; `firstDayOfWeek`
 * is 0 for Sunday (Frappe's default System Setting) to 6 for Saturday.
 */
export function timespanRange(
  operator: 'timespan' | 'previous' | 'next',
  value: unknown,
  today: string,
  firstDayOfWeek = 0,
): [string, string] {
  let timespan = normalize(value)
  if (operator !== 'timespan') {
    const period = PERIODS[timespan]
    if (period === undefined) {
      throw new ValidationError(
        `Value for ${operator} must be one of ${Object.keys(PERIODS).join(', ')}`,
      )
    }
    timespan = `${operator === 'previous' ? 'last' : 'next'} ${period}`
  }
  const range = Object.hasOwn(RANGES, timespan) ? RANGES[timespan] : undefined
  if (range === undefined) throw new ValidationError(`Unknown timespan: ${String(value)}`)
  const [from, to] = range(toDate(today), firstDayOfWeek)
  return [format(from), format(to)]
}
