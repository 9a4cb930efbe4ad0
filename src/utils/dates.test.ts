import { describe, expect, it } from 'vitest'
import { nowDatetime, parseDate, parseDatetime, parseTime } from './dates.js'

describe('parseDate', () => {
  it('accepts real calendar dates and the date part of a datetime', () => {
    expect(parseDate('2025-01-31')).toBe('2025-01-31')
    expect(parseDate(' 2024-02-29 ')).toBe('2024-02-29')
    expect(parseDate('2025-01-31 10:20:30')).toBe('2025-01-31')
  })

  it('rejects impossible dates and other text', () => {
    expect(parseDate('2025-02-29')).toBeUndefined()
    expect(parseDate('2025-13-01')).toBeUndefined()
    expect(parseDate('yesterday')).toBeUndefined()
  })
})

describe('parseDatetime', () => {
  it("prints Frappe's form: no fraction when microseconds are zero", () => {
    expect(parseDatetime('2025-01-31 10:20:30')).toBe('2025-01-31 10:20:30')
    expect(parseDatetime('2025-01-31T10:20:30.000000')).toBe('2025-01-31 10:20:30')
    expect(parseDatetime('2025-01-31 10:20:30.5')).toBe('2025-01-31 10:20:30.500000')
    expect(parseDatetime('2025-01-31')).toBe('2025-01-31 00:00:00')
  })

  it('rejects out-of-range times', () => {
    expect(parseDatetime('2025-01-31 24:00:00')).toBeUndefined()
  })
})

describe('parseTime', () => {
  it('prints hours without padding, as Python prints a timedelta', () => {
    expect(parseTime('09:05')).toBe('9:05:00')
    expect(parseTime('23:59:59.25')).toBe('23:59:59.250000')
    expect(parseTime('25:00')).toBeUndefined()
  })
})

describe('nowDatetime', () => {
  it('never returns the same value twice in one process', () => {
    const values = new Set(Array.from({ length: 1000 }, () => nowDatetime()))
    expect(values.size).toBe(1000)
    expect([...values][0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)
  })
})
