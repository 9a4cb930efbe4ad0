import { formatDate, formatTime } from '../../utils/index.js'
import type { DateToken } from './series-parts.js'

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

const DAY_MS = 86_400_000

/** The ISO 8601 week number of a date, read in local time. */
export function isoWeek(date: Date): number {
  const day = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()))
  const weekday = day.getUTCDay() || 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday) // the Thursday of the week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1)
  return Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7)
}

/**
 * Frappe's `WW`: the ISO week, except that early-January days still in last year's week are
 * `00` and late-December days already in next year's week 1 are `53`, so names keep their
 * order within a year.
 */
export function consecutiveWeek(date: Date): string {
  const week = isoWeek(date)
  if (date.getMonth() === 0 && week >= 52) return '00'
  if (date.getMonth() === 11 && week <= 1) return '53'
  return pad(week)
}

/** Python's `str(datetime)`: microseconds only when there are some. */
function timestamp(date: Date): string {
  const millis = date.getMilliseconds()
  const fraction = millis > 0 ? `.${pad(millis, 3)}000` : ''
  return `${formatDate(date)} ${formatTime(date)}${fraction}`
}

export function formatDateToken(token: DateToken, now: Date): string {
  switch (token) {
    case 'YY':
      return pad(now.getFullYear() % 100)
    case 'YYYY':
      return pad(now.getFullYear(), 4)
    case 'MM':
      return pad(now.getMonth() + 1)
    case 'DD':
      return pad(now.getDate())
    case 'WW':
      return consecutiveWeek(now)
    case 'timestamp':
      return timestamp(now)
  }
}
