import { describe, expect, it } from 'vitest'
import { DataError, ValidationError } from '../../errors/index.js'
import { normalizeFilters } from './filter-forms.js'
import { parseCount, parseFields, parseFlag, parseJsonArgument, parseText } from './parse-args.js'

describe('parseFields', () => {
  it('accepts native lists, JSON strings, bare names and comma lists', () => {
    expect(parseFields(['name', 'status'])).toEqual(['name', 'status'])
    expect(parseFields('["name","status"]')).toEqual(['name', 'status'])
    expect(parseFields('"status"')).toEqual(['status'])
    expect(parseFields('*')).toEqual(['*'])
    expect(parseFields('name, status')).toEqual(['name', 'status'])
  })

  it('defaults to name', () => {
    expect(parseFields(undefined)).toEqual(['name'])
    expect(parseFields('')).toEqual(['name'])
    expect(parseFields('[]')).toEqual(['name'])
  })

  it('rejects broken JSON and non-string entries', () => {
    expect(() => parseFields('["name"')).toThrow(ValidationError)
    expect(() => parseFields('{"a":1}')).toThrow('fields must be a list')
    expect(() => parseFields([1])).toThrow(DataError)
  })
})

describe('parseCount', () => {
  it('parses numbers and numeric strings', () => {
    expect(parseCount('limit', 5, 20)).toBe(5)
    expect(parseCount('limit', ' 5 ', 20)).toBe(5)
    expect(parseCount('limit', undefined, 20)).toBe(20)
    expect(parseCount('limit', null, 20)).toBe(0)
    expect(parseCount('limit', '', 20)).toBe(0)
  })

  it.each([-1, 1.5, '1.5', '-1', 'abc', '5; drop', true, [5], Number.NaN, 1e300])(
    'rejects %j',
    (value) => {
      expect(() => parseCount('limit_page_length', value, 20)).toThrow(
        /limit_page_length must be a non-negative integer/,
      )
    },
  )
})

describe('parseFlag', () => {
  it('follows sbool', () => {
    expect(parseFlag('as_list', 'true', false)).toBe(true)
    expect(parseFlag('as_list', '1', false)).toBe(true)
    expect(parseFlag('as_list', '0', true)).toBe(false)
    expect(parseFlag('as_list', 'False', true)).toBe(false)
    expect(parseFlag('as_list', undefined, true)).toBe(true)
    expect(parseFlag('as_list', 0, true)).toBe(false)
    expect(() => parseFlag('as_list', {}, true)).toThrow(ValidationError)
  })
})

describe('parseJsonArgument and parseText', () => {
  it('parses JSON strings and passes native values through', () => {
    expect(parseJsonArgument('filters', '{"a":1}')).toEqual({ a: 1 })
    expect(parseJsonArgument('filters', [1])).toEqual([1])
    expect(parseJsonArgument('filters', '  ')).toBeUndefined()
    expect(() => parseJsonArgument('filters', "status='Open'")).toThrow('filters must be JSON')
  })

  it('takes only text for order_by', () => {
    expect(parseText('order_by', ' modified desc ')).toBe('modified desc')
    expect(parseText('order_by', '')).toBeUndefined()
    expect(() => parseText('order_by', ['modified'])).toThrow('order_by must be text')
  })
})

describe('normalizeFilters', () => {
  it('reads the object form; an array value is always [op, value]', () => {
    expect(normalizeFilters('filters', { status: 'Open', modified: ['>', '2025-01-01'] })).toEqual([
      { doctype: undefined, field: 'status', operator: '=', value: 'Open' },
      { doctype: undefined, field: 'modified', operator: '>', value: '2025-01-01' },
    ])
  })

  it('reads lists of 3 and 4 and truncates longer ones', () => {
    expect(
      normalizeFilters('filters', '[["status","!=","Closed"],["Item","qty",">",1,"extra"]]'),
    ).toEqual([
      { doctype: undefined, field: 'status', operator: '!=', value: 'Closed' },
      { doctype: 'Item', field: 'qty', operator: '>', value: 1 },
    ])
  })

  it('reads a single filter without the outer list', () => {
    expect(normalizeFilters('filters', ['status', '=', 'Open'])).toEqual([
      { doctype: undefined, field: 'status', operator: '=', value: 'Open' },
    ])
  })

  it('rejects SQL strings, wrong lengths and other shapes', () => {
    expect(() => normalizeFilters('filters', ["status='Open'"])).toThrow(DataError)
    expect(() => normalizeFilters('filters', '"1=1"')).toThrow(DataError)
    expect(() => normalizeFilters('filters', [['status', 'Open']])).toThrow(ValidationError)
    expect(() => normalizeFilters('filters', { status: ['='] })).toThrow(
      'status needs [operator, value]',
    )
    expect(() => normalizeFilters('or_filters', 5)).toThrow(
      'or_filters must be an object or a list',
    )
    expect(() => normalizeFilters('filters', [[1, '=', 'x']])).toThrow('field must be a name')
  })
})
