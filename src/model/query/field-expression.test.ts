import { describe, expect, it } from 'vitest'
import { DataError } from '../../errors/index.js'
import { parseColumnRef, parseFieldExpression, parseValueExpression } from './field-expression.js'

describe('parseFieldExpression', () => {
  it('parses a plain field, an alias and a star', () => {
    expect(parseFieldExpression('status')).toEqual({
      expr: { kind: 'column', ref: { fieldname: 'status' } },
      alias: undefined,
      text: 'status',
    })
    expect(parseFieldExpression(' status AS state ').alias).toBe('state')
    expect(parseFieldExpression('*').expr).toEqual({ kind: 'star' })
  })

  it('parses backtick-qualified and table-field references', () => {
    expect(parseFieldExpression('`tabSales Invoice Item`.`qty`').expr).toEqual({
      kind: 'column',
      ref: { qualifier: 'tabSales Invoice Item', fieldname: 'qty' },
    })
    expect(parseFieldExpression('items.item_code as code').expr).toEqual({
      kind: 'column',
      ref: { qualifier: 'items', fieldname: 'item_code' },
    })
  })

  it('parses aggregates with distinct, star and alias', () => {
    expect(parseFieldExpression('count(name)').expr).toEqual({
      kind: 'aggregate',
      fn: 'count',
      distinct: false,
      arg: { fieldname: 'name' },
    })
    expect(parseFieldExpression('COUNT(DISTINCT name) as n')).toMatchObject({
      expr: { kind: 'aggregate', fn: 'count', distinct: true },
      alias: 'n',
    })
    expect(parseFieldExpression('count(*)').expr).toMatchObject({ arg: '*' })
    expect(parseFieldExpression('sum(`tabQuery Item`.`qty`) as total').expr).toMatchObject({
      fn: 'sum',
    })
  })

  it.each([
    'name; drop table x',
    '(select 1)',
    'sleep(1)',
    'concat(name, title)',
    'name -- comment',
    'name /* x */',
    'name, title',
    "name'",
    'sum(*)',
    'count(distinct *)',
    'name as',
    'name as a b',
    'count(name',
    'a.b.c',
    '`tabX`.*',
    '',
    'x'.repeat(400),
  ])('rejects %j with a DataError', (text) => {
    expect(() => parseFieldExpression(text)).toThrow(DataError)
    expect(() => parseFieldExpression(text)).toThrow(/Field not permitted in query/)
  })
})

describe('parseValueExpression', () => {
  it('names the argument in its error', () => {
    expect(() => parseValueExpression('name desc; drop', 'Invalid order_by')).toThrow(
      'Invalid order_by: name desc; drop',
    )
  })
})

describe('parseColumnRef', () => {
  it('accepts columns but not aggregates', () => {
    expect(parseColumnRef('`tabToDo`.`status`')).toEqual({
      qualifier: 'tabToDo',
      fieldname: 'status',
    })
    expect(() => parseColumnRef('count(name)')).toThrow(DataError)
    expect(() => parseColumnRef('1=1')).toThrow(DataError)
  })
})
