/** Frappe's wire formats: dates `YYYY-MM-DD`, datetimes `YYYY-MM-DD HH:MM:SS[.ffffff]`, times `H:MM:SS`. */

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

let lastMicros = 0 // process-wide clock state, so that two saves never share a `modified`

/** Microseconds since the epoch, strictly increasing within this process. */
function nowMicros(): number {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000)
  lastMicros = micros > lastMicros ? micros : lastMicros + 1
  return lastMicros
}

/** The current local datetime with microseconds, as Frappe's `now()` prints it. */
export function nowDatetime(): string {
  const micros = nowMicros()
  const date = new Date(Math.floor(micros / 1000))
  return `${formatDate(date)} ${formatTime(date)}.${pad(micros % 1_000_000, 6)}`
}

export function today(): string {
  return formatDate(new Date())
}

export function nowTime(): string {
  return formatTime(new Date())
}

export function formatDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

export function formatTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|[+-]\d{2}:?\d{2})?$/
const TIME_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/

function isValidDay(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day)
}

/** `2025-01-31`, or undefined when the text is not a real calendar date. */
export function parseDate(text: string): string | undefined {
  const match = DATE_PATTERN.exec(text.trim()) ?? DATETIME_PATTERN.exec(text.trim())
  if (!match) return undefined
  const [, year = '', month = '', day = ''] = match
  return isValidDay(year, month, day) ? `${year}-${month}-${day}` : undefined
}

/** `2025-01-31 10:20:30[.ffffff]` (a date alone means midnight), or undefined when invalid. */
export function parseDatetime(text: string): string | undefined {
  const trimmed = text.trim()
  const dateOnly = DATE_PATTERN.exec(trimmed)
  if (dateOnly) return parseDate(trimmed) && `${trimmed} 00:00:00`
  const match = DATETIME_PATTERN.exec(trimmed)
  if (!match) return undefined
  const [, year = '', month = '', day = '', hour = '', minute = '', second = '00', fraction] = match
  if (!isValidDay(year, month, day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return undefined
  }
  const micros = fraction && Number(fraction) > 0 ? `.${fraction.padEnd(6, '0')}` : ''
  return `${year}-${month}-${day} ${hour}:${minute}:${second}${micros}`
}

/** `H:MM:SS[.ffffff]` as Frappe serialises a time, or undefined when invalid. */
export function parseTime(text: string): string | undefined {
  const match = TIME_PATTERN.exec(text.trim())
  if (!match) return undefined
  const [, hour = '', minute = '', second = '00', fraction] = match
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined
  const micros = fraction && Number(fraction) > 0 ? `.${fraction.padEnd(6, '0')}` : ''
  return `${Number(hour)}:${minute}:${second}${micros}`
}
