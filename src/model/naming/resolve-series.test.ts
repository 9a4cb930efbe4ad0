import { describe, expect, it } from 'vitest'
import { consecutiveWeek, formatDateToken, isoWeek } from './date-parts.js'
import { composeName, counterIn, resolveSeries, type SeriesSource } from './resolve-series.js'
import { parseFormatExpression, parseNamingSeries } from './series-parts.js'

const NOW = new Date(2025, 2, 7, 9, 5, 3) // Friday 7 March 2025, ISO week 10

function source(values: Record<string, unknown> = {}, now = NOW): SeriesSource {
  return { now, hasField: (fieldname) => fieldname in values, valueOf: (fieldname) => values[fieldname] }
}

describe('formatDateToken', () => {
  it('prints each date token from a fixed clock', () => {
    expect(formatDateToken('YY', NOW)).toBe('25')
    expect(formatDateToken('YYYY', NOW)).toBe('2025')
    expect(formatDateToken('MM', NOW)).toBe('03')
    expect(formatDateToken('DD', NOW)).toBe('07')
    expect(formatDateToken('WW', NOW)).toBe('10')
    expect(formatDateToken('timestamp', NOW)).toBe('2025-03-07 09:05:03')
    const withMillis = new Date(2025, 2, 7, 9, 5, 3, 120)
    expect(formatDateToken('timestamp', withMillis)).toBe('2025-03-07 09:05:03.120000')
  })
})

describe('consecutiveWeek', () => {
  it('follows ISO weeks inside the year', () => {
    expect(isoWeek(new Date(2025, 0, 1))).toBe(1)
    expect(isoWeek(new Date(2021, 0, 3))).toBe(53)
    expect(consecutiveWeek(new Date(2025, 0, 6))).toBe('02')
  })

  it('smooths the year edges to 00 and 53', () => {
    expect(consecutiveWeek(new Date(2021, 0, 3))).toBe('00') // ISO week 53 of 2020
    expect(consecutiveWeek(new Date(2024, 11, 30))).toBe('53') // ISO week 1 of 2025
  })
})

describe('resolveSeries', () => {
  it('builds the counter key from the parts before the counter', () => {
    const series = resolveSeries(parseNamingSeries('SINV-.YYYY.-.#####'), source())
    expect(series).toEqual({ prefix: 'SINV-2025-', digits: 5, suffix: '' })
    expect(composeName(series, 1)).toBe('SINV-2025-00001')
    expect(composeName(series, 123456)).toBe('SINV-2025-123456')
  })

  it('reads braced fields and bare words that name a field, and keeps other words', () => {
    const parts = parseNamingSeries('{customer}.-.branch.-.MISC.-.YY.MM.-.##.-.####.-.qty')
    const series = resolveSeries(parts, source({ customer: 'ACME', branch: 'NY', qty: 7 }))
    expect(series).toEqual({ prefix: 'ACME-NY-MISC-2503-', digits: 2, suffix: '--7' })
  })

  it('turns unset fields into nothing', () => {
    const series = resolveSeries(parseNamingSeries('X.{customer}.branch.#'), source({ branch: null }))
    expect(series.prefix).toBe('X')
  })

  it('keys a format counter by the text built before it', () => {
    const parts = parseFormatExpression('INV-{YYYY}-{customer}-{####}/{MM}')
    const series = resolveSeries(parts, source({ customer: 'ACME' }))
    expect(series).toEqual({ prefix: 'INV-2025-ACME-', digits: 4, suffix: '/03' })
    expect(composeName(series, 42)).toBe('INV-2025-ACME-0042/03')
  })

  it('takes a placeholder naming no field literally', () => {
    const series = resolveSeries(parseFormatExpression('{prefix}-{DD}'), source())
    expect(composeName(series, 0)).toBe('prefix-07')
  })
})

describe('counterIn', () => {
  const series = { prefix: 'INV-', digits: 4, suffix: '/03' }

  it('reads the counter back out of a name', () => {
    expect(counterIn('INV-0042/03', series)).toBe(42)
    expect(counterIn('INV-12345/03', series)).toBe(12345)
  })

  it('ignores names the series did not make', () => {
    expect(counterIn('INV-0042/03-1', series)).toBeUndefined()
    expect(counterIn('INV-/03', series)).toBeUndefined()
    expect(counterIn('XYZ-0042/03', series)).toBeUndefined()
  })
})
