import { describe, expect, it } from 'vitest'
import { InvalidNameError } from '../../errors/index.js'
import { normalizeNamingSeries, parseFormatExpression, parseNamingSeries } from './series-parts.js'

describe('parseNamingSeries', () => {
  it('splits an old-style series into counter, date, field and word parts', () => {
    expect(parseNamingSeries('SINV-.YYYY.-.{customer}.-.#####')).toEqual([
      { kind: 'word', text: 'SINV-' },
      { kind: 'date', token: 'YYYY' },
      { kind: 'word', text: '-' },
      { kind: 'field', fieldname: 'customer' },
      { kind: 'word', text: '-' },
      { kind: 'counter', digits: 5 },
    ])
  })

  it('drops empty parts and reads every date token', () => {
    expect(parseNamingSeries('..YY.MM.DD.WW.timestamp.')).toEqual(
      ['YY', 'MM', 'DD', 'WW', 'timestamp'].map((token) => ({ kind: 'date', token })),
    )
  })
})

describe('parseFormatExpression', () => {
  it('turns braced placeholders into parts and keeps the text between them literal', () => {
    expect(parseFormatExpression('INV-{YYYY}-{customer}-{####}')).toEqual([
      { kind: 'literal', text: 'INV-' },
      { kind: 'date', token: 'YYYY' },
      { kind: 'literal', text: '-' },
      { kind: 'word', text: 'customer' },
      { kind: 'literal', text: '-' },
      { kind: 'counter', digits: 4 },
    ])
  })

  it('leaves text that is not a valid placeholder alone', () => {
    expect(parseFormatExpression('A{b.c}D{MM}')).toEqual([
      { kind: 'literal', text: 'A{b.c}D' },
      { kind: 'date', token: 'MM' },
    ])
  })
})

describe('normalizeNamingSeries', () => {
  it('appends the default counter to a series without one', () => {
    expect(normalizeNamingSeries('ALT-')).toBe('ALT-.#####')
    expect(normalizeNamingSeries('ORD-.YYYY.-.####')).toBe('ORD-.YYYY.-.####')
  })

  it('requires a dot once the series has a counter', () => {
    expect(() => normalizeNamingSeries('ABC####')).toThrow(InvalidNameError)
  })

  it('rejects special characters but allows word chars, - / . # { } and spaces', () => {
    expect(normalizeNamingSeries('Façture 2/{x}-.####')).toBe('Façture 2/{x}-.####')
    expect(() => normalizeNamingSeries('INV$-.####')).toThrow(/Special Characters/)
  })
})
