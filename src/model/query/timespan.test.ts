import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../errors/index.js'
import { TIMESPANS, timespanRange } from './timespan.js'

// Wednesday 15 January 2025; weeks start on Sunday (Frappe's default).
const TODAY = '2025-01-15'

describe('timespanRange', () => {
  it.each([
    ['last 7 days', '2025-01-08', '2025-01-15'],
    ['last 14 days', '2025-01-01', '2025-01-15'],
    ['last 30 days', '2024-12-16', '2025-01-15'],
    ['last week', '2025-01-05', '2025-01-11'],
    ['last month', '2024-12-01', '2024-12-31'],
    ['last quarter', '2024-10-01', '2024-12-31'],
    ['last 6 months', '2024-07-01', '2024-12-31'],
    ['last year', '2024-01-01', '2024-12-31'],
    ['yesterday', '2025-01-14', '2025-01-14'],
    ['today', '2025-01-15', '2025-01-15'],
    ['tomorrow', '2025-01-16', '2025-01-16'],
    ['this week', '2025-01-12', '2025-01-18'],
    ['this month', '2025-01-01', '2025-01-31'],
    ['this quarter', '2025-01-01', '2025-03-31'],
    ['this year', '2025-01-01', '2025-12-31'],
    ['next 7 days', '2025-01-15', '2025-01-22'],
    ['next 14 days', '2025-01-15', '2025-01-29'],
    ['next 30 days', '2025-01-15', '2025-02-14'],
    ['next week', '2025-01-19', '2025-01-25'],
    ['next month', '2025-02-01', '2025-02-28'],
    ['next quarter', '2025-04-01', '2025-06-30'],
    ['next 6 months', '2025-04-01', '2025-09-30'],
    ['next year', '2026-01-01', '2026-12-31'],
  ])('%s is %s to %s', (timespan, from, to) => {
    expect(timespanRange('timespan', timespan, TODAY)).toEqual([from, to])
  })

  it('covers every timespan of the spec', () => {
    expect(TIMESPANS).toHaveLength(23)
  })

  it('maps previous and next periods onto timespans', () => {
    expect(timespanRange('previous', '1 week', TODAY)).toEqual(['2025-01-05', '2025-01-11'])
    expect(timespanRange('previous', '3 months', TODAY)).toEqual(['2024-10-01', '2024-12-31'])
    expect(timespanRange('next', '1 month', TODAY)).toEqual(['2025-02-01', '2025-02-28'])
    expect(timespanRange('next', '6 months', TODAY)).toEqual(['2025-04-01', '2025-09-30'])
    expect(timespanRange('next', '1 year', TODAY)).toEqual(['2026-01-01', '2026-12-31'])
  })

  it('honours the first day of the week', () => {
    expect(timespanRange('timespan', 'this week', TODAY, 1)).toEqual(['2025-01-13', '2025-01-19'])
  })

  it('clamps month arithmetic at month ends', () => {
    expect(timespanRange('timespan', 'last month', '2025-03-31')).toEqual([
      '2025-02-01',
      '2025-02-28',
    ])
  })

  it('rejects unknown values', () => {
    expect(() => timespanRange('timespan', 'last century', TODAY)).toThrow(ValidationError)
    expect(() => timespanRange('previous', '2 weeks', TODAY)).toThrow(/must be one of 1 week/)
    expect(() => timespanRange('timespan', 'constructor', TODAY)).toThrow(ValidationError)
  })
})
